"""The daily e-learning emails. Each run is a fixed handful of queries however
many ALTs it covers (bulk inserts, one `notify_many`), and safe to run twice or
on two workers at once: the Notification key decides what is sent."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from contacts.models import User
from contacts.services import notify_many

from ..models import Enrolment, Stage, Task, TaskCompletion
from ..selectors import counted_completions_filter, current_course, due_date_for

INVITE_DAYS_BEFORE_DEPARTURE = 30
NUDGE_EVERY_DAYS = 3
COURSE_STAGES = (Stage.CONFIRMED, Stage.PRE_DEPARTURE)
# Keeps each statement well under SQLite's 999 parameters.
CHUNK = 900


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _placement_window(today, alt: str = ""):
    """ALTs at a course stage departing within 30 days (their profile's date); `alt`: the path to the ALT."""
    return Q(
        **{
            f"{alt}placement__stage__in": COURSE_STAGES,
            f"{alt}alt_profile__departure_date__gte": today,
            f"{alt}alt_profile__departure_date__lte": today + timedelta(days=INVITE_DAYS_BEFORE_DEPARTURE),
        }
    )


def elearning_invitations_send(*, today=None) -> int:
    """Enrol every CONFIRMED or PRE_DEPARTURE ALT departing within 30 days and invite them once.

    Returns the number of invitations written (a second run writes none).
    """
    today = today or timezone.localdate()
    course = current_course()
    if course is None:
        return 0
    now = timezone.now()
    with transaction.atomic():
        new_alt_ids = list(
            User.objects.filter(_placement_window(today))
            .exclude(enrolments__course=course)
            .values_list("pk", flat=True)
        )
        Enrolment.objects.bulk_create(
            [Enrolment(alt_id=alt_id, course=course, enrolled_at=now) for alt_id in new_alt_ids],
            ignore_conflicts=True,
            batch_size=1000,
        )
        waiting = Enrolment.objects.filter(_placement_window(today, "alt__"), course=course, invited_at__isnull=True)
        enrolments = list(waiting.select_related("alt").annotate(departure=F("alt__alt_profile__departure_date")))
        url = reverse("onboarding:index")
        notify_many(
            items=[
                {
                    "kind": "onboarding.elearning_invitation",
                    "key": f"onboarding.elearning_invitation:{e.alt_id}:{course.pk}",
                    "template": "onboarding/email/elearning_invitation",
                    "context": {
                        "alt": e.alt,
                        "course": course,
                        "due_date": due_date_for(e.departure),
                        "url": url,
                    },
                    "recipient": e.alt,
                }
                for e in enrolments
            ]
        )
        # Same filter, one statement: rows another worker enrolled meanwhile are
        # invited by that worker under the same keys.
        waiting.update(invited_at=now)
    return len(enrolments)


def _is_behind(*, done: int, total: int, enrolled_on, due_on, today) -> bool:
    """Behind when the share of tasks done is below the share of the time gone by."""
    if total == 0 or done >= total:
        return False
    if due_on is None or today >= due_on or due_on <= enrolled_on:
        return True
    elapsed = (today - enrolled_on).days
    span = (due_on - enrolled_on).days
    return done * span < total * elapsed


def _done_counts(course) -> dict:
    """{enrolment id: tasks done that count} for every enrolment of `course`, in one query."""
    return dict(
        TaskCompletion.objects.filter(
            counted_completions_filter(),
            enrolment__course=course,
            task__module__course=course,
        )
        .values_list("enrolment")
        .annotate(n=Count("pk"))
        .order_by()
    )


def elearning_nudges_send(*, today=None) -> int:
    """Remind ALTs who are behind schedule: at most once every 3 days, never on or after departure.

    Returns the number of reminders written.
    """
    today = today or timezone.localdate()
    course = current_course()
    if course is None:
        return 0
    now = timezone.now()
    # Nudged on day D, next at the earliest on D + 3, whatever the hour of the run.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=NUDGE_EVERY_DAYS - 1), time.min))
    with transaction.atomic():
        candidates = list(
            Enrolment.objects.filter(
                course=course,
                # Not `completed_at`: a task added or revised since makes a finished ALT behind again.
                invited_at__isnull=False,
                alt__placement__stage__in=COURSE_STAGES,
                alt__alt_profile__departure_date__gt=today,
            )
            .filter(Q(last_nudged_at__isnull=True) | Q(last_nudged_at__lt=cutoff))
            .select_related("alt")
            .annotate(departure=F("alt__alt_profile__departure_date"))
        )
        # Two grouped counts rather than a subquery per enrolment: the run stays
        # a fixed handful of queries, and cheap, for ten thousand ALTs.
        total = Task.objects.filter(module__course=course, is_active=True, module__is_active=True).count()
        done = _done_counts(course)
        behind = []
        for e in candidates:
            e.tasks_done, e.tasks_total = done.get(e.pk, 0), total
            if _is_behind(
                done=e.tasks_done,
                total=total,
                enrolled_on=timezone.localtime(e.enrolled_at).date(),
                due_on=due_date_for(e.departure),
                today=today,
            ):
                behind.append(e)
        url = reverse("onboarding:index")
        notify_many(
            items=[
                {
                    "kind": "onboarding.elearning_nudge",
                    "key": f"onboarding.elearning_nudge:{e.pk}:{today.isoformat()}",
                    "template": "onboarding/email/elearning_nudge",
                    "context": {
                        "alt": e.alt,
                        "course": course,
                        "done": e.tasks_done,
                        "total": e.tasks_total,
                        "due_date": due_date_for(e.departure),
                        "url": url,
                    },
                    "recipient": e.alt,
                }
                for e in behind
            ]
        )
        for chunk in _chunks([e.pk for e in behind]):
            Enrolment.objects.filter(pk__in=chunk).update(last_nudged_at=now)
    return len(behind)
