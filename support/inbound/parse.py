"""What an inbound email says, read once from the MIME message (Python's email package)."""

import hashlib
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from .html import html_to_text
from .quotes import reply_text

# Headers that mark a message no person wrote: out-of-office replies, mailing lists, bounces.
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_DAEMONS = ("mailer-daemon@", "postmaster@", "noreply@", "no-reply@")


@dataclass(frozen=True)
class InboundFile:
    name: str
    content_type: str
    content: bytes


@dataclass
class InboundMail:
    key: str  # digest of the Message-ID, or of the whole message when it has none
    message_id: str
    sender: str  # the From address, lowercase
    recipients: list[str]  # the envelope recipient first, then To, Cc and the delivery headers
    subject: str
    text: str  # the new text: quotes and signature removed
    files: list[InboundFile] = field(default_factory=list)
    automatic: bool = False
    spam: bool = False  # the provider's or the mail server's spam filter says so


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def _body_parts(message: Message):
    for part in message.walk():
        disposition = part.get_content_disposition()
        if part.is_multipart() or disposition == "attachment" or (disposition == "inline" and part.get_filename()):
            continue
        yield part


def _text(message: Message) -> str:
    parts = list(_body_parts(message))
    plain = next((p for p in parts if p.get_content_type() == "text/plain"), None)
    if plain is not None:
        return _decoded(plain)
    html = next((p for p in parts if p.get_content_type() == "text/html"), None)
    return html_to_text(_decoded(html)) if html is not None else ""


def _files(message: Message) -> list[InboundFile]:
    # Only files sent as attachments: images shown inside the text (a signature's logo) are left out.
    files = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() != "attachment":
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            files.append(InboundFile(part.get_filename() or "file", part.get_content_type(), content))
    return files


def _is_automatic(message: Message, sender: str) -> bool:
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto_submitted not in ("", "no")
        or precedence in _AUTOMATIC_PRECEDENCE
        or any(message.get(header) for header in ("X-Autoreply", "X-Autorespond", "List-Id"))
        or message.get_content_type() == "multipart/report"
        or not sender
        or sender.startswith(_DAEMONS)
    )


def _raw(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except Exception:  # a malformed header the serializer cannot write back
        return f"{message.items()!r}{message.get_payload()!r}".encode("utf-8", "replace")


def inbound_mail_from_message(message: Message, *, envelope_recipient: str | None = None) -> InboundMail:
    """Read `message` (an email.message.Message, as the Maildir or anymail gives it)."""
    message_id = " ".join(str(message.get("Message-ID", "")).split())[:255]
    digest_of = message_id.encode() if message_id else _raw(message)
    senders = getaddresses([str(value) for value in message.get_all("From", [])])
    sender = (senders[0][1] if senders else "").strip().lower()
    headers = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
    recipients = [address for _name, address in getaddresses([str(v) for h in headers for v in message.get_all(h, [])])]
    if envelope_recipient:
        recipients.insert(0, envelope_recipient)
    return InboundMail(
        key=hashlib.sha256(digest_of).hexdigest(),
        message_id=message_id,
        sender=sender,
        recipients=recipients,
        subject=" ".join(str(message.get("Subject", "")).split())[:200],
        text=reply_text(_text(message)),
        files=_files(message),
        automatic=_is_automatic(message, sender),
        spam=bool(getattr(message, "spam_detected", None))
        or str(message.get("X-Spam-Flag", "")).strip().upper() == "YES",
    )
