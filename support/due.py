"""When a request is due: its urgency counted in the branch's office hours.

Urgent is 4 office hours; high, normal and low are 1, 3 and 5 office days (an
office day is the branch's opening hours, e.g. 9 hours for 09:00-18:00).
Weekends outside the branch's office days, Japanese public holidays and the
company's own closed days (`OFFICE_CLOSED_DAYS`, by default the New Year break
from 29 December to 3 January) do not count. Everything here is pure: no
database, no clock.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings  # HEAD_OFFICE_HOURS (requests with GRM), OFFICE_CLOSED_DAYS

# Which days are closed is the company's, not support's: every app counts working days the same way.
from contacts.office_days import JAPAN, is_japanese_holiday, is_office_closed
from contacts.office_days import MAX_DAYS as _MAX_DAYS

__all__ = [
    "JAPAN",
    "OfficeHours",
    "add_office_time",
    "closed_periods",
    "due_at_for",
    "is_japanese_holiday",
    "is_office_closed",
    "is_office_open",
    "office_time_between",
    "office_time_for",
]


@dataclass(frozen=True)
class OfficeHours:
    opens: time
    closes: time
    days: str = "12345"  # ISO weekdays, Monday = 1

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    @classmethod
    def of(cls, branch) -> "OfficeHours":
        """A branch's hours; no branch (a request with GRM) is the head office's."""
        if branch is None:
            return cls.head_office()
        return cls(opens=branch.office_opens, closes=branch.office_closes, days=branch.office_days)

    @classmethod
    def head_office(cls) -> "OfficeHours":
        opens, closes = settings.HEAD_OFFICE_HOURS
        return cls(opens=time.fromisoformat(opens), closes=time.fromisoformat(closes))


def office_time_for(urgency: str, hours: OfficeHours) -> timedelta:
    """How much office time a request of `urgency` is given."""
    if urgency == "URGENT":
        return timedelta(hours=4)
    days = {"HIGH": 1, "NORMAL": 3, "LOW": 5}.get(urgency, 3)
    return hours.day_length * days


def add_office_time(
    start: datetime,
    amount: timedelta,
    hours: OfficeHours,
    *,
    is_holiday: Callable[[date], bool] = is_office_closed,
) -> datetime:
    """`start` plus `amount` of office time, in Japan time.

    Time before opening, after closing, on closed weekdays, on holidays and
    on the company's closed days is skipped; a request sent after hours starts counting at the next opening.
    Landing exactly on closing time stays on that day.
    """
    cursor = start.astimezone(JAPAN)
    remaining = amount
    day = cursor.date()
    for _ in range(_MAX_DAYS):
        if str(day.isoweekday()) in hours.days and not is_holiday(day):
            opening = datetime.combine(day, hours.opens, tzinfo=JAPAN)
            closing = datetime.combine(day, hours.closes, tzinfo=JAPAN)
            begin = max(cursor, opening)
            if begin < closing or (begin == closing and remaining == timedelta(0)):
                available = closing - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min, tzinfo=JAPAN)
    return start + amount


def is_office_open(at: datetime, hours: OfficeHours, *, is_holiday: Callable[[date], bool] = is_office_closed) -> bool:
    """Is the office open at `at` (its days and hours, Japan time, not a holiday or closed day)?"""
    local = at.astimezone(JAPAN)
    day = local.date()
    if str(day.isoweekday()) not in hours.days or is_holiday(day):
        return False
    return hours.opens <= local.time() < hours.closes


def _open_intervals(start: datetime, end: datetime, hours: OfficeHours, is_holiday) -> list[tuple[datetime, datetime]]:
    intervals = []
    day = start.date()
    while day <= end.date():
        if str(day.isoweekday()) in hours.days and not is_holiday(day):
            begin = max(start, datetime.combine(day, hours.opens, tzinfo=JAPAN))
            finish = min(end, datetime.combine(day, hours.closes, tzinfo=JAPAN))
            if finish > begin:
                intervals.append((begin, finish))
        day += timedelta(days=1)
    return intervals


def office_time_between(
    start: datetime, end: datetime, hours: OfficeHours, *, is_holiday: Callable[[date], bool] = is_office_closed
) -> timedelta:
    """How much office time lies between `start` and `end` (zero when `end` is not after `start`)."""
    intervals = _open_intervals(start.astimezone(JAPAN), end.astimezone(JAPAN), hours, is_holiday)
    return sum((finish - begin for begin, finish in intervals), timedelta(0))


def closed_periods(
    start: datetime, end: datetime, hours: OfficeHours, *, is_holiday: Callable[[date], bool] = is_office_closed
) -> list[tuple[datetime, datetime]]:
    """The stretches between `start` and `end` when the office is closed (nights, weekends, holidays), in order.

    A night followed by a weekend is one stretch.
    """
    start, end = start.astimezone(JAPAN), end.astimezone(JAPAN)
    closed, cursor = [], start
    for begin, finish in _open_intervals(start, end, hours, is_holiday):
        if begin > cursor:
            closed.append((cursor, begin))
        cursor = max(cursor, finish)
    if cursor < end:
        closed.append((cursor, end))
    return closed


def due_at_for(*, start: datetime, urgency: str, hours: OfficeHours, is_holiday=is_office_closed) -> datetime:
    """The due time of a request of `urgency` sent at `start` to a branch open `hours`."""
    return add_office_time(start, office_time_for(urgency, hours), hours, is_holiday=is_holiday)
