"""Every state change of the onboarding app. One module per part; names re-exported here."""

from .checklist import (
    ChecklistClosed,
    checklist_create_for_alt,
    checklist_item_get_or_open,
    checklist_item_set,
    checklist_reminders_send,
    checklist_reschedule,
)
from .elearning import (
    QuizRefused,
    TaskRefused,
    enrolment_create,
    quiz_attempt_problem,
    quiz_submit,
    task_complete,
    task_completion_mark,
    task_completion_mark_problem,
)
from .handover import (
    HandoverRefused,
    handover_acknowledge,
    handover_may_acknowledge,
    handover_open,
    handover_reminders_send,
    handovers_call_off,
)
from .placement import (
    TRANSITIONS,
    IllegalMove,
    allowed_moves,
    next_stage,
    placement_change,
    placement_check_move,
    placement_create,
    placement_move,
    placement_update,
)
from .reminders import elearning_invitations_send, elearning_nudges_send

__all__ = [
    "TRANSITIONS",
    "IllegalMove",
    "QuizRefused",
    "TaskRefused",
    "allowed_moves",
    "ChecklistClosed",
    "checklist_create_for_alt",
    "checklist_item_get_or_open",
    "checklist_item_set",
    "checklist_reminders_send",
    "checklist_reschedule",
    "HandoverRefused",
    "handover_acknowledge",
    "handover_may_acknowledge",
    "handover_open",
    "handover_reminders_send",
    "handovers_call_off",
    "elearning_invitations_send",
    "elearning_nudges_send",
    "enrolment_create",
    "next_stage",
    "placement_check_move",
    "placement_create",
    "placement_change",
    "placement_move",
    "placement_update",
    "quiz_attempt_problem",
    "quiz_submit",
    "task_complete",
    "task_completion_mark",
    "task_completion_mark_problem",
]
