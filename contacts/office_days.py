"""Working days, for every app that counts in them (due times, handovers, reminders).

A working day is one of the office's weekdays that is neither a Japanese
public holiday (the `holidays` library) nor one of the company's own closed
days (`settings.OFFICE_CLOSED_DAYS`, "MM-DD", by default the New Year break
from 29 December to 3 January). Everything here is pure: no database, no clock.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

JAPAN = ZoneInfo("Asia/Tokyo")
WEEKDAYS = "12345"  # ISO weekdays, Monday = 1
# An office open on no day at all would loop forever; give up after this long.
MAX_DAYS = 3 * 366


@lru_cache(maxsize=64)
def _japanese_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_japanese_holiday(day: date) -> bool:
    return day in _japanese_holidays(day.year)


def is_office_closed(day: date) -> bool:
    """A Japanese public holiday or one of the company's closed days ("MM-DD" in OFFICE_CLOSED_DAYS)."""
    return is_japanese_holiday(day) or f"{day:%m-%d}" in settings.OFFICE_CLOSED_DAYS


def is_working_day(day: date, *, office_days: str = WEEKDAYS) -> bool:
    return str(day.isoweekday()) in office_days and not is_office_closed(day)


def next_working_day(day: date, *, office_days: str = WEEKDAYS) -> date:
    """The first working day after `day`."""
    for _ in range(MAX_DAYS):
        day += timedelta(days=1)
        if is_working_day(day, office_days=office_days):
            return day
    return day


def add_working_days(start: datetime, days: int, *, office_days: str = WEEKDAYS) -> datetime:
    """`start` plus `days` whole working days, in Japan time.

    From a working day the time of day is kept: Friday 15:00 plus two working
    days is Tuesday 15:00 (Wednesday 15:00 when Monday is a holiday). From a
    day off, counting starts at the beginning of the next working day:
    Saturday plus two working days is Wednesday 00:00.
    """
    cursor = start.astimezone(JAPAN)
    if not is_working_day(cursor.date(), office_days=office_days):
        cursor = datetime.combine(next_working_day(cursor.date(), office_days=office_days), time.min, tzinfo=JAPAN)
    for _ in range(days):
        day = next_working_day(cursor.date(), office_days=office_days)
        cursor = datetime.combine(day, cursor.timetz())
    return cursor
