"""The ALT's visits as calendar events, for the feed the training app serves (wired in interac_portal)."""

from django.conf import settings
from django.utils.translation import gettext as _

from core.formats import format_span

from .models import Visit
from .selectors import visits_for_calendar

_STATUS = {
    Visit.Status.CONFIRMED: "CONFIRMED",
    Visit.Status.PROPOSED: "TENTATIVE",
    Visit.Status.NEW_TIME_ASKED: "TENTATIVE",
    Visit.Status.CANCELLED: "CANCELLED",
}


def visit_calendar_events(*, alt) -> list[dict]:
    """One event per visit of `alt` (the fields of training's CalendarEntry). One query; call it under
    the ALT's language."""
    events = []
    for visit in visits_for_calendar(user=alt):
        category = visit.support_request.get_category_display()
        summary = _("Going with %(name)s: %(what)s") % {"name": visit.staff.display_name, "what": category}
        if visit.status == Visit.Status.CANCELLED:
            summary = _("Cancelled: %(title)s") % {"title": summary}
        events.append(
            {
                "uid": f"support-visit-{visit.pk}@alt-portal",
                "start": visit.starts_at,
                "end": visit.ends_at,
                "summary": summary,
                "description": "\n".join(
                    [
                        f"{_('When')}: {format_span(visit.starts_at, visit.ends_at)} ({_('Japan time')})",
                        visit.support_request.reference,
                        _("Meeting point: %(place)s") % {"place": visit.meeting_point},
                        str(visit.get_status_display()),
                    ]
                ),
                "location": visit.meeting_point,
                "url": settings.SITE_URL + visit.get_absolute_url(),
                "status": _STATUS[visit.status],
            }
        )
    return events
