"""Checking in with the session's QR code: what an ALT does at the door."""

from django.db import transaction
from django.utils import timezone

from contacts.models import User

from ..checkin import checkin_problem
from ..models import Registration
from ._common import Status, TrainingError, _lock_session


@transaction.atomic
def registration_check_in(*, alt: User, session_id: int, now=None) -> Registration:
    """Mark the ALT attended at the session they scanned the code of.

    Only within the check-in window (30 minutes before the start until the
    end) and only with a place at the session; anything else is refused with
    the reason and nothing changes. Checking in twice changes nothing. An ALT
    marked absent who arrives late is marked attended.
    """
    now = now or timezone.now()
    session = _lock_session(session_id)
    registration = Registration.objects.filter(session=session, alt=alt).first()
    problem = checkin_problem(session=session, registration=registration, now=now)
    if problem is not None:
        raise TrainingError(problem)
    if registration.status != Status.ATTENDED:
        registration.status = Status.ATTENDED
        registration.checked_in_at = now
        registration.marked_by = alt
        registration.status_changed_at = now
        registration.save(update_fields=["status", "checked_in_at", "marked_by", "status_changed_at"])
    return registration
