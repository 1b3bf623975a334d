"""Reads of the flows that cross two feature apps (wired here, above both)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, FilteredRelation, OuterRef, Q

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
    """The ALT's steps still open that they asked help with, each with the request it led to (its pk,
    reference, status and when it was sent). One query: the asks joined to the ALT's requests of their
    category sent within a day of asking, the first of which is the one (as `request_for_ask`)."""
    sent = "item__alt__support_requests"
    asked = FilteredRelation(
        sent,
        condition=Q(
            **{
                f"{sent}__category": F("category"),
                f"{sent}__created__gte": F("asked_at"),
                f"{sent}__created__lt": F("asked_at") + ASK_WINDOW,
            }
        ),
    )
    rows = (
        ChecklistHelp.objects.filter(item__alt_id=alt_id, item__done_at__isnull=True)
        .annotate(asked=asked)
        .filter(asked__isnull=False)
        .order_by("pk", "asked__created", "asked__pk")
        .values_list("pk", "item__kind", "asked__pk", "asked__reference", "asked__status", "asked__created")
    )
    found: dict[int, ChecklistHelpRow] = {}
    for ask_pk, kind, pk, reference, status, created in rows:
        if ask_pk in found or kind not in STEPS_BY_KIND:
            continue  # a later request of the same ask, or a step no longer on the checklist
        support_request = SupportRequest(pk=pk, alt_id=alt_id, reference=reference, status=status, created=created)
        found[ask_pk] = ChecklistHelpRow(step=STEPS_BY_KIND[kind], support_request=support_request)
    return list(found.values())


def checklist_help_dashboard_card(*, profile: AltProfile) -> dict | None:
    """The steps whose help request is resolved: the dashboard offers to tick them (None when there are none)."""
    resolved = [row for row in checklist_help_requests(alt_id=profile.user_id) if row.resolved]
    return {"resolved": resolved} if resolved else None
