"""The range of dates the portal accepts, and arithmetic on stored dates that cannot overflow.

Every date a person enters (a form, the admin, a CSV import, a query parameter)
lies between DATE_MIN and DATE_MAX (`core.validators`, `core.params`). A row
saved before that rule, or written another way, may still hold 0001-01-01:
code that computes from a stored date clamps it first, so a page shows an odd
date rather than failing with an OverflowError.
"""

from datetime import date, datetime, timedelta

DATE_MIN = date(1950, 1, 1)
DATE_MAX = date(2100, 12, 31)


def as_date(value: date | datetime) -> date:
    """The calendar day of a date or a datetime (an aware one in its own zone)."""
    return value.date() if isinstance(value, datetime) else value


def in_range(value: date | datetime) -> bool:
    return DATE_MIN <= as_date(value) <= DATE_MAX


def clamp(day: date) -> date:
    """`day` brought into the portal's range: the first or last day it allows when outside."""
    return min(max(day, DATE_MIN), DATE_MAX)


def add_days(day: date, days: int) -> date:
    """`day` plus `days` (negative: minus), from `day` clamped to the range: never an OverflowError."""
    return clamp(day) + timedelta(days=days)
