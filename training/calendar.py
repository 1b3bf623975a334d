"""The ALT's private iCalendar feed (RFC 5545), built with the icalendar package."""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Registration


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
    lines = [str(session.get_kind_display())]
    if session.required:
        lines.append(_("Required"))
    if session.branch_id:
        lines.append(session.branch.name)
    if session.trainer_id:
        lines.append(_("Trainer: %(name)s") % {"name": session.trainer.display_name})
    if registration.status in Registration.ATTENDANCE:
        lines.append(_("Attendance: %(status)s") % {"status": registration.get_status_display()})
    if session.description:
        lines.extend(["", session.description])
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


def build_calendar(*, registrations: list[Registration], subscription: bool = True) -> bytes:
    """The calendar of the ALT's sessions; call it under the ALT's language.

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
    return calendar.to_ical()
