"""Every state change of the safety app. Emails go through the contacts outbox.

A package: `checks` (start, fan-out, reminders, close), `answers` ("I'm safe" /
"I need help"), `checkins` (well-being check-ins).
"""

from .answers import AnswerClosedError, safety_answer_record
from .checkins import CheckinAnsweredError, wellbeing_checkin_answer, wellbeing_checkins_invite
from .checks import safety_check_close, safety_check_fan_out, safety_check_start, safety_reminders_send

__all__ = [
    "AnswerClosedError",
    "CheckinAnsweredError",
    "safety_answer_record",
    "safety_check_close",
    "safety_check_fan_out",
    "safety_check_start",
    "safety_reminders_send",
    "wellbeing_checkin_answer",
    "wellbeing_checkins_invite",
]
