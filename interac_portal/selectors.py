"""Reads of the flows that cross two feature apps (wired here, above both)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef, Subquery

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


def request_for_ask(field: str = "pk"):
    """`field` of the first request the ALT sent in the ask's category within a day of asking
    (a subquery; the outer row is a ChecklistHelp)."""
    return (
        SupportRequest.objects.filter(
            alt_id=OuterRef("item__alt_id"),
            category=OuterRef("category"),
            created__gte=OuterRef("asked_at"),
            created__lt=OuterRef("asked_at") + ASK_WINDOW,
        )
        .order_by("created", "pk")
        .values(field)[:1]
    )


def checklist_help_requests(*, alt_id: int) -> list[ChecklistHelpRow]:
    """The ALT's steps still open that they asked help with, each with the request it led to (two queries)."""
    asks = list(
        ChecklistHelp.objects.filter(item__alt_id=alt_id, item__done_at__isnull=True)
        .annotate(request_pk=Subquery(request_for_ask()))
        .filter(request_pk__isnull=False)
        .values_list("item__kind", "request_pk")
    )
    if not asks:
        return []
    requests = SupportRequest.objects.filter(pk__in=[pk for _kind, pk in asks], alt_id=alt_id).in_bulk()
    return [
        ChecklistHelpRow(step=STEPS_BY_KIND[kind], support_request=requests[pk])
        for kind, pk in asks
        if kind in STEPS_BY_KIND and pk in requests
    ]


def checklist_help_dashboard_card(*, profile: AltProfile) -> dict | None:
    """The steps whose help request is resolved: the dashboard offers to tick them (None when there are none)."""
    resolved = [row for row in checklist_help_requests(alt_id=profile.user_id) if row.resolved]
    return {"resolved": resolved} if resolved else None
