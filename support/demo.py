"""Demo data for the support app, called by `seed_demo` after the people exist.

Each branch's ALT has requests in several states (the new one assigned to
their MC, who answers first; one waiting on the ALT for a week), a visit
tomorrow and an on-call rota for the next two weeks with one night left open
(the admin warns about it); the applicant and the pre-departure ALT have
questions with GRM, and the pre-departure ALT one in Tokyo's queue that
nobody has taken yet.
"""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from .due import JAPAN, OfficeHours, closed_periods
from .models import CannedReply, Category, Message, OnCallShift, Status, SupportRequest, Urgency, Visit
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
    (
        # Nothing from the ALT for more than 5 days: on the staff worklist's "waiting on the ALT" line.
        "pension",
        Category.MUNICIPAL,
        Urgency.NORMAL,
        Status.WAITING_ON_ALT,
        8,
        "Pension exemption for my first year",
        "The city hall gave me a pension form. Can I apply for an exemption for my first year here?",
        [
            (
                "staff",
                False,
                "You may be able to. Could you send us a photo of the form, both sides, so that we can check "
                "which boxes apply to you?",
            )
        ],
    ),
]

# What the demo leaves unread ("New reply"): the bank's answer for each branch's ALT (on /support/ and the
# dashboard), the ALT's thanks for the city hall visit for staff (in the admin's list), GRM's answer for the
# applicant. Every other reply has been opened.
UNSEEN = {"bank": "alt", "city-hall": "staff", "coe": "alt"}

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
                # The new one waits with the ALT's MC, who answers first; the others were handed on to staff.
                assignee=people[f"mc.{code}"] if status == Status.NEW else staff,
                due_at=support_request_due_at(branch=branch, urgency=urgency, start=created),
                created=created,
                last_activity_at=created,
                resolved_at=now - timedelta(days=2) if status == Status.RESOLVED else None,
                submit_token=token,
            )
            _thread(support_request, thread, staff=staff, every=timedelta(hours=3), unseen=UNSEEN.get(slug))
    for email_key, slug, category, subject, details, thread in GRM_QUESTIONS:
        _seed_grm_question(people, email_key, slug, category, subject, details, thread, now)
    _seed_unassigned(people, now)
    for code in ("tokyo", "osaka"):
        _seed_rota(people, code, now)
        _seed_visit(people, code, now)


# (person, slug, category, subject, details, thread): questions asked before a branch was confirmed.
GRM_QUESTIONS = [
    (
        "alt.applicant",
        "coe",
        Category.VISA,
        "When will my certificate of eligibility arrive?",
        "I sent all my documents three weeks ago. How long does the certificate of eligibility usually take, "
        "and when should I book my visa appointment?",
        [("grm", False, "Immigration usually takes one to three months. We will email you the day it arrives.")],
    ),
    (
        "alt.predeparture",
        "flight",
        Category.FLIGHTS,
        "Which airport should I fly into?",
        "My branch is Tokyo. Should I book a flight to Narita or Haneda, and will someone meet me?",
        [],
    ),
]


def _seed_grm_question(people, email_key, slug, category, subject, details, thread, now) -> None:
    alt, grm = people[email_key], people["grm"]
    token = _token(alt, slug)
    if SupportRequest.objects.filter(submit_token=token).exists():
        return
    created = now - timedelta(days=2)
    support_request = SupportRequest.objects.create(
        reference=reference_next(year=timezone.localtime(created).year),
        alt=alt,
        branch=None,  # with GRM: asked before the branch was confirmed
        category=category,
        subject=subject,
        details=details,
        urgency=Urgency.NORMAL,
        status=Status.IN_PROGRESS if thread else Status.NEW,
        assignee=grm,
        due_at=support_request_due_at(branch=None, urgency=Urgency.NORMAL, start=created),
        created=created,
        last_activity_at=created,
        submit_token=token,
    )
    _thread(support_request, thread, staff=grm, every=timedelta(hours=4), unseen=UNSEEN.get(slug))


def _seed_unassigned(people, now) -> None:
    """A request in Tokyo's queue that nobody has taken yet (the staff worklist's "unassigned" line): the
    scheduler opened it for the pre-departure ALT after a phone call and left it for the queue."""
    alt, scheduler, tokyo = people["alt.predeparture"], people["staff.tokyo"], people["branches"]["tokyo"]
    token = _token(alt, "move-in")
    if SupportRequest.objects.filter(submit_token=token).exists():
        return
    created = now - timedelta(hours=20)
    SupportRequest.objects.create(
        reference=reference_next(year=timezone.localtime(created).year),
        alt=alt,
        branch=tokyo,
        category=Category.HOUSING,
        subject="Moving into my apartment the day I land",
        details="I land in the afternoon. Can I get the keys to my apartment the same day, and who has them?",
        urgency=Urgency.NORMAL,
        status=Status.NEW,
        assignee=None,
        opened_by=scheduler,
        due_at=support_request_due_at(branch=tokyo, urgency=Urgency.NORMAL, start=created),
        created=created,
        last_activity_at=created,
        submit_token=token,
    )


def _thread(support_request, thread, *, staff, every, unseen: str | None = None) -> None:
    """The messages of `thread` ((who, internal, text), who "alt" or staff), one every `every`; each side's
    replies opened by the other, but for `unseen` ("alt": the ALT has a new reply, "staff": staff have)."""
    when = support_request.created
    latest = {"alt": None, "staff": None}
    for who, internal, text in thread:
        when += every
        Message.objects.create(
            support_request=support_request,
            author=support_request.alt if who == "alt" else staff,
            body=text,
            is_internal=internal,
            from_staff=who != "alt",
            created=when,
        )
        if not internal:
            latest["alt" if who == "alt" else "staff"] = when
    SupportRequest.objects.filter(pk=support_request.pk).update(
        last_activity_at=when,
        last_staff_reply_at=latest["staff"],
        last_alt_reply_at=latest["alt"],
        alt_seen_up_to=None if unseen == "alt" else latest["staff"],
        staff_seen_up_to=None if unseen == "staff" else latest["alt"],
    )


# The rota's nth stretch out of office hours left open, so that the admin shows its gap warning.
ROTA_GAP = 7


def _seed_rota(people, code: str, now) -> None:
    """Nights, weekends and holidays of the next 14 days, the MC and the scheduler taking turns.

    Only whole stretches (from closing time) are added, and none that overlaps a shift already there:
    running it again, on any day, adds only the days that came into the window.
    """
    branch = people["branches"][code]
    takers = [people[f"mc.{code}"], people[f"staff.{code}"]]
    start = datetime.combine(timezone.localdate(now) - timedelta(days=1), time.min, tzinfo=JAPAN)
    periods = closed_periods(start, start + timedelta(days=15), OfficeHours.of(branch))
    for index, (begin, end) in enumerate(periods):
        if begin == start or end == start + timedelta(days=15) or index == ROTA_GAP:
            continue
        if OnCallShift.objects.filter(branch=branch, starts_at__lt=end, ends_at__gt=begin).exists():
            continue
        person = takers[index % 2]
        OnCallShift.objects.create(
            branch=branch, person=person, starts_at=begin, ends_at=end, phone=person.phone or branch.emergency_phone
        )


def _seed_visit(people, code: str, now) -> None:
    """The scheduler goes with the ALT to the bank, on the next weekday at 10:00."""
    alt, staff = people[f"alt.{code}"], people[f"staff.{code}"]
    support_request = SupportRequest.objects.filter(submit_token=_token(alt, "bank")).first()
    if support_request is None or support_request.visits.exists():
        return
    day = timezone.localdate(now) + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    starts_at = datetime.combine(day, time(10, 0), tzinfo=JAPAN)
    Visit.objects.create(
        support_request=support_request,
        branch=support_request.branch,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        meeting_point="In front of the bank by the station (north exit)",
        staff=staff,
        created_by=staff,
    )
