"""Demo data for the support app, called by `seed_demo` after the people exist."""

import uuid
from datetime import timedelta

from django.utils import timezone

from .models import CannedReply, Category, Message, Status, SupportRequest, Urgency
from .services import reference_next, support_request_due_at

_NAMESPACE = uuid.UUID("6f1c4a52-58a4-4b8e-9a51-3d2f3d1e7a10")

# (slug, category, urgency, status, days ago, subject, details, thread)
# thread: (who, internal, text) with who "alt" or "staff"
DEMO_REQUESTS = [
    (
        "city-hall",
        Category.CITY_HALL,
        Urgency.NORMAL,
        Status.RESOLVED,
        9,
        "Registering my address at the ward office",
        "I moved in last week. Which documents do I need for the ward office, and can someone come with me?",
        [
            (
                "staff",
                False,
                "Bring your residence card and passport. I can meet you at the ward office on Tuesday at 10:00.",
            ),
            ("alt", False, "Done! Thank you for coming with me."),
        ],
    ),
    (
        "phone",
        Category.MOBILE_PHONE,
        Urgency.HIGH,
        Status.WAITING_ON_ALT,
        3,
        "Which mobile plan can I get without a credit card?",
        "The shop asked for a credit card, and I only have my home bank's debit card.",
        [
            ("staff", True, "Check whether the ALT already has a Japanese bank account before suggesting a carrier."),
            (
                "staff",
                False,
                "Do you already have your Japanese bank account and cash card? Then we can look at "
                "plans paid by bank transfer.",
            ),
        ],
    ),
    (
        "bank",
        Category.BANK_ACCOUNT,
        Urgency.NORMAL,
        Status.IN_PROGRESS,
        1,
        "Opening a bank account for my salary",
        "Which bank do other ALTs use near my schools? I have my residence card with my address on it.",
        [("staff", False, "Most ALTs in your area use the post office bank. I will send you the form today.")],
    ),
    (
        "housing",
        Category.HOUSING,
        Urgency.URGENT,
        Status.NEW,
        0,
        "Water leaking from the ceiling",
        "There is water dripping from the bathroom ceiling since this morning. The landlord does not answer.",
        [],
    ),
]

CANNED_REPLIES = [
    (
        Category.CITY_HALL,
        "What to bring to city hall",
        "Please bring your residence card, your passport and your address in Japan. "
        "Registration must be done within 14 days of moving in.",
    ),
    (
        Category.BANK_ACCOUNT,
        "Documents for a bank account",
        "Please bring your residence card with your registered address, your passport and your Japanese phone number.",
    ),
    (
        Category.DOCTOR,
        "Finding an English-speaking clinic",
        "Here is a list of clinics near you where staff speak English. Bring your health insurance card.",
    ),
]


def _token(alt, slug: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{alt.email}:{slug}")


def seed(*, people: dict) -> None:
    """Create this app's demo rows. Idempotent: running it twice changes nothing."""
    for category, title, body in CANNED_REPLIES:
        CannedReply.objects.get_or_create(category=category, branch=None, title=title, defaults={"body": body})
    now = timezone.now()
    for code in ("tokyo", "osaka"):
        alt = people[f"alt.{code}"]
        staff = people[f"staff.{code}"]
        branch = people["branches"][code]
        for slug, category, urgency, status, days_ago, subject, details, thread in DEMO_REQUESTS:
            token = _token(alt, slug)
            if SupportRequest.objects.filter(submit_token=token).exists():
                continue
            created = now - timedelta(days=days_ago, hours=2)
            support_request = SupportRequest.objects.create(
                reference=reference_next(year=timezone.localtime(created).year),
                alt=alt,
                branch=branch,
                category=category,
                subject=subject,
                details=details,
                urgency=urgency,
                status=status,
                assignee=None if status == Status.NEW else staff,
                due_at=support_request_due_at(branch=branch, urgency=urgency, start=created),
                created=created,
                last_activity_at=created,
                resolved_at=now - timedelta(days=2) if status == Status.RESOLVED else None,
                submit_token=token,
            )
            when = created
            for who, internal, text in thread:
                when += timedelta(hours=3)
                Message.objects.create(
                    support_request=support_request,
                    author=staff if who == "staff" else alt,
                    body=text,
                    is_internal=internal,
                    from_staff=who == "staff",
                    created=when,
                )
            SupportRequest.objects.filter(pk=support_request.pk).update(last_activity_at=when)
