"""The overdue sweep: tell the assignee, or the branch, once per request and due time."""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from contacts.services import notify_many

from ..models import (
    OPEN_STATUSES,
    SupportRequest,
)
from ..selectors import branch_people_for_notices
from ._common import _admin_url, reply_to, staff_recipients

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
        # Who is told is decided by staff_recipients; the branches' people are read once, for all requests.
        # An assignee is checked against their branch's handlers (they may have left it).
        needs_people = {
            r.branch_id
            for r in candidates
            if r.branch_id is None or r.assignee_id or r.is_confidential or not r.branch.email
        }
        people = branch_people_for_notices(branch_ids=needs_people)
        items = []
        for support_request in candidates:
            due_key = timezone.localtime(support_request.due_at).strftime("%Y%m%dT%H%M")
            base = {
                "kind": "support.overdue",
                "template": "support/email/overdue",
                "context": {"support_request": support_request, "admin_url": _admin_url(support_request)},
            }
            for target in staff_recipients(support_request, prefer_assignee=True, people=people):
                items.append(
                    {
                        **base,
                        "key": f"support.overdue:{support_request.pk}:{due_key}:{target['key']}",
                        "recipient": target["recipient"],
                        "to_email": target.get("to_email"),
                        "reply_to": reply_to(support_request, target["recipient"]),
                    }
                )
        notify_many(items=items)
        SupportRequest.objects.filter(pk__in=[r.pk for r in candidates]).update(overdue_flagged_for=F("due_at"))
    return len(candidates)
