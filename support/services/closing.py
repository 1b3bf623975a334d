"""Resolved requests the ALT did not reopen within the window are closed, once a day."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from ..models import REOPEN_WINDOW, Status, SupportRequest

# Rows per run: a backlog (the first run on old data) is worked off over a few days.
CLOSE_BATCH = 5_000


def support_requests_close_resolved(*, now=None) -> int:
    """Close every request resolved more than REOPEN_WINDOW ago; return how many.

    The ALT could no longer reopen them; CLOSED says so in their list and in
    the admin. Each change is in the request's history. Rows another run is
    closing are skipped (SKIP LOCKED), so two runs at once close each once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            SupportRequest.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - REOPEN_WINDOW)
            .order_by("resolved_at", "pk")
            .select_for_update(skip_locked=True)[:CLOSE_BATCH]
        )
        for support_request in due:
            support_request.status = Status.CLOSED
            support_request.version += 1
        bulk_update_with_history(
            due,
            SupportRequest,
            ["status", "version"],
            batch_size=1_000,
            default_change_reason="Closed 14 days after it was resolved",
            default_date=now,
        )
    return len(due)
