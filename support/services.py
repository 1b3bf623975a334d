"""Every state change of the support app. Emails go through the contacts outbox."""

import contextlib
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, StaffRole, User
from contacts.services import notify, notify_many

from .due import OfficeHours, due_at_for
from .files import CheckedFile
from .models import (
    OPEN_STATUSES,
    Attachment,
    Message,
    ReferenceCounter,
    Status,
    SupportRequest,
)
from .selectors import is_branch_colleague, roles_that_see_confidential

logger = logging.getLogger(__name__)

# Two identical messages from one person this close together are one double click.
DUPLICATE_WINDOW = timedelta(minutes=10)


class StaleRequestError(ValidationError):
    """Someone else changed the request since the form was loaded."""


# --- helpers --------------------------------------------------------------------


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _alt_url(support_request: SupportRequest) -> str:
    return _site_url(reverse("support:detail", args=[support_request.pk]))


def _admin_url(support_request: SupportRequest) -> str:
    return _site_url(reverse("admin:support_supportrequest_change", args=[support_request.pk]))


@contextlib.contextmanager
def _files_removed_on_failure():
    """Files written during a transaction that then fails are deleted (the rows are rolled back)."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            with contextlib.suppress(Exception):
                field_file.storage.delete(field_file.name)
        raise


def _store_attachment(*, support_request, message, upload, checked: CheckedFile, by, stored: list) -> Attachment:
    attachment = Attachment(
        support_request=support_request,
        message=message,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    upload.seek(0)
    attachment.file.save(checked.name, upload, save=False)
    stored.append(attachment.file)
    attachment.save()
    return attachment


def support_request_due_at(*, branch, urgency: str, start: datetime) -> datetime:
    """When a request of `urgency` sent at `start` is due, in the branch's office hours."""
    return due_at_for(start=start, urgency=urgency, hours=OfficeHours.of(branch))


def reference_next(*, year: int) -> str:
    """The next SR-YYYY-NNNNNN. Call inside the transaction that creates the request.

    The year's counter row stays locked until that transaction ends, so two
    requests never get the same number and a rolled-back one leaves no gap.
    """
    with transaction.atomic():
        counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
        if counter is None:
            ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year, last=0)], ignore_conflicts=True)
            counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"SR-{year}-{counter.last:06d}"


def _lock(support_request: SupportRequest) -> SupportRequest:
    return SupportRequest.objects.select_for_update().get(pk=support_request.pk)


# --- who is told ------------------------------------------------------------------


def _staff_recipients(support_request: SupportRequest, *, prefer_assignee: bool) -> list[dict]:
    """Who hears about a request on the branch side: recipient/to_email pairs.

    The assignee when there is one (and `prefer_assignee`); a confidential
    request goes to the ALT's Managing Consultant (or the branch's MCs); any
    other goes to the branch's address, or its schedulers when it has none.
    """
    if prefer_assignee and support_request.assignee_id:
        return [{"recipient": support_request.assignee, "key": f"user{support_request.assignee_id}"}]
    branch = support_request.branch
    if support_request.is_confidential:
        profile = (
            AltProfile.objects.select_related("managing_consultant").filter(user_id=support_request.alt_id).first()
        )
        if profile and profile.managing_consultant and profile.managing_consultant.is_active:
            return [{"recipient": profile.managing_consultant, "key": f"user{profile.managing_consultant_id}"}]
        roles = roles_that_see_confidential()
        people = User.objects.filter(is_active=True, staff_roles__branch=branch, staff_roles__role__in=roles).distinct()
        return [{"recipient": person, "key": f"user{person.pk}"} for person in people]
    if branch.email:
        return [{"recipient": None, "to_email": branch.email, "key": "branch"}]
    # No branch address: its schedulers, or its MCs when it has no scheduler.
    roles = StaffRole.objects.filter(branch=branch, user__is_active=True, role=StaffRole.Role.SCHEDULER)
    if not roles.exists():
        roles = StaffRole.objects.filter(branch=branch, user__is_active=True, role=StaffRole.Role.MC)
    people = User.objects.filter(pk__in=roles.values("user_id"))
    return [{"recipient": person, "key": f"user{person.pk}"} for person in people]


def _notify_staff(support_request, *, kind: str, key: str, template: str, context: dict, prefer_assignee=True):
    for target in _staff_recipients(support_request, prefer_assignee=prefer_assignee):
        notify(
            kind=kind,
            key=f"{key}:{target['key']}",
            template=template,
            context={"support_request": support_request, "admin_url": _admin_url(support_request), **context},
            recipient=target["recipient"],
            to_email=target.get("to_email"),
        )


def _notify_alt(support_request, *, kind: str, key: str, template: str, context: dict | None = None):
    notify(
        kind=kind,
        key=key,
        template=template,
        context={"support_request": support_request, "url": _alt_url(support_request), **(context or {})},
        recipient=support_request.alt,
    )


# --- the ALT ----------------------------------------------------------------------


def support_request_create(
    *,
    alt: User,
    category: str,
    subject: str,
    details: str,
    urgency: str,
    submit_token: uuid.UUID,
    upload=None,
    checked_file: CheckedFile | None = None,
) -> tuple[SupportRequest, bool]:
    """Create an ALT's request, or find the one this same form already created.

    Returns (request, created). The form's one-time `submit_token` is unique:
    a double click or a resend finds the first request (even when both arrive
    at once: the database refuses the second insert). The ALT gets a
    confirmation email with the reference; the branch is told.
    """
    earlier = SupportRequest.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        if earlier.alt_id != alt.pk:
            raise ValidationError(_("This form has expired. Please send it again."), code="token")
        return earlier, False
    # Back, then resend of a fresh copy of the form: the same words a moment ago are the same request.
    duplicate = (
        SupportRequest.objects.filter(
            alt=alt,
            category=category,
            subject=subject,
            details=details,
            created__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("-created")
        .first()
    )
    if duplicate is not None:
        return duplicate, False
    profile = AltProfile.objects.select_related("branch").get(user=alt)
    if profile.branch is None:
        raise ValidationError(_("Support requests open once your branch is confirmed."), code="no_branch")
    try:
        with _files_removed_on_failure() as stored, transaction.atomic():
            now = timezone.now()
            support_request = SupportRequest.objects.create(
                reference=reference_next(year=timezone.localtime(now).year),
                alt=alt,
                branch=profile.branch,
                category=category,
                subject=subject,
                details=details,
                urgency=urgency,
                status=Status.NEW,
                due_at=support_request_due_at(branch=profile.branch, urgency=urgency, start=now),
                created=now,
                last_activity_at=now,
                submit_token=submit_token,
            )
            if upload is not None and checked_file is not None:
                _store_attachment(
                    support_request=support_request,
                    message=None,
                    upload=upload,
                    checked=checked_file,
                    by=alt,
                    stored=stored,
                )
            _notify_alt(
                support_request,
                kind="support.received",
                key=f"support.received:{support_request.pk}",
                template="support/email/received",
            )
            _notify_staff(
                support_request,
                kind="support.new",
                key=f"support.new:{support_request.pk}",
                template="support/email/new_request",
                context={},
                prefer_assignee=False,
            )
    except IntegrityError:
        # The same form won a race a moment ago: show that request.
        earlier = SupportRequest.objects.filter(submit_token=submit_token, alt=alt).first()
        if earlier is None:
            raise
        return earlier, False
    return support_request, True


def _recent_duplicate_message(support_request, author, body) -> Message | None:
    return (
        Message.objects.filter(
            support_request=support_request,
            author=author,
            body=body,
            created__gte=timezone.now() - timedelta(minutes=2),
        )
        .order_by("-created")
        .first()
    )


def message_post_by_alt(
    *, support_request: SupportRequest, author: User, body: str, upload=None, checked_file=None
) -> Message:
    """The ALT replies (and may attach a file). A request waiting on them goes back to the branch."""
    duplicate = _recent_duplicate_message(support_request, author, body)
    if duplicate is not None:
        return duplicate
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = _lock(support_request)
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(_("This request is closed. Reopen it to write again."), code="closed")
        now = timezone.now()
        message = Message.objects.create(support_request=locked, author=author, body=body, created=now)
        if upload is not None and checked_file is not None:
            _store_attachment(
                support_request=locked, message=message, upload=upload, checked=checked_file, by=author, stored=stored
            )
        if locked.status == Status.WAITING_ON_ALT:
            locked.status = Status.IN_PROGRESS
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=["status", "last_activity_at", "version"])
        _notify_staff(
            locked,
            kind="support.alt_reply",
            key=f"support.alt_reply:{message.pk}",
            template="support/email/staff_update",
            context={"event": "reply", "message": message},
        )
    support_request.refresh_from_db()
    return message


def support_request_mark_solved(*, support_request: SupportRequest, by: User) -> bool:
    """The ALT says the request is solved. A second click changes nothing."""
    with transaction.atomic():
        locked = _lock(support_request)
        if locked.status not in OPEN_STATUSES:
            return False
        now = timezone.now()
        locked.status = Status.RESOLVED
        locked.resolved_at = now
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=["status", "resolved_at", "last_activity_at", "version"])
        if locked.assignee_id:
            _notify_staff(
                locked,
                kind="support.solved",
                key=f"support.solved:{locked.pk}:{locked.version}",
                template="support/email/staff_update",
                context={"event": "solved"},
            )
    return True


def support_request_reopen(*, support_request: SupportRequest, by: User) -> bool:
    """The ALT reopens a resolved request within 14 days; it gets a new due time from now."""
    with transaction.atomic():
        locked = _lock(support_request)
        if not locked.can_reopen:
            if locked.status in OPEN_STATUSES:
                return False  # already open: a second click
            raise ValidationError(_("This request can no longer be reopened. Please send a new one."), code="late")
        now = timezone.now()
        locked.status = Status.IN_PROGRESS if locked.assignee_id else Status.NEW
        locked.resolved_at = None
        locked.due_at = support_request_due_at(branch=locked.branch, urgency=locked.urgency, start=now)
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=["status", "resolved_at", "due_at", "last_activity_at", "version"])
        _notify_staff(
            locked,
            kind="support.reopened",
            key=f"support.reopened:{locked.pk}:{locked.version}",
            template="support/email/staff_update",
            context={"event": "reopened"},
        )
    return True


# --- staff ------------------------------------------------------------------------

STAFF_EDITABLE_FIELDS = {"category", "subject", "urgency", "status", "assignee"}


def _apply_status(support_request: SupportRequest, status: str, now) -> None:
    support_request.status = status
    if status == Status.RESOLVED:
        support_request.resolved_at = support_request.resolved_at or now
    elif status in OPEN_STATUSES:
        support_request.resolved_at = None


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
) -> Message | None:
    """Save what a member of staff changed in the admin, and their reply or internal note.

    Refused with StaleRequestError when the request changed since the form
    was loaded (`expected_version`): never a silent overwrite. A reply is
    emailed to the ALT in their language; an internal note never is.
    """
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = _lock(support_request)
        if locked.version != expected_version:
            raise StaleRequestError(stale_message(locked), code="stale")
        fields = set(changed_fields) & STAFF_EDITABLE_FIELDS
        now = timezone.now()
        if (
            "assignee" in fields
            and support_request.assignee_id
            and not is_branch_colleague(user=support_request.assignee, support_request=support_request)
        ):
            raise ValidationError(_("Assign the request to someone of its branch."), code="assignee")
        if "urgency" in fields:
            support_request.due_at = support_request_due_at(
                branch=support_request.branch, urgency=support_request.urgency, start=support_request.created
            )
            fields.add("due_at")
        if "status" in fields:
            _apply_status(support_request, support_request.status, now)
            fields.add("resolved_at")
        message = None
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
            if upload is not None and checked_file is not None:
                _store_attachment(
                    support_request=support_request,
                    message=message,
                    upload=upload,
                    checked=checked_file,
                    by=by,
                    stored=stored,
                )
            if not internal:
                if "status" not in fields and support_request.status == Status.NEW:
                    _apply_status(support_request, Status.IN_PROGRESS, now)
                    fields |= {"status", "resolved_at"}
                support_request.last_activity_at = now
                fields.add("last_activity_at")
        if "status" in fields:
            support_request.last_activity_at = now
            fields.add("last_activity_at")
        support_request.version = locked.version + 1
        fields.add("version")
        support_request.save(update_fields=sorted(fields))
        _notify_after_staff_change(support_request, locked=locked, by=by, message=message)
    return message


def _notify_after_staff_change(support_request, *, locked, by, message) -> None:
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
    if (
        support_request.assignee_id
        and support_request.assignee_id != locked.assignee_id
        and (support_request.assignee_id != by.pk)
    ):
        notify(
            kind="support.assigned",
            key=f"support.assigned:{support_request.pk}:{support_request.version}",
            template="support/email/assigned",
            context={"support_request": support_request, "admin_url": _admin_url(support_request), "by": by},
            recipient=support_request.assignee,
        )


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
                "time": timezone.localtime(last.history_date).strftime("%H:%M"),
            }
        )
    return str(
        _(
            "Someone else changed this request while you were editing it. Your changes were not saved: reload "
            "the page to see the current version, then make your changes again."
        )
    )


def support_request_assign(*, support_request: SupportRequest, assignee: User, by: User) -> bool:
    """Assign to a colleague of the request's branch. Returns False when they are not one."""
    if not is_branch_colleague(user=assignee, support_request=support_request):
        return False
    with transaction.atomic():
        locked = _lock(support_request)
        if locked.assignee_id == assignee.pk:
            return True
        previous = locked.assignee_id
        locked.assignee = assignee
        if locked.status == Status.NEW:
            locked.status = Status.IN_PROGRESS
        locked.version += 1
        locked.save(update_fields=["assignee", "status", "version"])
        if assignee.pk != by.pk and previous != assignee.pk:
            notify(
                kind="support.assigned",
                key=f"support.assigned:{locked.pk}:{locked.version}",
                template="support/email/assigned",
                context={"support_request": locked, "admin_url": _admin_url(locked), "by": by},
                recipient=assignee,
            )
    return True


def support_request_set_status(*, support_request: SupportRequest, status: str, by: User) -> bool:
    """Change the status (admin actions). Resolving emails the ALT. Returns False if nothing changed."""
    with transaction.atomic():
        locked = _lock(support_request)
        if locked.status == status:
            return False
        previous = locked.status
        now = timezone.now()
        _apply_status(locked, status, now)
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=["status", "resolved_at", "last_activity_at", "version"])
        if status == Status.RESOLVED and previous != Status.RESOLVED:
            _notify_alt(
                locked,
                kind="support.resolved",
                key=f"support.resolved:{locked.pk}:{locked.version}",
                template="support/email/resolved",
            )
    return True


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


# --- the overdue sweep ------------------------------------------------------------


def support_requests_flag_overdue(*, now: datetime | None = None) -> int:
    """Tell the assignee, or the branch, about each open request past its due time. Once per due time.

    The rows are claimed with FOR UPDATE SKIP LOCKED and marked with the due
    time they were flagged for, in the transaction that writes the emails:
    two workers never take the same row, and the Notification key (request
    and due time) makes a second run write nothing. The number of queries
    does not grow with the number of requests.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = list(
            SupportRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=OPEN_STATUSES, due_at__lte=now)
            .filter(Q(overdue_flagged_for__isnull=True) | ~Q(overdue_flagged_for=F("due_at")))
            .select_related("branch", "assignee", "alt", "alt__alt_profile__managing_consultant")
            .order_by("due_at")
        )
        if not candidates:
            return 0
        needs_branch = [r for r in candidates if not r.assignee_id and not r.is_confidential and not r.branch.email]
        needs_mcs = [r for r in candidates if not r.assignee_id and r.is_confidential]
        schedulers, mcs = _people_by_branch(needs_branch, needs_mcs)
        items = []
        for support_request in candidates:
            due_key = timezone.localtime(support_request.due_at).strftime("%Y%m%dT%H%M")
            base = {
                "kind": "support.overdue",
                "template": "support/email/overdue",
                "context": {"support_request": support_request, "admin_url": _admin_url(support_request)},
            }
            for target in _overdue_targets(support_request, schedulers, mcs):
                items.append(
                    {
                        **base,
                        "key": f"support.overdue:{support_request.pk}:{due_key}:{target['key']}",
                        "recipient": target["recipient"],
                        "to_email": target.get("to_email"),
                    }
                )
        notify_many(items=items)
        SupportRequest.objects.filter(pk__in=[r.pk for r in candidates]).update(overdue_flagged_for=F("due_at"))
    return len(candidates)


def _people_by_branch(needs_branch, needs_mcs) -> tuple[dict, dict]:
    branch_ids = {r.branch_id for r in needs_branch} | {r.branch_id for r in needs_mcs}
    schedulers: dict = {}
    mcs: dict = {}
    if not branch_ids:
        return schedulers, mcs
    confidential_roles = roles_that_see_confidential()
    roles = StaffRole.objects.filter(branch_id__in=branch_ids, user__is_active=True).select_related("user")
    for role in roles:
        if role.role == StaffRole.Role.SCHEDULER:
            schedulers.setdefault(role.branch_id, {})[role.user_id] = role.user
        if role.role in confidential_roles:
            mcs.setdefault(role.branch_id, {})[role.user_id] = role.user
    return schedulers, mcs


def _overdue_targets(support_request, schedulers: dict, mcs: dict) -> list[dict]:
    if support_request.assignee_id:
        return [{"recipient": support_request.assignee, "key": f"user{support_request.assignee_id}"}]
    if support_request.is_confidential:
        profile = getattr(support_request.alt, "alt_profile", None)
        mc = profile.managing_consultant if profile else None
        if mc is not None and mc.is_active:
            return [{"recipient": mc, "key": f"user{mc.pk}"}]
        people = mcs.get(support_request.branch_id, {}).values()
        return [{"recipient": person, "key": f"user{person.pk}"} for person in people]
    if support_request.branch.email:
        return [{"recipient": None, "to_email": support_request.branch.email, "key": "branch"}]
    people = (schedulers.get(support_request.branch_id) or mcs.get(support_request.branch_id) or {}).values()
    return [{"recipient": person, "key": f"user{person.pk}"} for person in people]
