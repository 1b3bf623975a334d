"""Due times: urgency counted in the branch's office hours, skipping weekends and Japanese holidays."""

from datetime import date, datetime, time, timedelta

import pytest

from support.due import (
    OfficeHours,
    add_office_time,
    closed_periods,
    due_at_for,
    is_japanese_holiday,
    is_office_closed,
    is_office_open,
    office_time_between,
    office_time_for,
)
from testing.support import jst

NINE_TO_SIX = OfficeHours(opens=time(9), closes=time(18), days="12345")


@pytest.mark.parametrize(
    ("start", "urgency", "due"),
    [
        # Monday 2026-06-01, office 09:00-18:00 (9 h a day)
        ("2026-06-01 10:00", "URGENT", "2026-06-01 14:00"),
        ("2026-06-01 10:00", "HIGH", "2026-06-02 10:00"),
        ("2026-06-01 10:00", "NORMAL", "2026-06-04 10:00"),
        ("2026-06-01 10:00", "LOW", "2026-06-08 10:00"),  # five office days: over the weekend
        # Urgent late in the day carries over to the next morning.
        ("2026-06-01 16:00", "URGENT", "2026-06-02 11:00"),
        # Sent after hours: counting starts at the next opening.
        ("2026-06-01 20:30", "URGENT", "2026-06-02 13:00"),
        ("2026-06-01 20:30", "HIGH", "2026-06-02 18:00"),
        # Sent before opening.
        ("2026-06-02 07:00", "URGENT", "2026-06-02 13:00"),
        # Friday afternoon skips the weekend.
        ("2026-06-05 16:00", "URGENT", "2026-06-08 11:00"),
        ("2026-06-05 16:00", "HIGH", "2026-06-08 16:00"),
        # Saturday and Sunday count from Monday's opening.
        ("2026-06-06 11:00", "URGENT", "2026-06-08 13:00"),
        ("2026-06-07 23:59", "HIGH", "2026-06-08 18:00"),
        # Exactly at closing time: next day.
        ("2026-06-01 18:00", "URGENT", "2026-06-02 13:00"),
        # Landing exactly on closing time stays that day.
        ("2026-06-01 14:00", "URGENT", "2026-06-01 18:00"),
    ],
)
def test_due_time_in_office_hours(start, urgency, due):
    assert due_at_for(start=jst(start), urgency=urgency, hours=NINE_TO_SIX) == jst(due)


def test_golden_week_is_skipped():
    # 2026: Showa Day Wed 29 April; Constitution Day Sun 3 May, Greenery Mon 4, Children's Tue 5, substitute Wed 6.
    assert is_japanese_holiday(date(2026, 4, 29))
    assert all(is_japanese_holiday(date(2026, 5, day)) for day in (3, 4, 5, 6))
    # Friday 1 May at 17:00, high: one hour on Friday, then Thursday 7 May from 09:00 for eight hours.
    assert due_at_for(start=jst("2026-05-01 17:00"), urgency="HIGH", hours=NINE_TO_SIX) == jst("2026-05-07 17:00")
    # Tuesday 28 April at 15:00, urgent: 3 h on Tuesday, Wednesday 29 is Showa Day, 1 h on Thursday.
    assert due_at_for(start=jst("2026-04-28 15:00"), urgency="URGENT", hours=NINE_TO_SIX) == jst("2026-04-30 10:00")
    # Normal from Thursday 30 April 09:00: Thu, Fri, then Thursday 7 May is the third office day.
    assert due_at_for(start=jst("2026-04-30 09:00"), urgency="NORMAL", hours=NINE_TO_SIX) == jst("2026-05-07 18:00")


def test_single_public_holiday_is_skipped():
    # Monday 20 July 2026 is Marine Day.
    assert is_japanese_holiday(date(2026, 7, 20))
    assert due_at_for(start=jst("2026-07-17 17:00"), urgency="URGENT", hours=NINE_TO_SIX) == jst("2026-07-21 12:00")


def test_the_new_year_break_is_skipped():
    # Offices close from 29 December to 3 January (OFFICE_CLOSED_DAYS), New Year's Day aside.
    assert is_office_closed(date(2026, 12, 29)) and is_office_closed(date(2027, 1, 1))
    assert not is_japanese_holiday(date(2026, 12, 29)) and not is_office_closed(date(2026, 12, 28))
    # Wednesday 31 December 2025 at 17:00, urgent: the break, the weekend, then 4 h on Monday 5 January.
    assert due_at_for(start=jst("2025-12-31 17:00"), urgency="URGENT", hours=NINE_TO_SIX) == jst("2026-01-05 13:00")
    # Monday 28 December 2026 at 10:00, normal (27 office hours): 8 on Monday, 9 on 4 and 5 January, 1 on the 6th.
    assert due_at_for(start=jst("2026-12-28 10:00"), urgency="NORMAL", hours=NINE_TO_SIX) == jst("2027-01-06 10:00")


def test_without_company_closed_days_only_public_holidays_are_skipped(settings):
    settings.OFFICE_CLOSED_DAYS = frozenset()
    # Wednesday 31 December 2025 at 17:00, urgent: 1 h, New Year's Day is a holiday, 3 h on Friday 2 January.
    assert due_at_for(start=jst("2025-12-31 17:00"), urgency="URGENT", hours=NINE_TO_SIX) == jst("2026-01-02 12:00")


def test_silver_week_sandwiched_national_holiday():
    # September 2026: Respect for the Aged Day (21), National Holiday (22), Autumnal Equinox (23).
    assert due_at_for(start=jst("2026-09-18 17:00"), urgency="HIGH", hours=NINE_TO_SIX) == jst("2026-09-24 17:00")


def test_branch_open_on_saturday_counts_saturday():
    six_days = OfficeHours(opens=time(9), closes=time(18), days="123456")
    assert due_at_for(start=jst("2026-06-05 16:00"), urgency="URGENT", hours=six_days) == jst("2026-06-06 11:00")


def test_shorter_office_day_makes_a_shorter_working_day():
    short = OfficeHours(opens=time(10), closes=time(16), days="12345")
    assert office_time_for("HIGH", short) == timedelta(hours=6)
    assert due_at_for(start=jst("2026-06-01 15:00"), urgency="HIGH", hours=short) == jst("2026-06-02 15:00")


def test_start_given_in_utc_is_counted_in_japan_time():
    from datetime import UTC

    start = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    assert due_at_for(start=start, urgency="URGENT", hours=NINE_TO_SIX) == jst("2026-06-01 14:00")


def test_custom_holiday_calendar_is_honoured():
    closed_on_monday = {date(2026, 6, 1)}
    due = add_office_time(
        jst("2026-06-01 10:00"), timedelta(hours=1), NINE_TO_SIX, is_holiday=closed_on_monday.__contains__
    )
    assert due == jst("2026-06-02 10:00")


def test_office_never_open_does_not_loop_forever():
    never = OfficeHours(opens=time(9), closes=time(18), days="")
    start = jst("2026-06-01 10:00")
    assert add_office_time(start, timedelta(hours=4), never) == start + timedelta(hours=4)


def test_unknown_urgency_counts_as_normal():
    assert office_time_for("SOMETHING", NINE_TO_SIX) == office_time_for("NORMAL", NINE_TO_SIX)


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        ("2026-06-01 09:00", True),  # Monday, opening
        ("2026-06-01 17:59", True),
        ("2026-06-01 18:00", False),  # closing
        ("2026-06-01 22:00", False),
        ("2026-06-06 11:00", False),  # Saturday
        ("2026-07-20 11:00", False),  # Marine Day
        ("2026-12-30 11:00", False),  # the company's New Year break
    ],
)
def test_is_office_open(at, is_open):
    assert is_office_open(jst(at), NINE_TO_SIX) is is_open


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-06-01 10:00", "2026-06-01 11:30", 1.5),
        ("2026-06-05 17:00", "2026-06-08 10:00", 2),  # Friday evening to Monday morning
        ("2026-06-01 20:00", "2026-06-02 08:00", 0),  # overnight
        ("2026-06-02 10:00", "2026-06-01 10:00", 0),  # backwards
        ("2026-07-17 17:00", "2026-07-21 10:00", 2),  # over a weekend and Marine Day
    ],
)
def test_office_time_between(start, end, hours):
    assert office_time_between(jst(start), jst(end), NINE_TO_SIX) == timedelta(hours=hours)


def test_closed_periods_join_a_night_to_the_weekend_and_the_holiday_after_it():
    periods = closed_periods(jst("2026-07-16 12:00"), jst("2026-07-21 12:00"), NINE_TO_SIX)
    assert periods == [
        (jst("2026-07-16 18:00"), jst("2026-07-17 09:00")),
        (jst("2026-07-17 18:00"), jst("2026-07-21 09:00")),
    ]
    assert closed_periods(jst("2026-07-18 10:00"), jst("2026-07-18 11:00"), NINE_TO_SIX) == [
        (jst("2026-07-18 10:00"), jst("2026-07-18 11:00"))
    ]
