"""Replies delivered to a local Maildir by a self-hosted mail server (Python's mailbox module).

Each message in new/ (or in cur/ not yet marked seen) is handed to the same
service as the webhook, then moved to cur/ and marked seen ("S"). Reading
twice posts nothing twice: a moved message is not read again, and one read
again (two readers at once, a copy put back) is known by its Message-ID. A
message that fails stays where it is for the next read.
"""

import contextlib
import logging
import mailbox
from email.parser import BytesParser
from email.policy import default as default_policy

from ..services.inbound import inbound_email_receive
from .parse import inbound_mail_from_message

logger = logging.getLogger(__name__)


class NoMaildir(Exception):
    pass


def maildir_read(path: str) -> dict[str, int]:
    """Handle every unread message of the Maildir at `path`; the count per outcome (POSTED, BOUNCED, ...)."""
    try:
        box = mailbox.Maildir(path, factory=None, create=False)
        keys = sorted(box.iterkeys())
    except (FileNotFoundError, mailbox.NoSuchMailboxError):
        raise NoMaildir(path) from None
    counts: dict[str, int] = {}
    for key in keys:
        outcome = _read_one(box, key)
        if outcome:
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _read_one(box: mailbox.Maildir, key: str) -> str | None:
    try:
        stored = box.get_message(key)
        if stored.get_subdir() == "cur" and "S" in stored.get_flags():
            return None  # read before
        message = BytesParser(policy=default_policy).parsebytes(box.get_bytes(key))
    except (KeyError, FileNotFoundError):
        return None  # another reader took it meanwhile
    try:
        record = inbound_email_receive(mail=inbound_mail_from_message(message), channel="maildir")
    except Exception:
        logger.exception("maildir message %s not handled; left for the next read", key)
        return "FAILED"
    stored.set_subdir("cur")
    stored.add_flag("S")
    with contextlib.suppress(KeyError, FileNotFoundError):  # another reader moved it
        box[key] = stored
    return record.outcome
