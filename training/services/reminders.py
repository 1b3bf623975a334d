"""The 7-day and 1-day reminders."""

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from contacts.services import notify_many

from ..models import Registration, TrainingSession
from ..selectors import (
    REMINDER_MARKERS,
    REMINDERS,
    registrations_due_a_reminder,
)
from ._common import _email, _start_key

# Rows per UPDATE when marking reminders sent: a bounded statement size.
MARK_CHUNK = 10_000


def _session_details(session: TrainingSession, language: str) -> str:
    with translation.override(language):
        return get_template("training/email/_session.txt", using="text").render({"session": session})


def _reminder_day(name: str, *, session: TrainingSession, now) -> str:
    """The 1-day reminder's day, "today" or "tomorrow" by the dates in Japan; "week" for the 7-day one."""
    if name != "1d":
        return "week"
    return "today" if timezone.localdate(session.start) == timezone.localdate(now) else "tomorrow"


def session_reminders_send(*, now=None) -> int:
    """Email the 7-day and 1-day reminders that are due; safe to run twice or on two workers.

    One query finds the registrations due (see the selector) and locks their
    sessions, the row every change of a registration or a session locks too:
    sessions another worker is handling, or that are being moved or cancelled,
    are skipped (SKIP LOCKED) until the next run, so the start a reminder is
    sent and marked for stays the session's start until this transaction
    commits. Only the sessions are locked: a worker holding a session sees all
    its registrations, whereas locking registrations too would let two workers
    each hold a part of the other's session and both skip it. The outbox's unique key
    (session, ALT, reminder, start) makes a repeat write nothing, and a moved
    session is reminded again for its new time. A fixed number of queries per
    run, plus one per 1,000 emails.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registrations = list(registrations_due_a_reminder(now=now).select_for_update(skip_locked=True, of=("session",)))
        items, marked, details = [], {name: [] for name in REMINDERS}, {}
        url = settings.SITE_URL + reverse("training:index")
        for registration in registrations:
            session, alt = registration.session, registration.alt
            name = "1d" if session.start <= now + REMINDERS["1d"][0] else "7d"
            if getattr(registration, REMINDER_MARKERS[name]) == session.start:
                continue
            marked[name].append(registration.pk)
            # The session's lines are the same for everyone of a language: render them once.
            language = alt.preferred_language
            if (session.pk, language) not in details:
                details[session.pk, language] = _session_details(session, language)
            items.append(
                _email(
                    kind="training.reminder",
                    key=f"training.reminder:{session.pk}:{alt.pk}:{name}:{_start_key(session)}",
                    template="reminder",
                    recipient=alt,
                    context={
                        "session": session,
                        "details": details[session.pk, language],
                        "url": f"{url}#session-{session.pk}",
                        "when": _reminder_day(name, session=session, now=now),
                    },
                )
            )
        notify_many(items=items)
        start = Subquery(TrainingSession.objects.filter(pk=OuterRef("session_id")).values("start")[:1])
        for name, ids in marked.items():
            for i in range(0, len(ids), MARK_CHUNK):
                Registration.objects.filter(pk__in=ids[i : i + MARK_CHUNK]).update(**{REMINDER_MARKERS[name]: start})
    return len(items)
