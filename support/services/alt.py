"""What an ALT does: ask for help, reply, say it is solved, reopen."""

import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, User

from ..files import CheckedFile
from ..models import (
    APPLICANT_CATEGORIES,
    BRANCH_CATEGORIES,
    OPEN_STATUSES,
    Message,
    Status,
    SupportRequest,
)
from ..selectors import is_branch_colleague
from ._common import (
    DUPLICATE_WINDOW,
    REPLY_DUPLICATE_WINDOW,
    _files_removed_on_failure,
    _lock,
    _notify_alt,
    _notify_staff,
    _store_attachment,
    _with_upload,
    reference_next,
    support_request_due_at,
)
from .oncall import urgent_alert_open

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
    view already has it (with branch, MC and GRM contact). The form's one-time
    `submit_token` is unique: a double click or a resend finds the first
    request (even when both arrive at once: the database refuses the second
    insert). The ALT gets a confirmation email with the reference.

    Who answers first: the ALT's Managing Consultant, who is assigned it and
    emailed; an ALT without one goes to the branch queue and the branch is
    told. Before a branch is confirmed the request goes to GRM: the ALT's GRM
    contact, or every GRM staff member when there is none. An urgent request
    sent out of the branch's office hours calls out whoever is on call.
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
    allowed = BRANCH_CATEGORIES if profile.branch_id else APPLICANT_CATEGORIES
    if category not in allowed:
        raise ValidationError(_("Choose one of the categories offered."), code="category")
    # Routing a well-being request reads the ALT's MC from the profile: not again from the database.
    alt.alt_profile = profile
    first_responder = None if assignee is not None else _first_responder(alt=alt, profile=profile, category=category)
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
                assignee=assignee or first_responder,
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
                context={"first_responder": first_responder},
                prefer_assignee=first_responder is not None,
            )
            if opened_by is None:
                urgent_alert_open(support_request=support_request, now=now)
    except IntegrityError:
        # The same form won a race a moment ago: show that request.
        earlier = SupportRequest.objects.filter(submit_token=submit_token, alt=alt).first()
        if earlier is None:
            raise
        return earlier, False
    return support_request, True


def _first_responder(*, alt: User, profile: AltProfile, category: str) -> User | None:
    """The ALT's MC (GRM contact before a branch is confirmed), if they may take the request."""
    candidate = profile.managing_consultant if profile.branch_id else profile.grm_contact
    if candidate is None or not candidate.is_active:
        return None
    probe = SupportRequest(branch_id=profile.branch_id, alt_id=alt.pk, category=category)
    return candidate if is_branch_colleague(user=candidate, support_request=probe) else None


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
    *,
    support_request: SupportRequest,
    author: User,
    body: str,
    upload=None,
    checked_file=None,
    submit_token: uuid.UUID | None = None,
    files: Sequence[tuple] = (),
) -> Message:
    """The ALT replies (and may attach a file). A request waiting on them goes back to the branch.

    The form's one-time `submit_token` is unique: the same form sent again at any
    later time (the answer was lost, the page reloaded) finds the first message.
    Without a token, the same words again within REPLY_DUPLICATE_WINDOW (with the
    same file, if one comes with them) are a double click and post nothing, even
    when the copies arrive at the same moment. `files` are
    more (upload, CheckedFile) pairs, already checked (an email's attachments).
    `support_request` is updated in memory from the row as written: nothing is
    read after the commit, which a dropped database connection would turn into
    an error page for a reply already saved.
    """
    if submit_token is not None:
        earlier = _message_for_token(support_request, author, submit_token)
        if earlier is not None:
            if earlier.body == body:
                return earlier
            submit_token = None  # other words from a copy of the page: another reply
    files = _with_upload(upload, checked_file, files)
    try:
        with _files_removed_on_failure() as stored, transaction.atomic():
            locked = _lock(support_request)
            # Under the request's lock: copies sent at the same moment are looked at one after the other.
            if submit_token is None and len(files) <= 1:
                duplicate = _recent_duplicate_message(support_request, author, body, files[0][1] if files else None)
                if duplicate is not None:
                    return duplicate
            if locked.status not in OPEN_STATUSES:
                raise ValidationError(_("This request is closed. Reopen it to write again."), code="closed")
            now = timezone.now()
            message = Message.objects.create(
                support_request=locked, author=author, body=body, created=now, submit_token=submit_token
            )
            for file, checked in files:
                _store_attachment(
                    support_request=locked, message=message, upload=file, checked=checked, by=author, stored=stored
                )
            if locked.status == Status.WAITING_ON_ALT:
                locked.status = Status.IN_PROGRESS
            locked.last_activity_at = locked.last_alt_reply_at = now  # "New reply" for staff
            locked.version += 1
            locked.save(update_fields=["status", "last_activity_at", "last_alt_reply_at", "version"])
            _notify_staff(
                locked,
                kind="support.alt_reply",
                key=f"support.alt_reply:{message.pk}",
                template="support/email/staff_update",
                context={"event": "reply", "message": message},
            )
    except IntegrityError:
        # The same form won a race a moment ago: that message is the reply.
        earlier = _message_for_token(support_request, author, submit_token) if submit_token else None
        if earlier is None:
            raise
        return earlier
    for field in ("status", "last_activity_at", "last_alt_reply_at", "version"):
        setattr(support_request, field, getattr(locked, field))
    return message


def _message_for_token(support_request, author, submit_token) -> Message | None:
    earlier = Message.objects.filter(submit_token=submit_token).first()
    if earlier is not None and (earlier.support_request_id != support_request.pk or earlier.author_id != author.pk):
        raise ValidationError(_("This form has expired. Please send it again."), code="token")
    return earlier


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
