import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import onboarding.demo
import safety.demo
import support.demo
import training.demo
from contacts import demo as contacts_demo
from contacts.roles import sync_role_groups
from interac_portal import demo as portal_demo


class Command(BaseCommand):
    help = "Create the demo branches, accounts and data (idempotent). Refuses to run with debug off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DJANGO_DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password; with debug off, pass --force.")
        password = os.environ.get("DEMO_PASSWORD", "portal-demo-2026")
        with transaction.atomic():
            sync_role_groups()
            people = contacts_demo.seed(password=password)
            onboarding.demo.seed(people=people)
            training.demo.seed(people=people)
            support.demo.seed(people=people)
            portal_demo.seed(people=people)
            safety.demo.seed(people=people)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(people)} entries. Password: {password}"))
