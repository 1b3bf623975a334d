"""How sessions' times read on the pages: in Japan time, in the reader's language (core.formats).

A page lists dozens of sessions, most of them on a few days: the text of a day
("Tue 4 Mar 2031", "2031年3月4日(火)") is made once per day and language and kept,
not once per session.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from core.formats import format_date, format_datetime, format_time


@lru_cache(maxsize=2048)
def _date_text(day: date, language: str) -> str:
    return format_date(day)


@lru_cache(maxsize=4096)
def _date_time_text(moment: datetime, language: str) -> str:
    return format_datetime(moment)


def date_text(moment: datetime) -> str:
    """The day in Japan time: "Tue 4 Mar 2031" / "2031年3月4日(火)"."""
    return _date_text(timezone.localdate(moment), get_language())


def date_time_text(moment: datetime) -> str:
    """ "Tue 4 Mar 2031, 10:00" / "2031年3月4日(火) 10:00" in Japan time."""
    return _date_time_text(timezone.localtime(moment), get_language())


@dataclass(frozen=True, slots=True)
class SessionTime:
    """`<time datetime="...">Tue 4 Mar 2031, 10:00</time>–12:00`, the end's date only when it differs."""

    iso: str
    start: str
    end: str

    def __html__(self) -> str:
        return format_html('<time datetime="{}">{}</time>–{}', self.iso, self.start, self.end)

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


def session_time(start: datetime, end: datetime) -> SessionTime:
    japan = timezone.get_current_timezone()
    start, end = start.astimezone(japan), end.astimezone(japan)
    language = get_language()
    end_text = format_time(end) if end.date() == start.date() else _date_time_text(end, language)
    return SessionTime(start.isoformat(), _date_time_text(start, language), end_text)
