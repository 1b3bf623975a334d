"""Reads of the on-call rota: who is on call, who comes next, where the rota has gaps."""

from datetime import datetime

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404

from contacts.models import Branch, StaffRole, User

from ..due import OfficeHours, closed_periods
from ..models import OPEN_STATUSES, OnCallShift, UrgentAlert

# The signed acknowledgement link of a call-out email: who it was sent to, which call-out.
ACK_SALT = "support.urgent-alert.ack"
ACK_MAX_AGE = 7 * 24 * 3600


def on_call_shift_at(*, branch_id: int, at: datetime) -> OnCallShift | None:
    """The shift of `branch_id` that covers `at`, with its person; None in a gap of the rota."""
    return (
        OnCallShift.objects.filter(branch_id=branch_id, starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("starts_at")
        .first()
    )


def on_call_next_person(*, branch_id: int, after: datetime, besides: int | None) -> User | None:
    """The person of the next shift of the rota that starts after `after`, other than `besides`."""
    shifts = OnCallShift.objects.filter(branch_id=branch_id, starts_at__gt=after, person__is_active=True)
    if besides is not None:
        shifts = shifts.exclude(person_id=besides)
    shift = shifts.select_related("person").order_by("starts_at").first()
    return shift.person if shift else None


def sesps_people() -> list[User]:
    """Active SESPS trainers: the national escalation point for urgent requests."""
    roles = StaffRole.objects.filter(role=StaffRole.Role.SESPS, user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=roles).order_by("pk"))


def on_call_overlapping(*, branch_id: int, starts_at: datetime, ends_at: datetime, exclude_pk=None) -> QuerySet:
    """Shifts of the branch that overlap [starts_at, ends_at)."""
    shifts = OnCallShift.objects.filter(branch_id=branch_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk is not None:
        shifts = shifts.exclude(pk=exclude_pk)
    return shifts


def on_call_candidates(*, branch_ids=None) -> QuerySet:
    """Who may be put on call: active MCs and schedulers (they see the branch's whole queue) of `branch_ids`
    (None: every branch)."""
    roles = StaffRole.objects.filter(role__in=[StaffRole.Role.MC, StaffRole.Role.SCHEDULER], user__is_active=True)
    if branch_ids is not None:
        roles = roles.filter(branch_id__in=branch_ids)
    return User.objects.filter(pk__in=roles.values("user_id")).order_by("first_name", "last_name", "email")


def rota_gaps(*, branch_ids, start: datetime, end: datetime) -> list[tuple[Branch, list[tuple[datetime, datetime]]]]:
    """For each branch, the stretches outside office hours between `start` and `end` that no shift covers.

    Two queries whatever the number of shifts.
    """
    branches = list(Branch.objects.filter(pk__in=branch_ids).order_by("name_en"))
    shifts: dict[int, list[tuple[datetime, datetime]]] = {}
    for branch_id, starts_at, ends_at in (
        OnCallShift.objects.filter(branch_id__in=branch_ids, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .values_list("branch_id", "starts_at", "ends_at")
    ):
        shifts.setdefault(branch_id, []).append((starts_at, ends_at))
    result = []
    for branch in branches:
        gaps = []
        for begin, finish in closed_periods(start, end, OfficeHours.of(branch)):
            gaps.extend(_uncovered(begin, finish, shifts.get(branch.pk, [])))
        if gaps:
            result.append((branch, gaps))
    return result


def _uncovered(begin: datetime, finish: datetime, shifts: list[tuple[datetime, datetime]]):
    cursor = begin
    for starts_at, ends_at in shifts:
        if ends_at <= cursor or starts_at >= finish:
            continue
        if starts_at > cursor:
            yield (cursor, starts_at)
        cursor = max(cursor, ends_at)
        if cursor >= finish:
            return
    if cursor < finish:
        yield (cursor, finish)


def urgent_alert_ack_token(*, alert: UrgentAlert, user: User) -> str:
    return signing.dumps({"a": alert.pk, "u": user.pk}, salt=ACK_SALT, compress=True)


def urgent_alert_from_token(*, token: str) -> tuple[UrgentAlert, User]:
    """The call-out and the person a signed acknowledgement link was sent to; 404 for a bad or old link."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_MAX_AGE)
        alert_id, user_id = int(data["a"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such link") from None
    alert = (
        UrgentAlert.objects.select_related("support_request", "acknowledged_by", "branch").filter(pk=alert_id).first()
    )
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if alert is None or user is None:
        raise Http404("No such link")
    return alert, user


def urgent_alerts_waiting(*, older_than: datetime) -> QuerySet:
    """Call-outs nobody acknowledged, not yet escalated, sent before `older_than`, of requests still open."""
    return UrgentAlert.objects.filter(
        Q(acknowledged_at__isnull=True, escalated_at__isnull=True, created__lte=older_than),
        support_request__status__in=OPEN_STATUSES,
    ).order_by("created")
