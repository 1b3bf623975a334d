"""Support requests on a member of staff's worklist, counted with the same conditions as the admin filters
the worklist links to (`?assignee=me&state=open`, `?desk=branch&overdue=yes`, `?desk=grm&state=open`, ...)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from contacts.models import StaffRole, User
from contacts.selectors import branch_scope_for_user

from ..models import Status, SupportRequest
from .requests import QUEUE_ROLES, confidential_filter

# A request waiting on the ALT this long since its last change is worth chasing.
WAITING_ON_ALT_CHASE_AFTER = timedelta(days=5)


def open_q() -> Q:
    """Open requests, in terms of the indexed triage column (rank 0: urgent, 1: other open ones)."""
    return Q(triage_rank__lt=2)


def overdue_q(*, now: datetime) -> Q:
    """Open and past their due time. The app's clock, not the database's: the same as the overdue sweep."""
    return Q(triage_rank__lt=2, triage_due__lt=now)


def waiting_on_alt_long_q(*, now: datetime) -> Q:
    """Waiting on the ALT, with nothing changed (no reply, no status) for more than 5 days."""
    return Q(status=Status.WAITING_ON_ALT, last_activity_at__lt=now - WAITING_ON_ALT_CHASE_AFTER)


def branch_queue_q(*, user: User) -> Q:
    """The queues `user` works: the branches where they are MC or scheduler, minus the confidential
    requests they may not read."""
    branches = branch_scope_for_user(user=user).branches_for(QUEUE_ROLES)
    return Q(branch_id__in=sorted(branches)) & confidential_filter(user=user)


def grm_desk_q() -> Q:
    """GRM's desk: requests sent before the ALT's branch was confirmed."""
    return Q(branch__isnull=True)


@dataclass(frozen=True)
class SupportWorklist:
    """Open requests that wait for `user`. The branch counts only for those who work a branch's queue,
    `grm_desk` only for GRM (None otherwise)."""

    works_queue: bool
    assigned: int
    unassigned: int | None = None
    overdue: int | None = None
    waiting_long: int | None = None
    grm_desk: int | None = None


def may_see_support_requests(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm("support.view_supportrequest")


def support_worklist(*, user: User, now: datetime | None = None) -> SupportWorklist | None:
    """What waits for `user` (staff who may see requests in the admin; None for anyone else). One query
    over the open requests of their desks and those assigned to them."""
    if not may_see_support_requests(user):
        return None
    now = now or timezone.now()
    scope = branch_scope_for_user(user=user)
    mine = Q(assignee_id=user.pk)
    reach, counts = mine, {"assigned": Count("pk", filter=mine)}
    works_queue = bool(scope.branches_for(QUEUE_ROLES))
    if works_queue:
        queue = branch_queue_q(user=user)
        reach |= queue
        counts["unassigned"] = Count("pk", filter=queue & Q(assignee__isnull=True))
        counts["overdue"] = Count("pk", filter=queue & overdue_q(now=now))
        counts["waiting_long"] = Count("pk", filter=queue & waiting_on_alt_long_q(now=now))
    if StaffRole.Role.GRM in scope.roles:
        reach |= grm_desk_q()
        counts["grm_desk"] = Count("pk", filter=grm_desk_q())
    found = SupportRequest.objects.filter(open_q()).filter(reach).aggregate(**counts)
    return SupportWorklist(works_queue=works_queue, **found)


def support_requests_assigned_open(*, user: User, limit: int = 10) -> list[SupportRequest]:
    """The open requests assigned to `user`, the soonest due first (the first `limit`). One query."""
    if not may_see_support_requests(user):
        return []
    return list(
        SupportRequest.objects.filter(open_q(), assignee_id=user.pk)
        .only("pk", "reference", "subject", "urgency", "status", "due_at", "category", "branch_id", "alt_id")
        .order_by("due_at", "pk")[:limit]
    )
