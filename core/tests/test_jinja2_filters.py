"""The Jinja2 environment's date filters (the portal's one format, core.formats) and `filesizeformat`."""

from datetime import UTC, date, datetime

from django.template import engines
from django.utils import translation


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_date_shows_a_moment_in_japan_time_in_the_active_language():
    moment = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)  # 15:30 in Tokyo, a Wednesday
    assert _render("{{ moment|datetime }}", moment=moment) == "Wed 10 Jun 2026, 15:30"
    assert _render("{{ moment|date }}", moment=moment) == "Wed 10 Jun 2026"
    assert _render("{{ moment|time }}", moment=moment) == "15:30"
    assert _render("{{ moment|isoformat }}", moment=moment) == "2026-06-10T15:30:00+09:00"
    with translation.override("ja"):
        assert _render("{{ moment|datetime }}", moment=moment) == "2026年6月10日(水) 15:30"
        assert _render("{{ moment|date }}", moment=moment) == "2026年6月10日(水)"
    assert _render("{{ day|date }}", day=date(2026, 6, 10)) == "Wed 10 Jun 2026"
    assert _render("{{ nothing|date }}", nothing=None) == ""


def test_a_span_writes_the_end_day_only_when_it_differs():
    start = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)
    same_day = _render("{{ span(start, end) }}", start=start, end=datetime(2026, 6, 10, 8, 0, tzinfo=UTC))
    assert same_day == "Wed 10 Jun 2026, 15:30–17:00"
    overnight = _render("{{ span(start, end) }}", start=start, end=datetime(2026, 6, 11, 0, 0, tzinfo=UTC))
    assert overnight == "Wed 10 Jun 2026, 15:30–Thu 11 Jun 2026, 09:00"


def test_filesizeformat_as_django_writes_it():
    assert _render("{{ size|filesizeformat }}", size=2048) == "2.0\xa0KB"
