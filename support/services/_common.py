"""What the support services share: links, files, references, locks and who is told."""

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contacts.models import User
from contacts.services import notify

from ..due import OfficeHours, due_at_for
from ..files import CheckedFile
from ..models import (
    Attachment,
    ReferenceCounter,
    SupportRequest,
)
from ..reply_address import reply_address
from ..selectors import BranchPeople, branch_people_for_notices

# Two identical messages from one person this close together are one double click.
DUPLICATE_WINDOW = timedelta(minutes=10)
# A reply is short and may be said twice on purpose ("Yes." to two questions): only a true double click is one.
REPLY_DUPLICATE_WINDOW = timedelta(minutes=2)


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


def _with_upload(upload, checked_file: CheckedFile | None, files) -> list[tuple]:
    """The form's one file (if any) and `files`, as (upload, CheckedFile) pairs."""
    pairs = [(upload, checked_file)] if upload is not None and checked_file is not None else []
    return pairs + list(files)


def support_request_due_at(*, branch, urgency: str, start: datetime) -> datetime:
    """When a request of `urgency` sent at `start` is due, in the branch's office hours."""
    return due_at_for(start=start, urgency=urgency, hours=OfficeHours.of(branch))


def row_check_version(*, model, pk: int, expected: int | None) -> None:
    """Refuse with StaleRequestError when the row (a visit, a shift) is no longer at version `expected`.

    Inside a transaction (the admin saves in one) the row stays locked until it ends.
    """
    rows = model.objects.filter(pk=pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    if rows.values_list("version", flat=True).first() != expected:
        raise StaleRequestError(
            _(
                "Someone else changed this while you were editing it. Your changes were not saved: reload the "
                "page to see the current version, then make your changes again."
            ),
            code="stale",
        )


def refuse(problem: tuple[str | None, str], *, code: str):
    """Raise a problem found by a `*_problem` check, (form field or None, message), as a ValidationError."""
    raise ValidationError({problem[0] or NON_FIELD_ERRORS: problem[1]}, code=code)


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


def _user_target(user: User) -> dict:
    return {"recipient": user, "key": f"user{user.pk}"}


def staff_recipients(
    support_request: SupportRequest, *, prefer_assignee: bool, people: BranchPeople | None = None
) -> list[dict]:
    """Who hears about a request on the staff side: recipient/to_email pairs. The one place this is decided.

    The assignee when there is one (and `prefer_assignee`) and they may still
    be assigned it (active, a role that handles the request's desk: the rule
    of branch_colleagues); otherwise, as for an unassigned request: a request
    with GRM (no branch) goes to every GRM staff member; a confidential
    request goes to the ALT's Managing Consultant, or to the branch's staff
    who hold the permission to read it; any other goes to the branch's
    address, or its schedulers when it has none, or its MCs when it has no
    scheduler. `people` (branch_people_for_notices) is loaded here when
    needed and not given: the overdue sweep passes it preloaded for all its requests.
    """
    if prefer_assignee and support_request.assignee_id:
        if people is None:
            people = branch_people_for_notices(branch_ids=[support_request.branch_id])
        if people.may_be_assigned(support_request, support_request.assignee_id):
            return [_user_target(support_request.assignee)]
    branch = support_request.branch
    if branch is None:
        if people is None:
            people = branch_people_for_notices(branch_ids=[None])
        return [_user_target(person) for person in people.grm.values()]
    if support_request.is_confidential:
        # Preloaded by the sweep (select_related) and by support_request_create.
        profile = getattr(support_request.alt, "alt_profile", None)
        mc = profile.managing_consultant if profile is not None else None
        if mc is not None and mc.is_active:
            return [_user_target(mc)]
    elif branch.email:
        return [{"recipient": None, "to_email": branch.email, "key": "branch"}]
    if people is None:
        people = branch_people_for_notices(branch_ids=[branch.pk])
    if support_request.is_confidential:
        chosen = people.confidential_readers.get(branch.pk)
    else:
        chosen = people.schedulers.get(branch.pk) or people.mcs.get(branch.pk)
    return [_user_target(person) for person in (chosen or {}).values()]


def reply_to(support_request: SupportRequest, recipient: User | None) -> str:
    """The Reply-To of an email about `support_request` to `recipient` (None: the branch's address):
    a reply to it lands in the thread as theirs (support.services.inbound)."""
    return reply_address(support_request_id=support_request.pk, user_id=recipient.pk if recipient else None)


def _notify_staff(support_request, *, kind: str, key: str, template: str, context: dict, prefer_assignee=True):
    for target in staff_recipients(support_request, prefer_assignee=prefer_assignee):
        notify(
            kind=kind,
            key=f"{key}:{target['key']}",
            template=template,
            context={"support_request": support_request, "admin_url": _admin_url(support_request), **context},
            recipient=target["recipient"],
            to_email=target.get("to_email"),
            reply_to=reply_to(support_request, target["recipient"]),
        )


def _notify_alt(support_request, *, kind: str, key: str, template: str, context: dict | None = None):
    notify(
        kind=kind,
        key=key,
        template=template,
        context={"support_request": support_request, "url": _alt_url(support_request), **(context or {})},
        recipient=support_request.alt,
        reply_to=reply_to(support_request, support_request.alt),
    )
