"""Every state change of the training app.

Registration, withdrawal and the waiting list lock the session row
(`select_for_update`) so that, on PostgreSQL, concurrent sign-ups are
serialised per session and never exceed its capacity. Emails go through the
contacts outbox: `notify_many` for fan-out (a fixed number of queries however
many ALTs), with unique keys so that a repeat changes nothing.

A package: `registrations` (what an ALT does), `sessions` (publish, move,
cancel), `attendance`, `checkin` (the QR code at the door), `reminders`,
`calendar_feed`, and `_common` (the session lock, places and the waiting
list, emails).
"""

from ._common import TrainingError
from .attendance import attendance_record
from .calendar_feed import calendar_feed_create, calendar_feed_reset
from .checkin import registration_check_in
from .registrations import (
    registration_confirm,
    registration_create,
    registration_create_by_staff,
    registration_withdraw,
)
from .reminders import MARK_CHUNK, session_reminders_send
from .sessions import (
    capacity_problem,
    sessions_invite_newly_eligible,
    training_session_cancel,
    training_session_invite,
    training_session_save,
)

__all__ = [
    "MARK_CHUNK",
    "TrainingError",
    "attendance_record",
    "calendar_feed_create",
    "capacity_problem",
    "calendar_feed_reset",
    "registration_check_in",
    "registration_confirm",
    "registration_create",
    "registration_create_by_staff",
    "registration_withdraw",
    "session_reminders_send",
    "sessions_invite_newly_eligible",
    "training_session_cancel",
    "training_session_invite",
    "training_session_save",
]
