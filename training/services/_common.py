"""What the training services share: the session lock, places, the waiting list, emails."""

from datetime import UTC

from django.db.models import F, Max
from django.utils.translation import gettext as _

from contacts.models import User
from contacts.services import notify_many

from ..models import Registration, TrainingSession

Status = Registration.Status


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
