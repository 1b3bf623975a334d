"""Attendance: the trainer's roll."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import User
from contacts.services import notify_many

from ..models import Registration
from ._common import Status, TrainingError, _email, _lock_session, _move_up_waitlist, _promote_waitlist


@transaction.atomic
def attendance_record(*, session_id: int, marks: dict[int, str], by: User, now=None) -> int:
    """Record attended / absent / excused for the session's list in one go. Returns rows changed.

    Rows not in `marks` stay as they are. Absent waits for the start (before it
    the person may still come). An absence from a required session tells the
    ALT's MC, once per registration however often it is marked. A
    place given up before the start (excused: absent still holds its place,
    see `Registration.HOLDS_PLACE`) goes to the first on the waiting list, as
    a withdrawal's does.
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
    newly_absent, left_waitlist_at, freed = [], [], False
    for registration in registrations:
        status = marks[registration.pk]
        if status not in Registration.ATTENDANCE:
            raise TrainingError(_("Choose attended, absent or excused."))
        if status == registration.status:
            continue
        if status == Status.ABSENT and not session.has_started(now):
            # The MC would hear of an absence that is not one.
            raise TrainingError(
                _(
                    "Absent can be marked once the session has started. Until then leave the row as it is, "
                    "or choose excused for someone who told you they cannot come."
                )
            )
        by_status.setdefault(status, []).append(registration.pk)
        if registration.waitlist_position is not None:
            left_waitlist_at.append(registration.waitlist_position)
        if status == Status.ABSENT:
            newly_absent.append(registration)
        freed |= registration.status in Registration.HOLDS_PLACE and status not in Registration.HOLDS_PLACE
    for status, ids in by_status.items():
        Registration.objects.filter(pk__in=ids).update(
            status=status, waitlist_position=None, marked_by=by, status_changed_at=now
        )
    # From the back, so that each position is still the one read above.
    for position in sorted(left_waitlist_at, reverse=True):
        _move_up_waitlist(session, behind=position)
    if freed:
        # Attendance opens while registration may still be open: the waiting list comes
        # before a newcomer. Once the session has begun, nobody is promoted (see there).
        _promote_waitlist(session, now=now)
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
