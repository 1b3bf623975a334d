"""Working days: weekends, Japanese public holidays and the company's closed days do not count."""

from datetime import date, datetime

import pytest

from contacts.office_days import JAPAN, add_working_days, is_office_closed, is_working_day, next_working_day


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JAPAN)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-06-01 15:00", "2026-06-03 15:00"),  # Monday: Wednesday, same time
        ("2026-06-05 15:00", "2026-06-09 15:00"),  # Friday: over the weekend to Tuesday
        ("2026-07-17 15:00", "2026-07-22 15:00"),  # Friday before Marine Day (Mon 20 July): Wednesday
        ("2026-04-30 10:00", "2026-05-07 10:00"),  # Golden Week: 1 May, then 7 May
        ("2026-06-06 11:00", "2026-06-10 00:00"),  # Saturday: counting starts Monday morning
        ("2026-12-28 10:00", "2027-01-05 10:00"),  # the New Year break (29 Dec - 3 Jan) is closed
    ],
)
def test_two_working_days_later(start, due):
    assert add_working_days(jst(start), 2) == jst(due)


def test_a_branch_open_on_saturdays_counts_them():
    assert add_working_days(jst("2026-06-05 15:00"), 2, office_days="123456") == jst("2026-06-08 15:00")


def test_the_answer_is_in_japan_time_whatever_the_start_zone():
    # 2026-06-05 06:00 UTC is Friday 15:00 in Japan.
    start = datetime.fromisoformat("2026-06-05T06:00:00+00:00")
    assert add_working_days(start, 2) == jst("2026-06-09 15:00")


def test_working_days_and_closed_days():
    assert is_working_day(date(2026, 6, 1))
    assert not is_working_day(date(2026, 6, 6))  # Saturday
    assert not is_working_day(date(2026, 5, 4))  # Greenery Day
    assert is_office_closed(date(2026, 12, 30)) and not is_office_closed(date(2026, 12, 28))
    assert next_working_day(date(2026, 5, 1)) == date(2026, 5, 7)


def test_the_company_closed_days_come_from_the_settings(settings):
    settings.OFFICE_CLOSED_DAYS = frozenset({"06-02"})
    assert add_working_days(jst("2026-06-01 15:00"), 2) == jst("2026-06-04 15:00")
