"""The reply address of an email about a request: `reply+<token>@<REPLY_DOMAIN>`.

The token names the request and the person the email went to (0: the
branch's shared address), with the time it was made, signed with
django.core.signing (a salt of its own, SECRET_KEY and its fallbacks).
Nothing is stored. An address's local part holds at most 64 characters,
letters, digits and a few signs, and some mail systems change its case: the
token is lowercase base 36 and base 32, about 40 characters, read whatever
its case.
"""

import base64
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

REPLY_SALT = "support.reply-address"
LOCAL_PREFIX = "reply+"
BRANCH_MAILBOX = 0  # the person of a token sent to the branch's shared address
_SIGNATURE_BYTES = 15  # 120 bits of the HMAC: 24 characters of base 32
_TOKEN = re.compile(r"([0-9a-z]{1,13})-([0-9a-z]{1,13})-([0-9a-z]{1,13})-([a-z2-7]{24})")


class ReplyTokenError(Exception):
    """A reply address that is not ours, was altered, or is too old. `code`: "unknown" or "expired"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ReplyToken:
    support_request_id: int
    user_id: int  # BRANCH_MAILBOX for the branch's shared address
    issued: int  # seconds since the epoch


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _signature(value: str, key) -> str:
    signer = signing.Signer(key=key, salt=REPLY_SALT, algorithm="sha256")
    digest = base64.urlsafe_b64decode(signer.signature(value) + "=")
    return base64.b32encode(digest[:_SIGNATURE_BYTES]).decode().lower()


def _keys() -> list:
    signer = signing.Signer(salt=REPLY_SALT)
    return [signer.key, *signer.fallback_keys]


def reply_token(*, support_request_id: int, user_id: int | None, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    value = f"{_base36(support_request_id)}-{_base36(user_id or BRANCH_MAILBOX)}-{_base36(issued)}"
    return f"{value}-{_signature(value, _keys()[0])}"


def reply_address(*, support_request_id: int, user_id: int | None) -> str:
    """The Reply-To of an email about request `support_request_id` to user `user_id` (None: the branch's address)."""
    token = reply_token(support_request_id=support_request_id, user_id=user_id)
    return f"{LOCAL_PREFIX}{token}@{settings.REPLY_DOMAIN}"


def reply_token_read(token: str, *, now: float | None = None) -> ReplyToken:
    """The request and person of a token; ReplyTokenError for an altered, made-up or expired one."""
    match = _TOKEN.fullmatch((token or "").strip().lower())
    if match is None:
        raise ReplyTokenError("unknown")
    request36, user36, issued36, signature = match.groups()
    value = f"{request36}-{user36}-{issued36}"
    if not any(constant_time_compare(signature, _signature(value, key)) for key in _keys()):
        raise ReplyTokenError("unknown")
    issued = int(issued36, 36)
    age = (time.time() if now is None else now) - issued
    if age > timedelta(days=settings.REPLY_TOKEN_MAX_AGE_DAYS).total_seconds():
        raise ReplyTokenError("expired")
    return ReplyToken(support_request_id=int(request36, 36), user_id=int(user36, 36), issued=issued)


def reply_token_in(addresses) -> str | None:
    """The token of the first of `addresses` that is a reply address of ours (the local part's case ignored)."""
    domain = settings.REPLY_DOMAIN.lower()
    for address in addresses:
        local, _at, host = (address or "").strip().strip("<>").rpartition("@")
        if host.lower() == domain and local.lower().startswith(LOCAL_PREFIX):
            return local[len(LOCAL_PREFIX) :]
    return None


def is_own_address(address: str) -> bool:
    """The portal's own sender or one of its reply addresses: mail from there is a loop, never answered."""
    address = (address or "").strip().lower()
    own = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return address == own or reply_token_in([address]) is not None
