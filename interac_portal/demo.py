"""Demo rows of the flows wired here, called by `seed_demo` after every app's own. Idempotent."""

from datetime import timedelta

from onboarding.models import ChecklistItem
from support.models import SupportRequest

from .checklist_help import support_category_for
from .models import ChecklistHelp

Kind = ChecklistItem.Kind

# (ALT, step, the support demo's request it led to): city hall help, since resolved; Tokyo's bank account, in progress.
ASKED = [
    ("alt.tokyo", Kind.CITY_HALL, "Registering my address at the ward office"),
    ("alt.osaka", Kind.CITY_HALL, "Registering my address at the ward office"),
    ("alt.tokyo", Kind.BANK_ACCOUNT, "Opening a bank account for my salary"),
]


def seed(*, people: dict) -> None:
    """ALTs who asked for help with a checklist step: the dashboard offers to tick the resolved one."""
    for key, kind, subject in ASKED:
        alt = people[key]
        item = ChecklistItem.objects.filter(alt=alt, kind=kind).first()
        support_request = SupportRequest.objects.filter(alt=alt, subject=subject).order_by("created").first()
        if item is None or support_request is None:
            continue
        ChecklistHelp.objects.get_or_create(
            item=item,
            defaults={
                "category": support_category_for(kind),
                "subject": subject,
                "asked_at": support_request.created - timedelta(minutes=10),
            },
        )
