"""Real MIME replies (Python's email package) and the ways they reach the portal: Mailgun's signed
inbound webhook (raw MIME or fully parsed, as its routes post them) and a Maildir."""

import hashlib
import hmac
import json
import mailbox
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contacts.models import Notification

QUOTE_EN = "On Mon, Dec 1, 2026 at 10:00 AM ALT Portal <portal@example.com> wrote:\n> Hello,\n> the old email\n"


def reply_to_of(notification: Notification) -> str:
    assert notification.reply_to.startswith("reply+"), notification.reply_to
    return notification.reply_to


def reply_email(
    *,
    to: str,
    sender: str,
    text: str | None = "Thank you, that works for me.",
    html: str | None = None,
    files=(),
    subject: str = "Re: [ALT Portal] Reply on your request",
    message_id: str | None = None,
    headers: dict | None = None,
) -> EmailMessage:
    """A reply as a mail program sends it: text and/or HTML, files as attachments."""
    message = EmailMessage()
    message["From"] = f"Someone <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.net")
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for name, content, content_type in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message


def _signature(key: str) -> dict:
    timestamp, token = str(int(time.time())), uuid.uuid4().hex
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def _parsed_fields(message: EmailMessage) -> dict:
    """Mailgun's "fully parsed" form of a message: bodies, headers as JSON, files as attachment-N."""
    body = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    files = list(message.iter_attachments())
    fields = {
        "message-headers": json.dumps([[name, str(value)] for name, value in message.items()]),
        "from": str(message["From"]),
        "subject": str(message["Subject"]),
        "attachment-count": str(len(files)),
    }
    if body is not None:
        fields["body-plain"] = body.get_content()
    if html is not None:
        fields["body-html"] = html.get_content()
    for number, part in enumerate(files, start=1):
        fields[f"attachment-{number}"] = SimpleUploadedFile(
            part.get_filename(), part.get_payload(decode=True), part.get_content_type()
        )
    return fields


def mailgun_post(client, message: EmailMessage, *, key: str | None = None, raw: bool = True, recipient=None):
    """POST `message` to the inbound webhook as a Mailgun route does, signed with `key` (default: ours)."""
    key = key if key is not None else settings.ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]
    fields = {"body-mime": message.as_string()} if raw else _parsed_fields(message)
    fields.update(
        recipient=recipient or str(message["To"]),
        sender=str(message["From"]),
        **_signature(key),
    )
    return client.post(reverse("support:inbound_mailgun"), fields)


def maildir_with(path: Path, *messages: EmailMessage) -> mailbox.Maildir:
    """A Maildir at `path` (made if missing) with `messages` delivered to new/."""
    box = mailbox.Maildir(path, create=True)
    for message in messages:
        box.add(mailbox.MaildirMessage(message.as_bytes()))
    return box
