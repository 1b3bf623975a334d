"""The overdue sweep: tell the assignee, or the branch, once per request and due time."""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from contacts.models import StaffRole
from contacts.services import notify_many

from ..models import (
    OPEN_STATUSES,
    SupportRequest,
)
from ..selectors import roles_that_see_confidential
from ._common import (
    _admin_url,
)

# --- the overdue sweep ------------------------------------------------------------


def support_requests_flag_overdue(*, now: datetime | None = None) -> int:
    """Tell the assignee, or the branch, about each open request past its due time. Once per due time.

    The rows are claimed with FOR UPDATE SKIP LOCKED and marked with the due
    time they were flagged for, in the transaction that writes the emails:
    two workers never take the same row, and the Notification key (request
    and due time) makes a second run write nothing. The number of queries
    does not grow with the number of requests.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = list(
            SupportRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=OPEN_STATUSES, due_at__lte=now)
            .filter(Q(overdue_flagged_for__isnull=True) | ~Q(overdue_flagged_for=F("due_at")))
            .select_related("branch", "assignee", "alt", "alt__alt_profile__managing_consultant")
            .order_by("due_at")
        )
        if not candidates:
            return 0
        needs_branch = [r for r in candidates if not r.assignee_id and not r.is_confidential and not r.branch.email]
        needs_mcs = [r for r in candidates if not r.assignee_id and r.is_confidential]
        schedulers, mcs = _people_by_branch(needs_branch, needs_mcs)
        items = []
        for support_request in candidates:
            due_key = timezone.localtime(support_request.due_at).strftime("%Y%m%dT%H%M")
            base = {
                "kind": "support.overdue",
                "template": "support/email/overdue",
                "context": {"support_request": support_request, "admin_url": _admin_url(support_request)},
            }
            for target in _overdue_targets(support_request, schedulers, mcs):
                items.append(
                    {
                        **base,
                        "key": f"support.overdue:{support_request.pk}:{due_key}:{target['key']}",
                        "recipient": target["recipient"],
                        "to_email": target.get("to_email"),
                    }
                )
        notify_many(items=items)
        SupportRequest.objects.filter(pk__in=[r.pk for r in candidates]).update(overdue_flagged_for=F("due_at"))
    return len(candidates)


def _people_by_branch(needs_branch, needs_mcs) -> tuple[dict, dict]:
    branch_ids = {r.branch_id for r in needs_branch} | {r.branch_id for r in needs_mcs}
    schedulers: dict = {}
    mcs: dict = {}
    if not branch_ids:
        return schedulers, mcs
    confidential_roles = roles_that_see_confidential()
    roles = StaffRole.objects.filter(branch_id__in=branch_ids, user__is_active=True).select_related("user")
    for role in roles:
        if role.role == StaffRole.Role.SCHEDULER:
            schedulers.setdefault(role.branch_id, {})[role.user_id] = role.user
        if role.role in confidential_roles:
            mcs.setdefault(role.branch_id, {})[role.user_id] = role.user
    return schedulers, mcs


def _overdue_targets(support_request, schedulers: dict, mcs: dict) -> list[dict]:
    if support_request.assignee_id:
        return [{"recipient": support_request.assignee, "key": f"user{support_request.assignee_id}"}]
    if support_request.is_confidential:
        profile = getattr(support_request.alt, "alt_profile", None)
        mc = profile.managing_consultant if profile else None
        if mc is not None and mc.is_active:
            return [{"recipient": mc, "key": f"user{mc.pk}"}]
        people = mcs.get(support_request.branch_id, {}).values()
        return [{"recipient": person, "key": f"user{person.pk}"} for person in people]
    if support_request.branch.email:
        return [{"recipient": None, "to_email": support_request.branch.email, "key": "branch"}]
    people = (schedulers.get(support_request.branch_id) or mcs.get(support_request.branch_id) or {}).values()
    return [{"recipient": person, "key": f"user{person.pk}"} for person in people]
