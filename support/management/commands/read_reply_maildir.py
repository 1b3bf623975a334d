"""Post the replies waiting in a local Maildir (a self-hosted mail server delivering the reply domain).

    python manage.py read_reply_maildir [/var/mail/portal-replies]

The scheduler does the same every minute when REPLY_MAILDIR is set
(support.tasks.read_reply_maildir); see support.inbound.maildir.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from support.inbound.maildir import NoMaildir, maildir_read


class Command(BaseCommand):
    help = "Post the replies waiting in a Maildir to their requests' threads (or bounce them)."

    def add_arguments(self, parser):
        parser.add_argument("maildir", nargs="?", default=None, help="the Maildir (default: REPLY_MAILDIR)")

    def handle(self, *args, maildir=None, **options):
        path = maildir or settings.REPLY_MAILDIR
        if not path:
            raise CommandError("Give the Maildir's path, or set REPLY_MAILDIR.")
        try:
            counts = maildir_read(path)
        except NoMaildir:
            raise CommandError(f"No Maildir at {path}.")
        summary = ", ".join(f"{count} {outcome.lower()}" for outcome, count in sorted(counts.items()))
        self.stdout.write(summary or "No new messages.")
