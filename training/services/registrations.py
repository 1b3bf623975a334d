"""Registration, withdrawal and answering an invitation: what an ALT does."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import AltProfile, User
from contacts.services import notify_many

from ..models import Registration, TrainingSession
from ..selectors import (
    sessions_for_profile_q,
)
from ._common import (
    Status,
    TrainingError,
    _email,
    _held_places,
    _lock_session,
    _move_up_waitlist,
    _next_waitlist_position,
    _promote_waitlist,
)


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
    return _take_place(session, registration or Registration(session=session, alt_id=alt_id), now)


@transaction.atomic
def registration_create_by_staff(*, session_id: int, alt: User, by: User, now=None) -> Registration:
    """Staff register an ALT at any session, whatever the ALT is offered (another track, branch, or
    arrival window; after the deadline): a place while one is free, else the waiting list.

    Refused for a cancelled or finished session and for anyone but an active
    ALT. An ALT already on the list keeps their registration.
    """
    now = now or timezone.now()
    session = _lock_session(session_id)
    if session.is_cancelled:
        raise TrainingError(_("This session has been cancelled."))
    if session.end <= now:
        raise TrainingError(_("This session is over."))
    if not AltProfile.objects.filter(user_id=alt.pk, user__is_active=True).exists():
        raise TrainingError(_("Only active ALTs can be registered."))
    registration = Registration.objects.filter(session=session, alt_id=alt.pk).first()
    if registration is not None and registration.status != Status.EXCUSED:
        return registration
    registration = _take_place(session, registration or Registration(session=session, alt_id=alt.pk), now)
    notify_many(
        items=[
            _email(
                kind="training.registered_by_staff",
                key=f"training.registered_by_staff:{registration.pk}:{now:%Y%m%dT%H%M%S%f}",
                template="registered_by_staff",
                recipient=alt,
                context={"session": session, "by": by, "waitlisted": registration.is_waitlisted},
            )
        ]
    )
    return registration


def _take_place(session: TrainingSession, registration: Registration, now) -> Registration:
    """A place at the locked session if one is free, else the end of its waiting list."""
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
