"""Going along: staff schedule a visit with the ALT; the ALT confirms or asks for another time."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import User
from contacts.services import notify, notify_many

from ..models import OPEN_STATUSES, VISIT_CATEGORIES, SupportRequest, Visit
from ..selectors import is_branch_colleague, visits_due_a_reminder
from ._common import _admin_url, _site_url, refuse, reply_to

VISIT_FIELDS = ("starts_at", "ends_at", "meeting_point", "staff")


def visit_problem(
    *, support_request: SupportRequest, starts_at: datetime, ends_at: datetime, staff: User, now=None
) -> tuple[str | None, str] | None:
    """Why a visit may not be scheduled so, as (form field, message), or None."""
    now = now or timezone.now()
    if support_request.category not in VISIT_CATEGORIES or support_request.branch_id is None:
        return "support_request", str(
            _("Visits go with requests about the city hall, a bank, a phone, a doctor, housing or the municipality.")
        )
    if starts_at <= now:
        return "starts_at", str(_("The visit must be in the future."))
    if ends_at <= starts_at:
        return "ends_at", str(_("The visit must end after it starts."))
    if not is_branch_colleague(user=staff, support_request=support_request):
        return "staff", str(_("Choose someone of the request's branch to go."))
    return None


def _alt_url(visit: Visit) -> str:
    return _site_url(visit.get_absolute_url())


def _notify_alt_of_visit(visit: Visit, *, kind: str, template: str, key: str) -> None:
    notify(
        kind=kind,
        key=key,
        template=template,
        context={"visit": visit, "support_request": visit.support_request, "url": _alt_url(visit)},
        recipient=visit.support_request.alt,
        reply_to=reply_to(visit.support_request, visit.support_request.alt),
    )


def visit_schedule(
    *,
    support_request: SupportRequest,
    starts_at: datetime,
    ends_at: datetime,
    meeting_point: str,
    staff: User,
    by: User,
) -> Visit:
    """Schedule a visit for a request; the ALT is emailed and asked to confirm.

    Refused (ValidationError) for a visit in the past, one that ends before it
    starts, a request that is not about a place to go, or someone of another branch.
    """
    problem = visit_problem(support_request=support_request, starts_at=starts_at, ends_at=ends_at, staff=staff)
    if problem is not None:
        refuse(problem, code="visit")
    with transaction.atomic():
        visit = Visit.objects.create(
            support_request=support_request,
            branch_id=support_request.branch_id,
            starts_at=starts_at,
            ends_at=ends_at,
            meeting_point=meeting_point,
            staff=staff,
            created_by=by,
        )
        _notify_alt_of_visit(
            visit,
            kind="support.visit_scheduled",
            template="support/email/visit_scheduled",
            key=f"support.visit_scheduled:{visit.pk}",
        )
    return visit


def visit_update(*, visit: Visit, changed_fields, by: User) -> Visit:
    """Save what staff changed. A new time, place or person asks the ALT to confirm again (emailed);
    a cancelled visit is emailed as such."""
    changed = set(changed_fields) & {*VISIT_FIELDS, "status"}
    if not changed:
        return visit
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if changed & set(VISIT_FIELDS):
            if changed & {"starts_at", "ends_at", "staff"}:
                problem = visit_problem(
                    support_request=visit.support_request,
                    starts_at=visit.starts_at,
                    ends_at=visit.ends_at,
                    staff=visit.staff,
                )
                if problem is not None:
                    refuse(problem, code="visit")
            if visit.status != Visit.Status.CANCELLED:
                visit.status = Visit.Status.PROPOSED
                changed.add("status")
        visit.version = locked.version + 1
        visit.save(update_fields=sorted({*changed, "version"}))
        moment = timezone.localtime(visit.starts_at).strftime("%Y%m%dT%H%M")
        if visit.status == Visit.Status.CANCELLED and locked.status != Visit.Status.CANCELLED:
            _notify_alt_of_visit(
                visit,
                kind="support.visit_cancelled",
                template="support/email/visit_cancelled",
                key=f"support.visit_cancelled:{visit.pk}",
            )
        elif changed & set(VISIT_FIELDS) and visit.status != Visit.Status.CANCELLED:
            _notify_alt_of_visit(
                visit,
                kind="support.visit_changed",
                template="support/email/visit_scheduled",
                key=f"support.visit_changed:{visit.pk}:{moment}:{visit.staff_id}:{timezone.now():%Y%m%dT%H%M%S}",
            )
    return visit


def _alt_may_answer(visit: Visit) -> None:
    if not visit.is_upcoming or visit.support_request.status not in OPEN_STATUSES:
        raise ValidationError(_("This visit can no longer be changed here. Please write to your branch."), code="past")


def visit_confirm(*, visit: Visit, by: User) -> bool:
    """The ALT confirms the visit. False when it was already confirmed (a second click)."""
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("support_request").get(pk=visit.pk)
        _alt_may_answer(locked)
        if locked.status == Visit.Status.CONFIRMED:
            return False
        locked.status = Visit.Status.CONFIRMED
        locked.alt_answered_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "alt_answered_at", "version"])
        _notify_staff_of_answer(locked, by=by)
    return True


def visit_ask_new_time(*, visit: Visit, by: User, note: str) -> bool:
    """The ALT asks for another time, with a note; the person who goes is emailed. The same note again
    is a double click (False)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say which times suit you.")}, code="empty")
    with transaction.atomic():
        locked = Visit.objects.select_for_update().select_related("support_request").get(pk=visit.pk)
        _alt_may_answer(locked)
        if locked.status == Visit.Status.NEW_TIME_ASKED and locked.alt_note == note:
            return False
        locked.status = Visit.Status.NEW_TIME_ASKED
        locked.alt_note = note
        locked.alt_answered_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "alt_note", "alt_answered_at", "version"])
        _notify_staff_of_answer(locked, by=by)
    return True


def _notify_staff_of_answer(visit: Visit, *, by: User) -> None:
    notify(
        kind="support.visit_answer",
        key=f"support.visit_answer:{visit.pk}:{visit.alt_answered_at:%Y%m%dT%H%M%S%f}",
        template="support/email/visit_answer",
        context={
            "visit": visit,
            "support_request": visit.support_request,
            "alt": by,
            "admin_url": _site_url(reverse("admin:support_visit_change", args=[visit.pk])),
            "request_url": _admin_url(visit.support_request),
        },
        recipient=visit.staff,
        reply_to=reply_to(visit.support_request, visit.staff),
    )


def visits_send_reminders(*, now: datetime | None = None) -> int:
    """Remind each ALT the day before a visit (Japan time); once per visit and start time.

    Rows are claimed with SKIP LOCKED and marked with the start time they were
    reminded of, in the transaction that writes the emails: safe to run twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        visits = list(visits_due_a_reminder(now=now).select_for_update(skip_locked=True, of=("self",)))
        if not visits:
            return 0
        items = [
            {
                "kind": "support.visit_reminder",
                "key": f"support.visit_reminder:{visit.pk}:{timezone.localtime(visit.starts_at):%Y%m%dT%H%M}",
                "template": "support/email/visit_reminder",
                "context": {"visit": visit, "support_request": visit.support_request, "url": _alt_url(visit)},
                "recipient": visit.support_request.alt,
                "reply_to": reply_to(visit.support_request, visit.support_request.alt),
            }
            for visit in visits
        ]
        notify_many(items=items)
        Visit.objects.filter(pk__in=[v.pk for v in visits]).update(reminded_for=F("starts_at"))
    return len(visits)
