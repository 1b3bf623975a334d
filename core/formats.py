"""Dates as a person reads them: one format per language, in Japan time.

English "Tue 8 Dec 2026, 14:00" (a day alone: "Tue 8 Dec 2026"), Japanese
"2026年12月8日(火) 14:00" ("2026年12月8日(火)"): the DATE_FORMAT and
DATETIME_FORMAT of the format modules (settings.FORMAT_MODULE_PATH), in the
active language. Python code (admin columns, emails' values, the calendar feed,
__str__) calls these functions; Jinja2 pages use the `date`, `datetime` and
`time` filters (core.jinja2), Django templates `|date:"DATE_FORMAT"`,
`|date:"DATETIME_FORMAT"` and `|time:"H:i"`. Machine formats (ISO in a <time>
element, keys, CSV exports, calendar timestamps) are not for reading and stay ISO.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format

TIME = "H:i"


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value: date | datetime | None) -> str:
    """ "Tue 8 Dec 2026" / "2026年12月8日(火)": the day (of a moment: in Japan time); "" for None."""
    if value is None or value == "":
        return ""
    return date_format(_local(value), "DATE_FORMAT")


def format_datetime(value: datetime | None) -> str:
    """ "Tue 8 Dec 2026, 14:00" / "2026年12月8日(火) 14:00" in Japan time; a date alone as format_date."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return format_date(value)
    return date_format(_local(value), "DATETIME_FORMAT")


def format_time(value: datetime | None) -> str:
    """ "14:00" in Japan time."""
    if value is None or value == "":
        return ""
    return date_format(_local(value), TIME)


def format_span(start: datetime, end: datetime | None) -> str:
    """ "Tue 8 Dec 2026, 14:00–16:00"; the end's day written too when it is another day."""
    if end is None:
        return format_datetime(start)
    local_start, local_end = _local(start), _local(end)
    if local_end.date() == local_start.date():
        return f"{format_datetime(local_start)}–{format_time(local_end)}"
    return f"{format_datetime(local_start)}–{format_datetime(local_end)}"
