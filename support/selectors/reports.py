"""The monthly support report: requests by category, response and resolution times in office hours,
answers within the due time, open requests by age. Per branch (or GRM's desk) and month."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch, StaffRole, User
from contacts.selectors import branch_scope_for_user

from ..due import JAPAN, OfficeHours, office_time_between
from ..models import (
    APPLICANT_CATEGORIES,
    BRANCH_CATEGORIES,
    OPEN_STATUSES,
    REPORT_PERMISSION,
    Category,
    Message,
    SupportRequest,
)
from .requests import QUEUE_ROLES

GRM_DESK = "grm"
ALL_DESKS = "all"

# Open requests by how long ago they were sent.
AGE_BUCKETS = [
    (_("under 1 day"), timedelta(0), timedelta(days=1)),
    (_("1 to 3 days"), timedelta(days=1), timedelta(days=3)),
    (_("3 to 7 days"), timedelta(days=3), timedelta(days=7)),
    (_("1 to 2 weeks"), timedelta(days=7), timedelta(days=14)),
    (_("over 2 weeks"), timedelta(days=14), None),
]


@dataclass
class SupportReport:
    desk_label: str
    month: date
    by_category: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    median_first_response: timedelta | None = None
    median_resolution: timedelta | None = None
    answered_in_time: int = 0
    answered_of: int = 0
    open_by_age: list[tuple[str, int]] = field(default_factory=list)

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.answered_of if self.answered_of else None


def report_desks_for_user(*, user: User) -> list[tuple[str, str]] | None:
    """The desks `user` may see a report of, as (value, label): their branches; all of them (and GRM's,
    and every desk together) for SESPS, GRM and superusers. None when they may see no report."""
    if not user.is_authenticated or not user.is_active or not user.is_staff or not user.has_perm(REPORT_PERMISSION):
        return None
    scope = branch_scope_for_user(user=user)
    if scope.all_branches:
        branches = Branch.objects.order_by("name_en")
        desks = [(ALL_DESKS, str(_("All branches and GRM")))]
        desks += [(str(b.pk), b.name) for b in branches]
        return [*desks, (GRM_DESK, str(StaffRole.Role.GRM.label))]
    branches = Branch.objects.filter(pk__in=scope.branches_for(QUEUE_ROLES)).order_by("name_en")
    desks = [(str(b.pk), b.name) for b in branches]
    return desks or None


def _desk_filter(desk: str) -> Q:
    if desk == ALL_DESKS:
        return Q()
    if desk == GRM_DESK:
        return Q(branch__isnull=True)
    return Q(branch_id=int(desk))


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=JAPAN)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time.min, tzinfo=JAPAN)


def support_report(*, desk: str, desk_label: str, month: date, now: datetime | None = None) -> SupportReport:
    """The report of `desk` (a branch id, GRM_DESK or ALL_DESKS) for `month`. Three queries, whatever the size.

    Times are counted in the office hours of each request's branch (GRM's: the
    head office), so a request sent on Friday evening and answered on Monday
    morning took minutes, not days.
    """
    now = now or timezone.now()
    start, end = _month_bounds(month)
    where = _desk_filter(desk)
    first_response = (
        Message.objects.filter(support_request=OuterRef("pk"), from_staff=True, is_internal=False)
        .order_by()
        .values("support_request")
        .annotate(first=Min("created"))
        .values("first")[:1]
    )
    rows = list(
        SupportRequest.objects.filter(where, created__gte=start, created__lt=end)
        .annotate(first_response=Subquery(first_response))
        .values_list("branch_id", "category", "created", "due_at", "resolved_at", "first_response")
    )
    hours = {b.pk: OfficeHours.of(b) for b in Branch.objects.filter(pk__in={r[0] for r in rows if r[0]})}
    hours[None] = OfficeHours.head_office()
    report = SupportReport(desk_label=desk_label, month=month.replace(day=1), total=len(rows))
    counts: dict[str, int] = {}
    responses, resolutions = [], []
    for branch_id, category, created, due_at, resolved_at, first in rows:
        counts[category] = counts.get(category, 0) + 1
        office = hours[branch_id]
        if first is not None:
            responses.append(office_time_between(created, first, office))
        if resolved_at is not None:
            resolutions.append(office_time_between(created, resolved_at, office))
        if first is not None or due_at <= now:
            report.answered_of += 1
            report.answered_in_time += first is not None and first <= due_at
    offered = APPLICANT_CATEGORIES if desk == GRM_DESK else BRANCH_CATEGORIES
    if desk == ALL_DESKS:
        offered = Category.values
    report.by_category = [
        (str(label), counts.get(value, 0)) for value, label in Category.choices if value in offered or counts.get(value)
    ]
    report.median_first_response = _median(responses)
    report.median_resolution = _median(resolutions)
    report.open_by_age = _open_by_age(where, now)
    return report


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def _open_by_age(where: Q, now: datetime) -> list[tuple[str, int]]:
    aggregates = {}
    for i, (_label, youngest, oldest) in enumerate(AGE_BUCKETS):
        condition = Q(created__lte=now - youngest)
        if oldest is not None:
            condition &= Q(created__gt=now - oldest)
        aggregates[f"b{i}"] = Count("pk", filter=condition)
    counts = SupportRequest.objects.filter(where, status__in=OPEN_STATUSES).aggregate(**aggregates)
    return [(str(label), counts[f"b{i}"]) for i, (label, _y, _o) in enumerate(AGE_BUCKETS)]
