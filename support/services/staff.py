"""What branch staff do in the admin: reply, note, assign, change status, delete."""

import contextlib
from collections.abc import Sequence
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, User
from contacts.services import notify
from core.formats import format_time

from ..files import CheckedFile
from ..models import (
    CONFIDENTIAL_PERMISSION,
    OPEN_STATUSES,
    Attachment,
    Category,
    Message,
    Status,
    SupportRequest,
)
from ..selectors import alts_staff_may_open_for, is_branch_colleague
from ._common import (
    StaleRequestError,
    _admin_url,
    _files_removed_on_failure,
    _lock,
    _notify_alt,
    _store_attachment,
    _with_upload,
    reply_to,
    support_request_due_at,
)
from .alt import support_request_create
from .oncall import urgent_alert_acknowledge_for_request

# --- staff ------------------------------------------------------------------------


def open_for_alt_problem(*, by: User, profile: AltProfile, category: str) -> tuple[str, str] | None:
    """Why `by` may not open a request of `category` for `profile`'s ALT, as (form field, message), or None."""
    if not by.has_perm("support.add_supportrequest"):
        return "alt", str(_("You may not open requests for ALTs."))
    if not alts_staff_may_open_for(user=by).filter(pk=profile.user_id).exists():
        return "alt", str(_("Choose an ALT of your branch."))
    if category == Category.WELLBEING and not (
        # They must be able to read what they write: the ALT's MC, or staff with the permission.
        by.has_perm(CONFIDENTIAL_PERMISSION) or profile.managing_consultant_id == by.pk
    ):
        return "category", str(
            _(
                "A well-being request is opened by the ALT's Managing Consultant or someone allowed to "
                "read it: please pass the call on, or give the ALT the counselling line."
            )
        )
    return None


def support_request_open_for_alt(
    *,
    by: User,
    profile: AltProfile,
    category: str,
    subject: str,
    details: str,
    urgency: str,
    submit_token,
    assign_to_me: bool = True,
) -> tuple[SupportRequest, bool]:
    """Branch staff open a request for an ALT who called or came by: the ALT gets the same
    confirmation email and page as if they had sent it, with who opened it.

    Returns (request, created); the same form sent twice gives the first request.
    """
    problem = open_for_alt_problem(by=by, profile=profile, category=category)
    if problem is not None:
        raise ValidationError(problem[1], code="not_allowed")
    return support_request_create(
        alt=profile.user,
        profile=profile,
        category=category,
        subject=subject,
        details=details,
        urgency=urgency,
        submit_token=submit_token,
        opened_by=by,
        assignee=by if assign_to_me else None,
    )


STAFF_EDITABLE_FIELDS = {"category", "subject", "urgency", "status", "assignee"}


# What _apply_status may write besides the status.
STATUS_FIELDS = ["status", "resolved_at", "reopened_at", "due_at"]


def _apply_status(support_request: SupportRequest, status: str, now, *, previous: str) -> None:
    """Set `status` (the row was at `previous`). Reopening a resolved or closed request gives it a new
    due time from now, as the ALT's own reopen does: its old one has long passed."""
    support_request.status = status
    if status == Status.RESOLVED:
        support_request.resolved_at = support_request.resolved_at or now
    elif status in OPEN_STATUSES:
        support_request.resolved_at = None
        if previous not in OPEN_STATUSES:
            support_request.reopened_at = now
            support_request.due_at = support_request_due_at(
                branch=support_request.branch, urgency=support_request.urgency, start=now
            )


def support_request_staff_save(
    *,
    support_request: SupportRequest,
    changed_fields,
    by: User,
    expected_version: int,
    reply: str = "",
    internal: bool = False,
    upload=None,
    checked_file: CheckedFile | None = None,
    handover_note: str = "",
    files: Sequence[tuple] = (),
) -> Message | None:
    """Save what a member of staff changed in the admin, and their reply or internal note.

    Refused with StaleRequestError when the request changed since the form
    was loaded (`expected_version`): never a silent overwrite. A reply is
    emailed to the ALT in their language; an internal note never is.

    Handing it on: a new assignee (a scheduler, trainer, SESPS, another MC)
    is emailed, with `handover_note`, which is kept in the thread as an
    internal note the ALT never sees. A reply or a resolution from staff
    also answers an urgent call-out. `files` are more (upload, CheckedFile)
    pairs for the reply, already checked (an email's attachments).
    """
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = _lock(support_request)
        if locked.version != expected_version:
            raise StaleRequestError(stale_message(locked), code="stale")
        fields = set(changed_fields) & STAFF_EDITABLE_FIELDS
        now = timezone.now()
        # A new assignee, or a new category (moving to Well-being narrows who may read it), is checked.
        if fields & {"assignee", "category"} and support_request.assignee_id:
            problem = assignee_problem(user=support_request.assignee, support_request=support_request)
            if problem is not None:
                raise ValidationError(problem, code="assignee")
        if "urgency" in fields:
            # Counted from when the request was sent, or last reopened: as support_request_reopen does.
            support_request.due_at = support_request_due_at(
                branch=support_request.branch,
                urgency=support_request.urgency,
                start=locked.reopened_at or locked.created,
            )
            fields.add("due_at")
        if "status" in fields:
            _apply_status(support_request, support_request.status, now, previous=locked.status)
            fields.update(STATUS_FIELDS)
        message = None
        handover_note = (handover_note or "").strip()
        handed_on = "assignee" in fields and support_request.assignee_id != locked.assignee_id
        if handover_note and handed_on:
            Message.objects.create(
                support_request=support_request,
                author=by,
                body=handover_note,
                is_internal=True,
                from_staff=True,
                created=now,
            )
        reply = (reply or "").strip()
        if reply:
            message = Message.objects.create(
                support_request=support_request,
                author=by,
                body=reply,
                is_internal=internal,
                from_staff=True,
                created=now,
            )
            for file, checked in _with_upload(upload, checked_file, files):
                _store_attachment(
                    support_request=support_request, message=message, upload=file, checked=checked, by=by, stored=stored
                )
            if not internal:
                if "status" not in fields and support_request.status == Status.NEW:
                    _apply_status(support_request, Status.IN_PROGRESS, now, previous=locked.status)
                    fields.update(STATUS_FIELDS)
                support_request.last_activity_at = support_request.last_staff_reply_at = now  # "New reply"
                fields.update({"last_activity_at", "last_staff_reply_at"})
        if "status" in fields:
            support_request.last_activity_at = now
            fields.add("last_activity_at")
        if locked.last_alt_reply_at is not None and locked.staff_seen_up_to != locked.last_alt_reply_at:
            # The form was loaded at this version (checked above), so after the ALT's latest reply: it was seen.
            support_request.staff_seen_up_to = locked.last_alt_reply_at
            fields.add("staff_seen_up_to")
        support_request.version = locked.version + 1
        fields.add("version")
        support_request.save(update_fields=sorted(fields))
        if (message is not None and not message.is_internal) or support_request.status == Status.RESOLVED:
            urgent_alert_acknowledge_for_request(support_request=support_request, by=by)
        _notify_after_staff_change(
            support_request, locked=locked, by=by, message=message, note=handover_note if handed_on else ""
        )
    return message


def _notify_after_staff_change(support_request, *, locked, by, message, note="") -> None:
    if message is not None and not message.is_internal:
        _notify_alt(
            support_request,
            kind="support.reply",
            key=f"support.reply:{message.pk}",
            template="support/email/reply",
            context={"message": message, "staff_name": by.first_name or by.display_name},
        )
    elif support_request.status == Status.RESOLVED and locked.status != Status.RESOLVED:
        _notify_alt(
            support_request,
            kind="support.resolved",
            key=f"support.resolved:{support_request.pk}:{support_request.version}",
            template="support/email/resolved",
        )
    if support_request.assignee_id and support_request.assignee_id != locked.assignee_id:
        _notify_assigned(support_request, by=by, note=note)


def _notify_assigned(support_request: SupportRequest, *, by: User, note: str = "") -> None:
    """Tell the new assignee, unless they assigned it to themselves. Call after the version was bumped."""
    if support_request.assignee_id == by.pk:
        return
    notify(
        kind="support.assigned",
        key=f"support.assigned:{support_request.pk}:{support_request.version}",
        template="support/email/assigned",
        context={"support_request": support_request, "admin_url": _admin_url(support_request), "by": by, "note": note},
        recipient=support_request.assignee,
        reply_to=reply_to(support_request, support_request.assignee),
    )


def assignee_problem(*, user: User, support_request: SupportRequest, category: str | None = None) -> str | None:
    """Why `user` may not be assigned `support_request` (with `category`, default its own), or None if they may."""
    if is_branch_colleague(user=user, support_request=support_request, category=category):
        return None
    if (category or support_request.category) == Category.WELLBEING:
        return str(
            _(
                "%(name)s may not read well-being requests. Assign it to the ALT's Managing Consultant or "
                "someone allowed to read it, or to nobody."
            )
            % {"name": user.display_name}
        )
    if support_request.branch_id is None:
        return str(_("Assign the request to someone of GRM: it stays with GRM until it is resolved."))
    return str(_("Assign the request to someone of its branch."))


def support_request_check_version(*, pk: int, expected: int) -> None:
    """Refuse with StaleRequestError when the request is no longer at version `expected`.

    Inside a transaction (the admin saves in one) the row stays locked until
    it ends: two saves of the same version cannot both pass.
    """
    rows = SupportRequest.objects.all()
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.get(pk=pk)
    if current.version != expected:
        raise StaleRequestError(stale_message(current), code="stale")


def stale_message(current: SupportRequest) -> str:
    """What the second of two editors is told."""
    last = current.history.select_related("history_user").order_by("-history_date").first()
    if last is not None and last.history_user is not None:
        return str(
            _(
                "%(name)s changed this request at %(time)s while you were editing it. Your changes were not "
                "saved: reload the page to see the current version, then make your changes again."
            )
            % {
                "name": last.history_user.display_name,
                "time": format_time(last.history_date),
            }
        )
    return str(
        _(
            "Someone else changed this request while you were editing it. Your changes were not saved: reload "
            "the page to see the current version, then make your changes again."
        )
    )


class ActionOutcome(StrEnum):
    """What an admin bulk action did to one request, and if nothing, why (the admin says so)."""

    CHANGED = "changed"
    ALREADY = "already"  # already yours, already in progress, already resolved
    TAKEN = "taken"  # assigned to a colleague meanwhile
    NOT_COLLEAGUE = "not_colleague"  # you may not be assigned it (not your branch, or confidential)
    NOT_OPEN = "not_open"  # resolved or closed: reopen it on its page


def support_request_assign(*, support_request: SupportRequest, assignee: User, by: User) -> ActionOutcome:
    """Assign an unassigned request to a colleague of its branch ("assign to me").

    Decided on the locked row: a request a colleague took since the list was
    loaded is left to them (TAKEN), never silently taken over; reassigning is
    done on the request's page, where the version is checked.
    """
    if not is_branch_colleague(user=assignee, support_request=support_request):
        return ActionOutcome.NOT_COLLEAGUE
    with transaction.atomic():
        locked = _lock(support_request)
        if locked.assignee_id == assignee.pk:
            return ActionOutcome.ALREADY
        if locked.assignee_id is not None:
            return ActionOutcome.TAKEN
        locked.assignee = assignee
        if locked.status == Status.NEW:
            locked.status = Status.IN_PROGRESS
        locked.version += 1
        locked.save(update_fields=["assignee", "status", "version"])
        _notify_assigned(locked, by=by)
    return ActionOutcome.CHANGED


# The bulk actions move a request only from these statuses: one resolved or closed meanwhile (by a colleague,
# by the ALT) is left alone, and reopening is done on its page, where it gets a new due time.
ACTION_STATUSES_FROM = {
    Status.IN_PROGRESS: (Status.NEW, Status.WAITING_ON_ALT),
    Status.RESOLVED: OPEN_STATUSES,
}


def support_request_set_status(*, support_request: SupportRequest, status: str, by: User) -> ActionOutcome:
    """Change the status (admin actions: in progress, resolved). Resolving emails the ALT.

    Decided on the locked row, from ACTION_STATUSES_FROM: ALREADY when it is
    at `status`, NOT_OPEN when it was resolved or closed.
    """
    with transaction.atomic():
        locked = _lock(support_request)
        if locked.status == status:
            return ActionOutcome.ALREADY
        if locked.status not in ACTION_STATUSES_FROM[status]:
            return ActionOutcome.NOT_OPEN
        previous = locked.status
        now = timezone.now()
        _apply_status(locked, status, now, previous=previous)
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=[*STATUS_FIELDS, "last_activity_at", "version"])
        if status == Status.RESOLVED:
            urgent_alert_acknowledge_for_request(support_request=locked, by=by)
            _notify_alt(
                locked,
                kind="support.resolved",
                key=f"support.resolved:{locked.pk}:{locked.version}",
                template="support/email/resolved",
            )
    return ActionOutcome.CHANGED


def support_requests_delete(*, queryset) -> int:
    """Delete requests (superusers, in the admin) and, once that is committed, their files."""
    with transaction.atomic():
        names = list(Attachment.objects.filter(support_request__in=queryset).values_list("file", flat=True))
        count = SupportRequest.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))).delete()[0]
        transaction.on_commit(lambda: _delete_files(names))
    return count


def _delete_files(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(Exception):
            default_storage.delete(name)
