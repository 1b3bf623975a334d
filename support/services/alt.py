"""What an ALT does: ask for help, reply, say it is solved, reopen."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, User

from ..files import CheckedFile
from ..models import (
    OPEN_STATUSES,
    Message,
    Status,
    SupportRequest,
)
from ._common import (
    DUPLICATE_WINDOW,
    REPLY_DUPLICATE_WINDOW,
    _files_removed_on_failure,
    _lock,
    _notify_alt,
    _notify_staff,
    _store_attachment,
    reference_next,
    support_request_due_at,
)

# --- the ALT ----------------------------------------------------------------------


def support_request_create(
    *,
    alt: User,
    profile: AltProfile,
    category: str,
    subject: str,
    details: str,
    urgency: str,
    submit_token: uuid.UUID,
    upload=None,
    checked_file: CheckedFile | None = None,
    opened_by: User | None = None,
    assignee: User | None = None,
) -> tuple[SupportRequest, bool]:
    """Create an ALT's request, or find the one this same form already created.

    `opened_by` is the branch's staff member who opens it for the ALT (after
    a phone call, say: support_request_open_for_alt), `assignee` who takes it.

    Returns (request, created). `profile` is the ALT's AltProfile, as the
    view already has it (with branch and MC). The form's one-time
    `submit_token` is unique: a double click or a resend finds the first
    request (even when both arrive at once: the database refuses the second
    insert). The ALT gets a confirmation email with the reference; the branch
    is told.
    """
    if profile.user_id != alt.pk:
        raise ValueError("profile is not the ALT's")
    earlier = SupportRequest.objects.filter(submit_token=submit_token).first()
    if earlier is not None:
        if earlier.alt_id != alt.pk:
            raise ValidationError(_("This form has expired. Please send it again."), code="token")
        return earlier, False
    # Back, then resend of a fresh copy of the form: the same words a moment ago are the same request.
    # A file that comes with them is added to it, unless it already has that file (same name and size).
    duplicate = _recent_duplicate_request(alt, category, subject, details)
    if duplicate is not None:
        if upload is not None and checked_file is not None:
            _add_file_once(duplicate, upload=upload, checked_file=checked_file, by=alt)
        return duplicate, False
    if profile.branch is None:
        raise ValidationError(_("Support requests open once your branch is confirmed."), code="no_branch")
    # Routing a well-being request reads the ALT's MC from the profile: not again from the database.
    alt.alt_profile = profile
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
                status=Status.IN_PROGRESS if assignee is not None else Status.NEW,
                assignee=assignee,
                opened_by=opened_by,
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
                context={"opened_by": opened_by},
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


def _recent_duplicate_request(alt, category, subject, details) -> SupportRequest | None:
    return _latest_within(
        SupportRequest.objects.filter(alt=alt, category=category, subject=subject, details=details), DUPLICATE_WINDOW
    )


def _add_file_once(support_request: SupportRequest, *, upload, checked_file: CheckedFile, by: User) -> None:
    """Add a file sent again with the same words to the request they made, unless it is already there."""
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = _lock(support_request)  # two resends at once: the second sees the first one's file
        already = locked.attachments.filter(
            message__isnull=True, original_name=checked_file.name, size=checked_file.size
        ).exists()
        if not already:
            _store_attachment(
                support_request=locked, message=None, upload=upload, checked=checked_file, by=by, stored=stored
            )


def _recent_duplicate_message(support_request, author, body, checked_file=None) -> Message | None:
    messages = Message.objects.filter(support_request=support_request, author=author, body=body)
    if checked_file is not None:
        # With a file, a copy is the same words with the same file (name and size).
        messages = messages.filter(attachments__original_name=checked_file.name, attachments__size=checked_file.size)
    return _latest_within(messages, REPLY_DUPLICATE_WINDOW)


def _latest_within(queryset, window):
    """The newest row of `queryset` created within `window` of now: the same words again are a double click."""
    return queryset.filter(created__gte=timezone.now() - window).order_by("-created").first()


def message_post_by_alt(
    *, support_request: SupportRequest, author: User, body: str, upload=None, checked_file=None
) -> Message:
    """The ALT replies (and may attach a file). A request waiting on them goes back to the branch.

    The same words again within REPLY_DUPLICATE_WINDOW (with the same file, if
    one comes with them) are a double click and post nothing, even when the
    copies arrive at the same moment.
    """
    with _files_removed_on_failure() as stored, transaction.atomic():
        locked = _lock(support_request)
        # Under the request's lock: copies sent at the same moment are looked at one after the other.
        duplicate = _recent_duplicate_message(support_request, author, body, checked_file if upload else None)
        if duplicate is not None:
            return duplicate
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
    """The ALT reopens a resolved request within 14 days; it gets a new due time from now (`reopened_at`)."""
    with transaction.atomic():
        locked = _lock(support_request)
        if not locked.can_reopen:
            if locked.status in OPEN_STATUSES:
                return False  # already open: a second click
            raise ValidationError(_("This request can no longer be reopened. Please send a new one."), code="late")
        now = timezone.now()
        locked.status = Status.IN_PROGRESS if locked.assignee_id else Status.NEW
        locked.resolved_at = None
        locked.reopened_at = now
        locked.due_at = support_request_due_at(branch=locked.branch, urgency=locked.urgency, start=now)
        locked.last_activity_at = now
        locked.version += 1
        locked.save(update_fields=["status", "resolved_at", "reopened_at", "due_at", "last_activity_at", "version"])
        _notify_staff(
            locked,
            kind="support.reopened",
            key=f"support.reopened:{locked.pk}:{locked.version}",
            template="support/email/staff_update",
            context={"event": "reopened"},
        )
    return True
