"""The ALT's private iCalendar feed (RFC 5545), built with the icalendar package.

Other apps add their events (a support visit) without training importing
them: the layer above registers a provider (`register_event_provider`), a
function of the ALT that returns CalendarEntry rows; the feed reads them all.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.formats import format_span

from .models import Registration


@dataclass(frozen=True)
class CalendarEntry:
    """An event another app puts in the ALT's feed."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # or TENTATIVE, CANCELLED


_event_providers: list[Callable[..., list[CalendarEntry]]] = []


def register_event_provider(provider: Callable[..., list[CalendarEntry]]) -> None:
    """Add `provider(alt=user) -> list[CalendarEntry]` to every feed (once, however often it is registered)."""
    if provider not in _event_providers:
        _event_providers.append(provider)


def extra_entries(*, alt) -> list[CalendarEntry]:
    """What the registered providers add to `alt`'s feed; call it under the ALT's language."""
    return [entry for provider in _event_providers for entry in provider(alt=alt)]


def _location(session) -> str:
    parts = [session.place, session.online_link]
    return " · ".join(p for p in parts if p)


def _summary(registration: Registration) -> str:
    session = registration.session
    title = session.display_title
    if session.is_cancelled:
        return _("Cancelled: %(title)s") % {"title": title}
    if registration.status == Registration.Status.WAITLISTED:
        return _("Waiting list: %(title)s") % {"title": title}
    return title


def _description(registration: Registration) -> str:
    session = registration.session
    when = format_span(session.start, session.end)
    lines = [f"{_('When')}: {when} ({_('Japan time')})", str(session.get_kind_display())]
    if session.required:
        lines.append(_("Required"))
    if session.branch_id:
        lines.append(session.branch.name)
    if session.trainer_id:
        lines.append(_("Trainer: %(name)s") % {"name": session.trainer.display_name})
    if registration.status in Registration.ATTENDANCE:
        lines.append(_("Attendance: %(status)s") % {"status": registration.get_status_display()})
    if session.display_description:
        lines.extend(["", session.display_description])
    return "\n".join(lines)


def _event(registration: Registration, *, stamp, page: str) -> Event:
    session = registration.session
    event = Event()
    event.add("uid", f"training-session-{session.pk}@alt-portal")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.start.astimezone(UTC))
    event.add("dtend", session.end.astimezone(UTC))
    event.add("summary", _summary(registration))
    event.add("description", _description(registration))
    location = _location(session)
    if location:
        event.add("location", location)
    event.add("url", session.online_url or f"{page}#session-{session.pk}")
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    elif registration.status == Registration.Status.WAITLISTED:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    return event


def _extra_event(entry: CalendarEntry, *, stamp) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.start.astimezone(UTC))
    event.add("dtend", entry.end.astimezone(UTC))
    event.add("summary", entry.summary)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    if entry.url:
        event.add("url", entry.url)
    event.add("status", entry.status)
    return event


def build_calendar(
    *, registrations: list[Registration], subscription: bool = True, extra: list[CalendarEntry] = ()
) -> bytes:
    """The calendar of the ALT's sessions and `extra` events (another app's); call it under the ALT's language.

    `subscription`: the private feed that calendar apps poll. A one-session
    download (`subscription=False`) is imported once; the same UID lets a
    later feed update the event rather than add a second one.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//ALT Portal//Training//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if subscription:
        calendar.add("x-wr-calname", _("ALT Portal training"))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        # Phones poll subscriptions; ask for a refresh every few hours.
        calendar.add("refresh-interval;value=duration", "PT4H")
        calendar.add("x-published-ttl", "PT4H")
    stamp = timezone.now().astimezone(UTC)
    page = settings.SITE_URL + reverse("training:index")
    for registration in registrations:
        calendar.add_component(_event(registration, stamp=stamp, page=page))
    for entry in extra:
        calendar.add_component(_extra_event(entry, stamp=stamp))
    return calendar.to_ical()
