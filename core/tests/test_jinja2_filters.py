"""The Jinja2 environment's `date` and `filesizeformat` filters: what Django's templates show."""

from datetime import UTC, date, datetime

from django.template import engines
from django.utils import translation


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_date_shows_a_moment_in_japan_time_in_the_active_language():
    moment = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)  # 15:30 in Tokyo
    assert _render('{{ moment|date("Y-m-d H:i") }}', moment=moment) == "2026-06-10 15:30"
    assert _render('{{ moment|date("D") }}', moment=moment) == "Wed"
    with translation.override("ja"):
        assert _render('{{ moment|date("D") }}', moment=moment) == "水"
    assert _render('{{ day|date("Y-m-d") }}', day=date(2026, 6, 10)) == "2026-06-10"
    assert _render('{{ nothing|date("Y-m-d") }}', nothing=None) == ""


def test_filesizeformat_as_django_writes_it():
    assert _render("{{ size|filesizeformat }}", size=2048) == "2.0\xa0KB"
