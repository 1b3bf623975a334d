"""The link in a safety check's email: it answers without logging in.

Signed (django.core.signing, with a salt of its own) for one ALT and one
check; nothing is stored. It is valid while the check is open: closing the
check ends every link (selectors.safety_answer_for_link).
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

LINK_SALT = "safety.answer-link"


def _signer() -> signing.Signer:
    # No timestamp: one stable link per ALT and check, in the first email and in every reminder.
    return signing.Signer(salt=LINK_SALT)


def answer_token(*, check_id: int, alt_id: int) -> str:
    return _signer().sign_object([check_id, alt_id])


def answer_token_read(token: str) -> tuple[int, int]:
    """(check id, ALT id) of a token; signing.BadSignature (or ValueError) for anything else."""
    check_id, alt_id = _signer().unsign_object(token)
    return int(check_id), int(alt_id)


def answer_url(*, check_id: int, alt_id: int) -> str:
    """The absolute link for emails."""
    return settings.SITE_URL + reverse("safety:link", args=[answer_token(check_id=check_id, alt_id=alt_id)])
