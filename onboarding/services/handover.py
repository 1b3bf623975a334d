"""The handover from GRM to the MC: opened on confirmation, acknowledged by the MC in the admin,
and a reminder to the MC and the GRM owner when it waits more than 2 working days."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from contacts.models import StaffRole, User
from contacts.office_days import add_working_days
from contacts.services import notify, notify_many

from ..models import Handover, Placement, PlacementEvent
from ..selectors import handover_sections
from .reminders import _chunks

HANDOVER_WORKING_DAYS = 2


class HandoverRefused(PermissionDenied):
    """This person may not acknowledge this handover, or it was called off."""


def _admin_url(handover: Handover) -> str:
    return reverse("admin:onboarding_handover_change", args=[handover.pk])


def handover_open(*, placement: Placement, event: PlacementEvent, mc: User | None) -> Handover:
    """Hand a newly confirmed ALT to their MC: the record, and an email to the MC in their language.

    Called by `placement_move` inside its transaction (the email goes after commit).
    Due for acknowledgement 2 working days later (the branch's office days,
    Japanese holidays and the company's closed days do not count).
    """
    branch = placement.branch
    handover = Handover.objects.create(
        placement=placement,
        event=event,
        branch=branch,
        mc=mc,
        grm_owner_id=placement.owner_id,
        created=event.at,
        due_at=add_working_days(event.at, HANDOVER_WORKING_DAYS, office_days=branch.office_days),
    )
    if mc is not None:
        with translation.override(mc.preferred_language):
            sections = handover_sections(handover=handover)
        notify(
            kind="onboarding.handover",
            key=f"onboarding.handover:{handover.pk}",
            template="onboarding/email/handover",
            context={
                "handover": handover,
                "alt": placement.alt,
                "branch": branch,
                "grm": placement.owner,
                "sections": sections,
                "admin_url": _admin_url(handover),
            },
            recipient=mc,
        )
    return handover


def handovers_call_off(*, placement: Placement) -> int:
    """The ALT went back to GRM (placement, withdrawn): handovers not yet acknowledged wait no more."""
    return Handover.objects.filter(placement=placement, acknowledged_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )


def handover_may_acknowledge(*, handover: Handover, user: User) -> bool:
    """The MC it was handed to, another MC of the branch (covering for them), or a superuser."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or handover.mc_id == user.pk:
        return True
    return StaffRole.objects.filter(user=user, role=StaffRole.Role.MC, branch_id=handover.branch_id).exists()


@transaction.atomic
def handover_acknowledge(*, handover: Handover, by: User) -> bool:
    """The MC has read the handover. One click; a second one changes nothing and is no error.

    Returns True when this call acknowledged it, False when it already was.
    Raises HandoverRefused for someone else's handover or one called off.
    """
    if not handover_may_acknowledge(handover=handover, user=by):
        raise HandoverRefused(_("Only the ALT's Managing Consultant (or another MC of the branch) acknowledges it."))
    # The conditional update is the lock: of two clicks at once, one changes the row.
    changed = Handover.objects.filter(pk=handover.pk, acknowledged_at__isnull=True, cancelled_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by
    )
    handover.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "cancelled_at"])
    if not changed and handover.acknowledged_at is None:
        raise HandoverRefused(_("This handover was called off: the placement went back to GRM."))
    return changed == 1


def handover_reminders_send(*, now=None) -> int:
    """Remind the MC and the GRM owner of each handover still waiting past its due time, once.

    A fixed handful of queries however many handovers; safe to run twice or on
    two workers at once (the Notification key decides). Returns the handovers reminded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        waiting = list(
            Handover.objects.filter(
                acknowledged_at__isnull=True, cancelled_at__isnull=True, reminded_at__isnull=True, due_at__lte=now
            )
            .select_related("placement__alt", "branch", "mc", "grm_owner")
            .order_by("due_at", "pk")
        )
        items = []
        for handover in waiting:
            people = {p.pk: p for p in (handover.mc, handover.grm_owner) if p is not None and p.is_active}
            for person in people.values():
                items.append(
                    {
                        "kind": "onboarding.handover_reminder",
                        "key": f"onboarding.handover_reminder:{handover.pk}:{person.pk}",
                        "template": "onboarding/email/handover_reminder",
                        "context": {
                            "handover": handover,
                            "alt": handover.placement.alt,
                            "branch": handover.branch,
                            "mc": handover.mc,
                            "for_mc": person.pk == handover.mc_id,
                            "admin_url": _admin_url(handover),
                        },
                        "recipient": person,
                    }
                )
        notify_many(items=items)
        for chunk in _chunks([handover.pk for handover in waiting]):
            Handover.objects.filter(pk__in=chunk, reminded_at__isnull=True).update(reminded_at=now)
    return len(waiting)
