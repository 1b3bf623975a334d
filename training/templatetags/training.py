"""Template helpers for the training pages."""

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def session_when(session):
    """`<time>Mon 1 Dec 2026 10:00</time>–12:00` in Japan time; the end's date only when it differs.

    One conversion to local time per session instead of a filter per part: a
    page lists dozens of sessions.
    """
    start = timezone.localtime(session.start)
    end = timezone.localtime(session.end)
    end_text = time_format(end, "H:i")
    if end.date() != start.date():
        end_text = f"{date_format(end, 'D')} {date_format(end, 'DATE_FORMAT')} {end_text}"
    return format_html(
        '<time datetime="{}">{} {} {}</time>–{}',
        dateformat.format(start, "c"),
        date_format(start, "D"),
        date_format(start, "DATE_FORMAT"),
        time_format(start, "H:i"),
        end_text,
    )
