"""Reading integers, dates and months from a request: one way, and a 400 for what cannot be read."""

from datetime import date

import pytest
from django.http import QueryDict

from core.params import ID_MAX, BadParameter, month_after, parse_date, parse_int, parse_month, read_int, read_month


@pytest.mark.parametrize("text", ["abc", "1e9", "+1", "1_000", "١٢", "12.0", "1,2", "0x10", str(ID_MAX + 1), "9" * 40])
def test_what_is_not_an_id_is_a_bad_parameter(text):
    with pytest.raises(BadParameter):
        parse_int(text)


@pytest.mark.parametrize(("text", "number"), [("1", 1), (" 42 ", 42), (str(ID_MAX), ID_MAX), ("", None), (None, None)])
def test_an_id_is_read(text, number):
    assert parse_int(text) == number


def test_bounds_are_the_callers():
    assert parse_int("-5", minimum=-10, maximum=10) == -5
    with pytest.raises(BadParameter):
        parse_int("0")  # ids start at 1


@pytest.mark.parametrize("text", ["0001-01-01", "1949-12-31", "2101-01-01", "9999-12-31", "2026-02-30", "31/12/2026"])
def test_a_date_outside_the_range_or_unreadable_is_a_bad_parameter(text):
    with pytest.raises(BadParameter):
        parse_date(text)


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "2026-13", "2026-1", "26-01", "2026-01-01", "abcd-ef"])
def test_a_month_outside_the_range_or_unreadable_is_a_bad_parameter(text):
    with pytest.raises(BadParameter):
        parse_month(text)


def test_a_month_is_read_as_its_first_day_and_the_next_one_never_overflows():
    assert parse_month("2100-12") == date(2100, 12, 1)
    assert month_after(parse_month("2100-12")) == date(2101, 1, 1)
    assert read_month(QueryDict("m=2031-04"), "m") == date(2031, 4, 1)


def test_the_last_of_repeated_values_is_read():
    assert read_int(QueryDict("id=1&id=2"), "id") == 2


def test_a_bad_parameter_is_answered_with_the_400_page(client, db):
    response = client.get("/support/new/", {"category": "\x00"})
    assert response.status_code == 400
    assert "errors/400.html" in [t.name for t in response.templates]


@pytest.mark.parametrize(
    "where",
    [
        {"path": "/training/calendar/%00.ics"},
        {"path": "/admin/support/supportrequest/", "data": {"status__exact": "\x00"}},
        {"path": "/contacts/wellbeing/", "data": {"x\x00": "1"}},
        {"path": "/contacts/wellbeing/", "cookie": "\x00"},
    ],
    ids=["path", "query value", "query name", "cookie"],
)
def test_a_nul_character_in_a_request_is_refused_at_the_door(client, superuser, where):
    client.force_login(superuser)
    if "cookie" in where:
        client.cookies["portal_language"] = where["cookie"]
    response = client.get(where["path"], where.get("data", {}))
    assert response.status_code == 400
