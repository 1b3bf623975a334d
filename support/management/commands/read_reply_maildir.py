"""Post the replies waiting in a local Maildir (a self-hosted mail server delivering the reply domain).

    python manage.py read_reply_maildir [/var/mail/portal-replies]

Each message in new/ (or in cur/ not yet marked seen) is handed to the same
service as the webhook, then moved to cur/ and marked seen ("S"). Running it
twice posts nothing twice: a moved message is not read again, and one read
again (two runs at once, a copy put back) is known by its Message-ID. A
message that fails stays where it is for the next run. Cron or a systemd
timer runs it every minute.
"""

import contextlib
import logging
import mailbox
from email.parser import BytesParser
from email.policy import default as default_policy

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from support.inbound.parse import inbound_mail_from_message
from support.services.inbound import inbound_email_receive

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Post the replies waiting in a Maildir to their requests' threads (or bounce them)."

    def add_arguments(self, parser):
        parser.add_argument("maildir", nargs="?", default=None, help="the Maildir (default: REPLY_MAILDIR)")

    def handle(self, *args, maildir=None, **options):
        path = maildir or settings.REPLY_MAILDIR
        if not path:
            raise CommandError("Give the Maildir's path, or set REPLY_MAILDIR.")
        try:
            box = mailbox.Maildir(path, factory=None, create=False)
            keys = sorted(box.iterkeys())
        except (FileNotFoundError, mailbox.NoSuchMailboxError):
            raise CommandError(f"No Maildir at {path}.")
        counts: dict[str, int] = {}
        for key in keys:
            outcome = self._one(box, key)
            if outcome:
                counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome.lower()}" for outcome, count in sorted(counts.items()))
        self.stdout.write(summary or "No new messages.")

    def _one(self, box: mailbox.Maildir, key: str) -> str | None:
        try:
            stored = box.get_message(key)
            if stored.get_subdir() == "cur" and "S" in stored.get_flags():
                return None  # read by an earlier run
            message = BytesParser(policy=default_policy).parsebytes(box.get_bytes(key))
        except (KeyError, FileNotFoundError):
            return None  # another run took it meanwhile
        try:
            record = inbound_email_receive(mail=inbound_mail_from_message(message), channel="maildir")
        except Exception:
            logger.exception("maildir message %s not handled; left for the next run", key)
            return "FAILED"
        stored.set_subdir("cur")
        stored.add_flag("S")
        with contextlib.suppress(KeyError, FileNotFoundError):  # another run moved it
            box[key] = stored
        return record.outcome
