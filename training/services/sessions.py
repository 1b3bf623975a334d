"""Sessions: publish (invite), move, cancel, and tell those on the list."""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from contacts.models import AltProfile, Notification
from contacts.services import notify_many

from ..models import Registration, TrainingSession
from ..selectors import (
    REMINDER_MARKERS,
    profiles_for_session_q,
)
from ._common import Status, TrainingError, _email, _held_places, _lock_session, _promote_waitlist


def capacity_problem(*, session_id: int, capacity: int) -> str | None:
    """Why `capacity` is too small for the session (fewer places than ALTs holding one), or None.

    Call inside a transaction: the session row stays locked until it ends, so no
    ALT registers between this check and the save (registration locks it too).
    """
    session = _lock_session(session_id)
    held = _held_places(session)
    if capacity >= held:
        return None
    return ngettext(
        "%(held)d ALT holds a place at this session: the capacity cannot be lower. Give their place to "
        "someone else, or mark them excused, first.",
        "%(held)d ALTs hold a place at this session: the capacity cannot be lower than that. Move some of "
        "them to another session, or mark them excused, first.",
        held,
    ) % {"held": held}


@transaction.atomic
def training_session_save(*, session: TrainingSession, now=None) -> TrainingSession:
    """Create or change a session, then do what follows from the change.

    A required session invites every ALT it applies to who is not on its list
    yet, while registration is open. Moving it (a new start or end, place or
    online link), cancelling it or reinstating a cancelled one emails those
    registered and on the waiting list, once per change; a save that changes
    none of these emails nobody. More capacity lets the waiting list in.
    """
    now = now or timezone.now()
    previous = None
    if session.pk:
        previous = TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    announce = None
    if previous is not None and session.capacity < previous.capacity:
        problem = capacity_problem(session_id=session.pk, capacity=session.capacity)
        if problem is not None:
            raise TrainingError(problem)
    if previous is not None:
        # Counted from the locked row: the form's copy may be older than another change.
        session.announced_changes = previous.announced_changes
        if session.is_cancelled and not previous.is_cancelled:
            announce = partial(_announce, change="cancelled")
        elif previous.is_cancelled and not session.is_cancelled:
            announce = partial(_announce, change="reinstated")
        elif not session.is_cancelled and (changed := _changes_seen_by_alts(previous, session)):
            announce = partial(_announce, change="moved", previous=previous, **changed)
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


def _changes_seen_by_alts(previous: TrainingSession, session: TrainingSession) -> dict[str, bool]:
    """What changed of when and where the session is, as flags for the "moved" email; {} for nothing."""
    changed = {
        "time_changed": (session.start, session.end) != (previous.start, previous.end),
        "place_changed": session.place != previous.place,
        "link_changed": session.online_link != previous.online_link,
    }
    return changed if any(changed.values()) else {}


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


def sessions_invite_newly_eligible(*, now=None) -> int:
    """Daily: invite to each required session still open the ALTs it applies to who were not there when it
    was published (arrived since, moved to the branch). Each session in its own transaction; returns the count."""
    now = now or timezone.now()
    open_required = (
        TrainingSession.objects.filter(required=True, status=TrainingSession.Status.SCHEDULED, start__gt=now)
        .exclude(registration_deadline__lte=now)
        .order_by("start")
        .values_list("pk", flat=True)
    )
    return sum(training_session_invite(session_id=pk, now=now) for pk in open_required)


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
    """Reminders written for the session as it was but not sent yet must not go out.

    Their registrations are reminded again by the next run, with the session as
    it is then (a new place keeps the start, so the sent-for marker must go).
    """
    pending = Notification.objects.filter(
        kind="training.reminder",
        key__startswith=f"training.reminder:{session.pk}:",
        status=Notification.Status.PENDING,
    )
    keys = list(pending.values_list("key", flat=True))
    if not keys:
        return
    pending.filter(key__in=keys).delete()
    # The key is training.reminder:<session>:<alt>:<reminder>:<start>.
    alts: dict[str, set[int]] = {}
    for key in keys:
        _kind, _session, alt_id, name, *_start = key.split(":")
        alts.setdefault(name, set()).add(int(alt_id))
    for name, alt_ids in alts.items():
        Registration.objects.filter(session=session, alt_id__in=alt_ids).update(**{REMINDER_MARKERS[name]: None})


def _announce(session: TrainingSession, *, change: str, **context) -> None:
    """Email everyone on the session's list (registered and waiting) about one change, once per change.

    `change` is "moved" (a new time, place or online link: the context says
    which, with the `previous` session), "cancelled" or "reinstated" (the
    template's name); the outbox key counts the session's announced changes,
    so a change back to an earlier state is announced again.
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
