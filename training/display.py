"""How sessions' times read on the pages: in Japan time, in the reader's language.

A page lists dozens of sessions, most of them on a few days: the text of a day
("Tue March 4, 2031", "2031年3月4日") is made once per day and language and kept,
not once per session.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language


@lru_cache(maxsize=2048)
def _day_text(day: date, language: str) -> str:
    return f"{date_format(day, 'D')} {date_format(day, 'DATE_FORMAT')}"


@lru_cache(maxsize=2048)
def _date_text(day: date, language: str) -> str:
    return date_format(day, "DATE_FORMAT")


def date_text(moment: datetime) -> str:
    """The day in Japan time, as Django's DATE_FORMAT writes it in the active language."""
    return _date_text(timezone.localdate(moment), get_language())


def date_time_text(moment: datetime) -> str:
    """ "March 4, 2031 10:00" in Japan time."""
    local = timezone.localtime(moment)
    return f"{_date_text(local.date(), get_language())} {local:%H:%M}"


@dataclass(frozen=True, slots=True)
class SessionTime:
    """`<time datetime="...">Tue March 4, 2031 10:00</time>–12:00`, the end's date only when it differs."""

    iso: str
    start: str
    end: str

    def __html__(self) -> str:
        return format_html('<time datetime="{}">{}</time>–{}', self.iso, self.start, self.end)


def session_time(start: datetime, end: datetime) -> SessionTime:
    japan = timezone.get_current_timezone()
    start, end = start.astimezone(japan), end.astimezone(japan)
    language = get_language()
    end_text = f"{end:%H:%M}"
    if end.date() != start.date():
        end_text = f"{_day_text(end.date(), language)} {end_text}"
    return SessionTime(start.isoformat(), f"{_day_text(start.date(), language)} {start:%H:%M}", end_text)
