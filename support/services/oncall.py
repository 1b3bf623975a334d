"""Urgent help out of hours: call out whoever is on call, acknowledge, escalate after 30 minutes."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch, User
from contacts.services import notify
from core.formats import format_datetime

from ..due import OfficeHours, is_office_open
from ..models import OnCallShift, SupportRequest, Urgency, UrgentAlert
from ..selectors import (
    on_call_next_person,
    on_call_overlapping,
    on_call_shift_at,
    sesps_people,
    urgent_alert_ack_token,
    urgent_alerts_waiting,
)
from ._common import _admin_url, _site_url, refuse, reply_to

# A call-out nobody acknowledged within this long goes to the next person on the rota and to SESPS.
ESCALATE_AFTER = timedelta(minutes=30)


def _notify_call_out(alert: UrgentAlert, person: User, *, kind: str, template: str) -> None:
    token = urgent_alert_ack_token(alert=alert, user=person)
    notify(
        kind=kind,
        key=f"{kind}:{alert.pk}:{person.pk}",
        template=template,
        context={
            "support_request": alert.support_request,
            "alert": alert,
            "ack_url": _site_url(reverse("support:urgent_ack", args=[token])),
            "admin_url": _admin_url(alert.support_request),
            "minutes": int(ESCALATE_AFTER.total_seconds() // 60),
        },
        recipient=person,
        reply_to=reply_to(alert.support_request, person),
    )


def urgent_alert_open(*, support_request: SupportRequest, now: datetime) -> UrgentAlert | None:
    """Call out whoever is on call for an urgent request sent outside its branch's office hours.

    Runs in the transaction that creates the request; the email goes through
    the outbox on commit. With nobody on the rota at that moment the call-out
    is escalated at once (the next person on the rota and SESPS). Returns
    None for a request that needs no call-out (not urgent, office open, GRM's).
    """
    if support_request.urgency != Urgency.URGENT or support_request.branch_id is None:
        return None
    if is_office_open(now, OfficeHours.of(support_request.branch)):
        return None
    shift = on_call_shift_at(branch_id=support_request.branch_id, at=now)
    alert = UrgentAlert.objects.create(
        support_request=support_request,
        branch_id=support_request.branch_id,
        created=now,
        shift=shift,
        on_call=shift.person if shift else None,
        phone=shift.phone if shift else "",
        escalated_at=None if shift else now,
    )
    if shift is not None:
        _notify_call_out(alert, shift.person, kind="support.urgent_call_out", template="support/email/urgent_call_out")
    else:
        _escalate(alert, now)
    return alert


def _escalate(alert: UrgentAlert, now: datetime) -> None:
    after = alert.shift.starts_at if alert.shift_id and alert.shift else now
    next_person = on_call_next_person(branch_id=alert.branch_id, after=after, besides=alert.on_call_id)
    alert.escalated_at = now
    alert.escalated_to = next_person
    alert.save(update_fields=["escalated_at", "escalated_to"])
    people = [next_person] if next_person else []
    people += [person for person in sesps_people() if person not in people]
    for person in people:
        _notify_call_out(alert, person, kind="support.urgent_escalated", template="support/email/urgent_escalated")


def urgent_alert_escalate(*, alert_id: int, now: datetime | None = None) -> bool:
    """Escalate one call-out if it is still unacknowledged and not yet escalated; True if this call did.

    The escalation is claimed with a conditional update: of two runs at once,
    only one goes on, so nobody is called twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = UrgentAlert.objects.filter(
            pk=alert_id, acknowledged_at__isnull=True, escalated_at__isnull=True
        ).update(escalated_at=now)
        if claimed != 1:
            return False
        alert = UrgentAlert.objects.select_related(
            "shift", "support_request", "support_request__alt", "support_request__branch"
        ).get(pk=alert_id)
        _escalate(alert, now)
    return True


def urgent_alerts_escalate(*, now: datetime | None = None) -> int:
    """Escalate every call-out not acknowledged within 30 minutes, once each; return how many."""
    now = now or timezone.now()
    ids = list(urgent_alerts_waiting(older_than=now - ESCALATE_AFTER).values_list("pk", flat=True)[:500])
    return sum(urgent_alert_escalate(alert_id=pk, now=now) for pk in ids)


def urgent_alert_acknowledge(*, alert: UrgentAlert, by: User, now: datetime | None = None) -> bool:
    """`by` takes the call-out: no escalation after this. False when it was already acknowledged."""
    now = now or timezone.now()
    changed = UrgentAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=by
    )
    alert.refresh_from_db()
    return changed == 1


def urgent_alert_acknowledge_for_request(*, support_request: SupportRequest, by: User) -> bool:
    """A reply or a resolution from staff answers the call-out too. One query."""
    changed = UrgentAlert.objects.filter(support_request=support_request, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=by
    )
    return changed == 1


# --- the rota -------------------------------------------------------------------------


def on_call_shift_problem(
    *, branch: Branch, person: User, starts_at: datetime, ends_at: datetime, exclude_pk=None
) -> tuple[str | None, str] | None:
    """Why a shift may not be saved, as (form field, message), or None.

    Inside a transaction (the admin saves in one) the branch row stays locked
    until it ends: two overlapping shifts saved at once cannot both pass.
    """
    if ends_at <= starts_at:
        return "ends_at", str(_("A shift must end after it starts."))
    if transaction.get_connection().in_atomic_block:
        Branch.objects.select_for_update().filter(pk=branch.pk).first()
    clash = (
        on_call_overlapping(branch_id=branch.pk, starts_at=starts_at, ends_at=ends_at, exclude_pk=exclude_pk)
        .select_related("person")
        .first()
    )
    if clash is not None:
        return None, str(
            _("This shift overlaps %(name)s's shift from %(start)s to %(end)s. Change the times of one of them.")
            % {
                "name": clash.person.display_name,
                "start": format_datetime(clash.starts_at),
                "end": format_datetime(clash.ends_at),
            }
        )
    return None


def on_call_shift_save(*, shift: OnCallShift) -> OnCallShift:
    """Save a rota entry, refused (ValidationError) when it ends before it starts or overlaps another.

    The branch row is locked while checking, so two people adding shifts at
    once cannot both slip in overlapping ones.
    """
    with transaction.atomic():
        problem = on_call_shift_problem(
            branch=shift.branch,
            person=shift.person,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            exclude_pk=shift.pk,
        )
        if problem is not None:
            refuse(problem, code="rota")
        if shift.pk:
            shift.version += 1
        shift.save()
    return shift
