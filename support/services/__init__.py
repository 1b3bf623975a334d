"""Every state change of the support app. Emails go through the contacts outbox.

A package: `alt` (what an ALT does), `staff` (the admin), `overdue` (the
sweep), `closing` (the daily close), `oncall` (urgent help out of hours: the
rota, call-outs, escalation), `visits` (going along), `seen` (what each side
has opened: "New reply"), `_common` (links, files, references, locks, who is told).
"""

from ._common import (
    DUPLICATE_WINDOW,
    REPLY_DUPLICATE_WINDOW,
    StaleRequestError,
    reference_next,
    row_check_version,
    support_request_due_at,
)
from .alt import message_post_by_alt, support_request_create, support_request_mark_solved, support_request_reopen
from .closing import support_requests_close_resolved
from .oncall import (
    ESCALATE_AFTER,
    on_call_shift_problem,
    on_call_shift_save,
    urgent_alert_acknowledge,
    urgent_alert_acknowledge_for_request,
    urgent_alert_escalate,
    urgent_alert_open,
    urgent_alerts_escalate,
)
from .overdue import support_requests_flag_overdue
from .seen import support_request_mark_seen_by_alt, support_request_mark_seen_by_staff
from .staff import (
    STAFF_EDITABLE_FIELDS,
    ActionOutcome,
    assignee_problem,
    open_for_alt_problem,
    stale_message,
    support_request_assign,
    support_request_check_version,
    support_request_open_for_alt,
    support_request_set_status,
    support_request_staff_save,
    support_requests_delete,
)
from .visits import (
    visit_ask_new_time,
    visit_confirm,
    visit_problem,
    visit_schedule,
    visit_update,
    visits_send_reminders,
)

__all__ = [
    "ActionOutcome",
    "DUPLICATE_WINDOW",
    "ESCALATE_AFTER",
    "REPLY_DUPLICATE_WINDOW",
    "STAFF_EDITABLE_FIELDS",
    "StaleRequestError",
    "assignee_problem",
    "open_for_alt_problem",
    "message_post_by_alt",
    "reference_next",
    "row_check_version",
    "stale_message",
    "support_request_assign",
    "support_request_check_version",
    "support_request_create",
    "support_request_open_for_alt",
    "support_request_due_at",
    "support_request_mark_seen_by_alt",
    "support_request_mark_seen_by_staff",
    "support_request_mark_solved",
    "support_request_reopen",
    "support_request_set_status",
    "support_request_staff_save",
    "support_requests_close_resolved",
    "support_requests_delete",
    "support_requests_flag_overdue",
    "on_call_shift_problem",
    "on_call_shift_save",
    "urgent_alert_acknowledge",
    "urgent_alert_acknowledge_for_request",
    "urgent_alert_escalate",
    "urgent_alert_open",
    "urgent_alerts_escalate",
    "visit_ask_new_time",
    "visit_confirm",
    "visit_problem",
    "visit_schedule",
    "visit_update",
    "visits_send_reminders",
]
