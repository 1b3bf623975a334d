"""Reads of the flows that cross two feature apps (wired here, above both)."""

from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts.models import AltProfile
from onboarding.checklist import STEPS_BY_KIND
from support.models import Status, SupportRequest

from .models import ChecklistHelp

# The request an ask led to is sent within this long of pressing "Ask for help".
ASK_WINDOW = timedelta(days=1)
RESOLVED = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class ChecklistHelpRow:
    step: object
    support_request: SupportRequest

    @property
    def resolved(self) -> bool:
        return self.support_request.status in RESOLVED


def _requests_for_ask():
    """The requests the ALT sent in the ask's category within a day of asking, first first (the outer row
    is a ChecklistHelp)."""
    return SupportRequest.objects.filter(
        alt_id=OuterRef("item__alt_id"),
        category=OuterRef("category"),
        created__gte=OuterRef("asked_at"),
        created__lt=OuterRef("asked_at") + ASK_WINDOW,
    ).order_by("created", "pk")


def request_for_ask(field: str = "pk"):
    """`field` of the first request the ALT sent in the ask's category within a day of asking (a subquery)."""
    return _requests_for_ask().values(field)[:1]


# What is shown of the request an ask led to, as one JSON value: one subquery rather than one per field.
_ASKED_REQUEST = JSONObject(pk="pk", reference="reference", status="status", created="created")


def _moment(text: str):
    # PostgreSQL writes the time zone into the JSON; SQLite keeps UTC without saying so.
    moment = parse_datetime(text)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def checklist_help_requests(*, alt_id: int) -> list[ChecklistHelpRow]:
    """The ALT's steps still open that they asked help with, each with the request it led to (its pk,
    reference, status and when it was sent). One query."""
    asks = (
        ChecklistHelp.objects.filter(item__alt_id=alt_id, item__done_at__isnull=True)
        .annotate(request=Subquery(_requests_for_ask().values(data=_ASKED_REQUEST)[:1]))
        .filter(request__isnull=False)
        .values_list("item__kind", "request")
    )
    return [
        ChecklistHelpRow(
            step=STEPS_BY_KIND[kind],
            support_request=SupportRequest(
                pk=data["pk"],
                alt_id=alt_id,
                reference=data["reference"],
                status=data["status"],
                created=_moment(data["created"]),
            ),
        )
        for kind, data in asks
        if kind in STEPS_BY_KIND
    ]


def checklist_help_dashboard_card(*, profile: AltProfile) -> dict | None:
    """The steps whose help request is resolved: the dashboard offers to tick them (None when there are none)."""
    resolved = [row for row in checklist_help_requests(alt_id=profile.user_id) if row.resolved]
    return {"resolved": resolved} if resolved else None
