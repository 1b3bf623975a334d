"""Every state change of the training app.

Registration, withdrawal and the waiting list lock the session row
(`select_for_update`) so that, on PostgreSQL, concurrent sign-ups are
serialised per session and never exceed its capacity. Emails go through the
contacts outbox: `notify_many` for fan-out (a fixed number of queries however
many ALTs), with unique keys so that a repeat changes nothing.
"""

from datetime import UTC
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import AltProfile, Notification, User
from contacts.services import notify_many

from .models import CalendarFeed, Registration, TrainingSession
from .selectors import (
    REMINDER_MARKERS,
    REMINDERS,
    profiles_for_session_q,
    registrations_due_a_reminder,
    sessions_for_profile_q,
)

Status = Registration.Status

# Rows per UPDATE when marking reminders sent: a bounded statement size.
MARK_CHUNK = 10_000


class TrainingError(Exception):
    """A request the rules refuse (deadline passed, session cancelled...). The message is for the ALT."""


def _lock_session(session_id: int) -> TrainingSession:
    try:
        return TrainingSession.objects.select_for_update().get(pk=session_id)
    except TrainingSession.DoesNotExist:
        raise TrainingError(_("This session does not exist.")) from None


def _held_places(session: TrainingSession) -> int:
    return Registration.objects.filter(session=session, status__in=Registration.HOLDS_PLACE).count()


def _next_waitlist_position(session: TrainingSession) -> int:
    last = Registration.objects.filter(session=session).aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


def _move_up_waitlist(session: TrainingSession, *, behind: int, places: int = 1) -> None:
    """Close the gap `places` people left on the waiting list at or before position `behind`.

    The caller holds the session lock, so positions stay 1, 2, 3... in order.
    """
    Registration.objects.filter(session=session, status=Status.WAITLISTED, waitlist_position__gt=behind).update(
        waitlist_position=F("waitlist_position") - places
    )


def _start_key(session: TrainingSession) -> str:
    return session.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _email(*, kind: str, key: str, template: str, recipient: User, context: dict) -> dict:
    return {
        "kind": kind,
        "key": key,
        "template": f"training/email/{template}",
        "recipient": recipient,
        "context": context,
    }


# --- registration, withdrawal, the waiting list ------------------------------------------


@transaction.atomic
def registration_create(*, profile: AltProfile, session_id: int, now=None) -> Registration:
    """Register `profile`'s ALT for the session, or put them on its waiting list when it is full.

    Refused after the deadline, for a cancelled session, or for a session that
    does not apply to them. Registering twice returns the first registration.
    """
    now = now or timezone.now()
    # The rule of who may attend is the selector's query, checked on the row being locked.
    session = TrainingSession.objects.select_for_update().filter(sessions_for_profile_q(profile), pk=session_id).first()
    if session is None:
        raise TrainingError(_("This session is not open to you."))
    alt_id = profile.user_id
    if session.is_cancelled:
        raise TrainingError(_("This session has been cancelled."))
    if not session.is_open(now):
        raise TrainingError(_("Registration for this session has closed."))
    registration = Registration.objects.filter(session=session, alt_id=alt_id).first()
    if registration is not None and registration.status in (Status.REGISTERED, Status.WAITLISTED):
        if registration.invited and registration.answered_at is None:
            registration.answered_at = now
            registration.save(update_fields=["answered_at"])
        return registration
    if registration is not None and registration.status in (Status.ATTENDED, Status.ABSENT):
        raise TrainingError(_("Attendance has already been taken for this session."))
    if registration is None:
        registration = Registration(session=session, alt_id=alt_id)
    if _held_places(session) < session.capacity:
        registration.status = Status.REGISTERED
        registration.waitlist_position = None
        registration.waitlisted_at = None
    else:
        registration.status = Status.WAITLISTED
        registration.waitlist_position = _next_waitlist_position(session)
        registration.waitlisted_at = now
    registration.answered_at = now if registration.invited else None
    registration.note = ""
    registration.status_changed_at = now
    registration.save()
    return registration


@transaction.atomic
def registration_withdraw(*, alt: User, session_id: int, reason: str = "", now=None) -> None:
    """Give up a place (or a place on the waiting list) before the deadline.

    A required session's invitation is declined rather than deleted: the row
    stays, EXCUSED with the reason, so the record shows it. A freed place goes
    to the first on the waiting list, who gets an email.
    """
    now = now or timezone.now()
    session = _lock_session(session_id)
    registration = Registration.objects.filter(session=session, alt=alt).first()
    if registration is None or registration.status not in (Status.REGISTERED, Status.WAITLISTED):
        raise TrainingError(_("You are not registered for this session."))
    if not session.is_open(now):
        raise TrainingError(_("The deadline has passed: please contact your trainer."))
    freed = registration.status == Status.REGISTERED
    left_waitlist_at = registration.waitlist_position
    if registration.invited:
        if session.required and not reason.strip():
            raise TrainingError(_("Please tell your trainer why you cannot attend this required session."))
        registration.status = Status.EXCUSED
        registration.waitlist_position = None
        registration.waitlisted_at = None
        registration.answered_at = now
        registration.note = reason.strip()[:500]
        registration.status_changed_at = now
        registration.save()
    else:
        registration.delete()
    if left_waitlist_at is not None:
        _move_up_waitlist(session, behind=left_waitlist_at)
    if freed:
        _promote_waitlist(session, now=now)


@transaction.atomic
def registration_confirm(*, alt: User, session_id: int, now=None) -> Registration:
    """Answer a required session's invitation with "I will attend"."""
    now = now or timezone.now()
    session = _lock_session(session_id)
    registration = Registration.objects.filter(session=session, alt=alt).first()
    if registration is None or registration.status not in (Status.REGISTERED, Status.WAITLISTED):
        raise TrainingError(_("You are not registered for this session."))
    if session.is_cancelled:
        raise TrainingError(_("This session has been cancelled."))
    if not session.is_open(now):
        raise TrainingError(_("The deadline has passed: please contact your trainer."))
    if registration.answered_at is None:
        registration.answered_at = now
        registration.save(update_fields=["answered_at"])
    return registration


def _promote_waitlist(session: TrainingSession, *, now) -> list[Registration]:
    """Give free places to the first on the waiting list, in order; the caller holds the session lock."""
    if session.is_cancelled or session.start <= now:
        return []
    free = session.capacity - _held_places(session)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(session=session, status=Status.WAITLISTED)
        .select_related("alt")
        .order_by("waitlist_position", "pk")[:free]
    )
    if not promoted:
        return []
    # Once per stay on the waiting list: a row waitlisted again later may be promoted again.
    keys = {r.pk: f"training.promoted:{r.pk}:{(r.waitlisted_at or r.created):%Y%m%dT%H%M%S%f}" for r in promoted}
    Registration.objects.filter(pk__in=[r.pk for r in promoted]).update(
        status=Status.REGISTERED, waitlist_position=None, status_changed_at=now
    )
    # The first on the list were promoted: everyone behind them moves up as many places.
    _move_up_waitlist(session, behind=max(r.waitlist_position for r in promoted), places=len(promoted))
    notify_many(
        items=[
            _email(
                kind="training.promoted",
                key=keys[r.pk],
                template="promoted",
                recipient=r.alt,
                context={"session": session},
            )
            for r in promoted
        ]
    )
    for registration in promoted:
        registration.status = Status.REGISTERED
        registration.waitlist_position = None
    return promoted


# --- sessions: publish (invite), move, cancel ---------------------------------------------


@transaction.atomic
def training_session_save(*, session: TrainingSession, now=None) -> TrainingSession:
    """Create or change a session, then do what follows from the change.

    A required session invites every ALT it applies to who is not on its list
    yet, while registration is open. Moving it (a new start), cancelling it or
    reinstating a cancelled one emails those registered and on the waiting
    list, once per change. More capacity lets the waiting list in.
    """
    now = now or timezone.now()
    previous = None
    if session.pk:
        previous = TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    announce = None
    if previous is not None:
        # Counted from the locked row: the form's copy may be older than another change.
        session.announced_changes = previous.announced_changes
        if session.is_cancelled and not previous.is_cancelled:
            announce = partial(_announce, change="cancelled")
        elif previous.is_cancelled and not session.is_cancelled:
            announce = partial(_announce, change="reinstated")
        elif not session.is_cancelled and session.start != previous.start:
            announce = partial(_announce, change="moved", previous_start=previous.start)
        if announce is not None:
            session.announced_changes += 1
    session.save()
    if announce is not None:
        announce(session)
    if not session.is_cancelled:
        _promote_waitlist(session, now=now)
        if session.required:
            _invite(session, now=now)
    return session


@transaction.atomic
def training_session_cancel(*, session_id: int) -> bool:
    """Cancel a session and email everyone on its list once. Returns False if it already was."""
    session = _lock_session(session_id)
    if session.is_cancelled:
        return False
    session.status = TrainingSession.Status.CANCELLED
    session.announced_changes += 1
    session.save()
    _announce(session, change="cancelled")
    return True


@transaction.atomic
def training_session_invite(*, session_id: int, now=None) -> int:
    """Invite the ALTs a required session applies to and who are not on its list yet. Returns the count."""
    session = _lock_session(session_id)
    if not session.required or session.is_cancelled:
        return 0
    return _invite(session, now=now or timezone.now())


def _invite(session: TrainingSession, *, now) -> int:
    """Invite in a fixed number of queries: places while they last, then the waiting list."""
    if not session.is_open(now):
        # Nobody could answer, register or withdraw any more.
        return 0
    on_list = list(Registration.objects.filter(session=session).values_list("alt_id", "status", "waitlist_position"))
    profiles = list(
        AltProfile.objects.filter(profiles_for_session_q(session))
        .exclude(user_id__in=[alt_id for alt_id, _status, _position in on_list])
        .select_related("user")
        .order_by("arrival_date", "user_id")
    )
    if not profiles:
        return 0
    free = max(session.capacity - sum(status in Registration.HOLDS_PLACE for _alt, status, _pos in on_list), 0)
    position = max((pos or 0 for _alt, _status, pos in on_list), default=0) + 1
    rows = []
    for profile in profiles:
        row = Registration(session=session, alt=profile.user, invited=True, created=now, status_changed_at=now)
        if free > 0:
            row.status = Status.REGISTERED
            free -= 1
        else:
            row.status = Status.WAITLISTED
            row.waitlist_position = position
            row.waitlisted_at = now
            position += 1
        rows.append(row)
    Registration.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    notify_many(
        items=[
            _email(
                kind="training.invited",
                key=f"training.invited:{session.pk}:{row.alt_id}",
                template="invited",
                recipient=row.alt,
                context={"session": session, "waitlisted": row.status == Status.WAITLISTED},
            )
            for row in rows
        ]
    )
    return len(rows)


def _people_on_list(session: TrainingSession) -> list[Registration]:
    return list(
        Registration.objects.filter(session=session, status__in=[Status.REGISTERED, Status.WAITLISTED]).select_related(
            "alt"
        )
    )


def _drop_pending_reminders(session: TrainingSession) -> None:
    # Reminders written for the old time but not sent yet must not go out.
    Notification.objects.filter(
        kind="training.reminder",
        key__startswith=f"training.reminder:{session.pk}:",
        status=Notification.Status.PENDING,
    ).delete()


def _announce(session: TrainingSession, *, change: str, **context) -> None:
    """Email everyone on the session's list (registered and waiting) about one change, once per change.

    `change` is "moved", "cancelled" or "reinstated" (the template's name);
    the outbox key counts the session's announced changes, so a change back
    to an earlier state is announced again.
    """
    if change != "reinstated":
        _drop_pending_reminders(session)
    notify_many(
        items=[
            _email(
                kind=f"training.{change}",
                key=f"training.{change}:{session.pk}:{r.alt_id}:{session.announced_changes}",
                template=change,
                recipient=r.alt,
                context={"session": session, "waitlisted": r.is_waitlisted, **context},
            )
            for r in _people_on_list(session)
        ]
    )


# --- attendance ------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, session_id: int, marks: dict[int, str], by: User, now=None) -> int:
    """Record attended / absent / excused for the session's list in one go. Returns rows changed.

    Rows not in `marks` stay as they are. An absence from a required session
    tells the ALT's MC, once per registration however often it is marked.
    """
    now = now or timezone.now()
    session = _lock_session(session_id)
    if not session.attendance_open(now):
        raise TrainingError(_("Attendance opens 24 hours before the start."))
    registrations = list(
        Registration.objects.filter(session=session, pk__in=list(marks)).select_related(
            "alt", "alt__alt_profile__managing_consultant"
        )
    )
    by_status: dict[str, list[int]] = {}
    newly_absent, left_waitlist_at = [], []
    for registration in registrations:
        status = marks[registration.pk]
        if status not in Registration.ATTENDANCE:
            raise TrainingError(_("Choose attended, absent or excused."))
        if status == registration.status:
            continue
        by_status.setdefault(status, []).append(registration.pk)
        if registration.waitlist_position is not None:
            left_waitlist_at.append(registration.waitlist_position)
        if status == Status.ABSENT:
            newly_absent.append(registration)
    for status, ids in by_status.items():
        Registration.objects.filter(pk__in=ids).update(
            status=status, waitlist_position=None, marked_by=by, status_changed_at=now
        )
    # From the back, so that each position is still the one read above.
    for position in sorted(left_waitlist_at, reverse=True):
        _move_up_waitlist(session, behind=position)
    if session.required:
        items = []
        for registration in newly_absent:
            profile = getattr(registration.alt, "alt_profile", None)
            mc = profile.managing_consultant if profile else None
            if mc is None or not mc.is_active:
                continue
            items.append(
                _email(
                    kind="training.absent",
                    key=f"training.absent:{registration.pk}",
                    template="absent",
                    recipient=mc,
                    context={"session": session, "alt": registration.alt},
                )
            )
        notify_many(items=items)
    return sum(len(ids) for ids in by_status.values())


# --- reminders -------------------------------------------------------------------------


def _session_details(session: TrainingSession, language: str) -> str:
    with translation.override(language):
        return get_template("training/email/_session.txt", using="text").render({"session": session})


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
                        "tomorrow": name == "1d",
                    },
                )
            )
        notify_many(items=items)
        start = Subquery(TrainingSession.objects.filter(pk=OuterRef("session_id")).values("start")[:1])
        for name, ids in marked.items():
            for i in range(0, len(ids), MARK_CHUNK):
                Registration.objects.filter(pk__in=ids[i : i + MARK_CHUNK]).update(**{REMINDER_MARKERS[name]: start})
    return len(items)


# --- the calendar feed -------------------------------------------------------------------


def calendar_feed_for_alt(*, alt: User) -> CalendarFeed:
    """The ALT's feed token, created on first use (one insert that a concurrent twin cannot duplicate)."""
    feed = CalendarFeed.objects.filter(alt=alt).first()
    if feed is None:
        CalendarFeed.objects.bulk_create([CalendarFeed(alt=alt, token=CalendarFeed.new_token())], ignore_conflicts=True)
        feed = CalendarFeed.objects.get(alt=alt)
    return feed


@transaction.atomic
def calendar_feed_reset(*, alt: User) -> CalendarFeed:
    """Give the ALT a new feed link; the old one answers 404 from now on."""
    feed = calendar_feed_for_alt(alt=alt)
    feed.token = CalendarFeed.new_token()
    feed.created = timezone.now()
    feed.save(update_fields=["token", "created"])
    return feed
