"""Reads of visits: the ALT's, the calendar feed's, the reminders', and double bookings."""

from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contacts.models import User

from ..due import JAPAN
from ..models import Visit

# How far back the calendar feed goes (as the training feed does).
CALENDAR_PERIOD = timedelta(days=365)


def visits_for_request(*, support_request) -> list[Visit]:
    """The visits of a request, soonest first, with who goes. One query."""
    return list(Visit.objects.filter(support_request=support_request).select_related("staff").order_by("starts_at"))


def visit_get_for_alt(*, user: User, pk: int) -> Visit:
    """A visit of one of the ALT's own requests; 404 for anyone else's."""
    visit = Visit.objects.select_related("support_request", "staff").filter(pk=pk, support_request__alt=user).first()
    if visit is None:
        raise Http404("No such visit")
    return visit


def visits_upcoming_for_alt(*, user_id: int, limit: int = 3) -> list[Visit]:
    """The ALT's visits still to come (not cancelled), soonest first. One query."""
    return list(
        Visit.objects.filter(support_request__alt_id=user_id, status__in=Visit.ACTIVE, ends_at__gt=timezone.now())
        .select_related("staff", "support_request")
        .only(
            "pk",
            "starts_at",
            "ends_at",
            "meeting_point",
            "status",
            "support_request_id",
            "support_request__reference",
            "support_request__category",
            "staff__first_name",
            "staff__last_name",
            "staff__email",
        )
        .order_by("starts_at")[:limit]
    )


def visits_for_calendar(*, user: User, now: datetime | None = None) -> list[Visit]:
    """What goes into the ALT's calendar feed: their visits from 12 months back, cancelled ones included."""
    now = now or timezone.now()
    return list(
        Visit.objects.filter(support_request__alt=user, starts_at__gte=now - CALENDAR_PERIOD)
        .select_related("staff", "support_request")
        .order_by("starts_at")
    )


def visits_due_a_reminder(*, now: datetime) -> QuerySet:
    """Visits of tomorrow (Japan time) not cancelled and not yet reminded of their current start time."""
    tomorrow = (now.astimezone(JAPAN) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=JAPAN)
    return (
        Visit.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1), status__in=Visit.ACTIVE)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("starts_at")))
        .select_related("support_request", "support_request__alt", "staff")
        .order_by("starts_at")
    )


def visit_clash_annotation() -> Exists:
    """True when the visit's staff member has another active visit at the same time."""
    return Exists(
        Visit.objects.filter(
            staff_id=OuterRef("staff_id"),
            starts_at__lt=OuterRef("ends_at"),
            ends_at__gt=OuterRef("starts_at"),
            status__in=Visit.ACTIVE,
        ).exclude(pk=OuterRef("pk"))
    )


def visit_clashes(*, staff_id: int, starts_at: datetime, ends_at: datetime, exclude_pk=None) -> list[Visit]:
    """The staff member's other active visits that overlap [starts_at, ends_at)."""
    visits = Visit.objects.filter(
        staff_id=staff_id, starts_at__lt=ends_at, ends_at__gt=starts_at, status__in=Visit.ACTIVE
    ).select_related("support_request")
    if exclude_pk is not None:
        visits = visits.exclude(pk=exclude_pk)
    return list(visits.order_by("starts_at"))
