"""Replies by email: a message to a reply address lands in its request's thread, or is refused politely.

The same services as the web post it: message_post_by_alt for the ALT (staff
are told as for a web reply), support_request_staff_save for staff (the ALT
gets the reply email). Nothing of a refused message reaches any thread; its
sender gets a bounce through the outbox, in their language when they have an
account (in English and Japanese otherwise), that names the request only to
the person the reply address was made for.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from contacts.models import User
from contacts.services import notify

from ..files import check_attachment, clean_file_name
from ..inbound.parse import InboundMail
from ..models import OPEN_STATUSES, InboundEmail, Message, Status, SupportRequest
from ..reply_address import BRANCH_MAILBOX, ReplyTokenError, is_own_address, reply_token_in, reply_token_read
from ..selectors import support_requests_visible_to_staff
from ._common import _alt_url, _lock
from .alt import message_post_by_alt
from .staff import support_request_staff_save

logger = logging.getLogger(__name__)

MAX_FILES = 5
MAX_TEXT = 10_000  # Message.body's limit
BOUNCES_PER_DAY = 5


class Refused(Exception):
    """Why a message is not posted: a `reason` code for the row and the bounce, and what to tell the sender."""

    def __init__(self, reason: str, *, file_code: str = "", file_name: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.file_code = file_code  # check_attachment's code: too_large, file_type, file_name, ...
        self.file_name = file_name


@dataclass
class _Writer:
    support_request: SupportRequest
    user: User
    as_staff: bool


def _refuse(reason: str, **kwargs):
    raise Refused(reason, **kwargs)


def _writer(mail: InboundMail) -> _Writer:
    """The request and person the reply address names, if the sender is that person; else Refused."""
    try:
        token = reply_token_read(reply_token_in(mail.recipients) or "")
    except ReplyTokenError as error:
        _refuse(error.code)
    support_request = SupportRequest.objects.select_related("alt", "branch").filter(pk=token.support_request_id).first()
    if support_request is None:
        _refuse("unknown")
    if token.user_id == support_request.alt_id:
        alt = support_request.alt
        if not alt.is_active or alt.email.lower() != mail.sender:
            _refuse("sender")
        return _Writer(support_request, alt, as_staff=False)
    if token.user_id == BRANCH_MAILBOX:
        # The branch's shared address: whoever answers from it writes from their own account's address.
        user = User.objects.filter(email__iexact=mail.sender).first()
    else:
        user = User.objects.filter(pk=token.user_id, email__iexact=mail.sender).first()
    allowed = (
        user is not None
        and user.has_perm("support.change_supportrequest")
        and support_requests_visible_to_staff(user=user).filter(pk=support_request.pk).exists()
    )
    if not allowed:
        _refuse("sender")
    return _Writer(support_request, user, as_staff=True)


def _checked_files(mail: InboundMail) -> list[tuple]:
    if len(mail.files) > MAX_FILES:
        _refuse("too_many_files")
    files = []
    for inbound_file in mail.files:
        upload = SimpleUploadedFile(inbound_file.name, inbound_file.content, inbound_file.content_type)
        try:
            checked = check_attachment(upload)
        except ValidationError as error:
            _refuse("attachment", file_code=error.code or "file_type", file_name=clean_file_name(upload.name))
        files.append((upload, checked))
    return files


def _post(mail: InboundMail, writer: _Writer) -> Message:
    support_request = writer.support_request
    if support_request.status == Status.CLOSED:
        _refuse("closed")
    if not writer.as_staff and support_request.status not in OPEN_STATUSES:
        _refuse("resolved")  # the ALT reopens it on its page (staff may still answer a resolved request)
    if len(mail.text) > MAX_TEXT:
        _refuse("too_long")
    files = _checked_files(mail)
    if not mail.text and not files:
        _refuse("empty")
    with translation.override(writer.user.preferred_language):
        body = mail.text or str(_("(a file, sent by email)"))
    try:
        if not writer.as_staff:
            return message_post_by_alt(support_request=support_request, author=writer.user, body=body, files=files)
        with transaction.atomic():
            locked = _lock(support_request)
            if locked.status == Status.CLOSED:
                _refuse("closed")
            return support_request_staff_save(
                support_request=locked,
                changed_fields=(),
                by=writer.user,
                expected_version=locked.version,
                reply=body,
                files=files,
            )
    except ValidationError as error:
        # Closed meanwhile (message_post_by_alt checks under the row's lock).
        raise Refused("closed") from error


def _bounce(mail: InboundMail, record: InboundEmail, refused: Refused, writer: _Writer | None) -> None:
    """Tell the sender why their message was not posted. Their account (if any) decides the language."""
    known = User.objects.filter(email__iexact=mail.sender, is_active=True).first()
    support_request = writer.support_request if writer is not None else None
    notify(
        kind="support.inbound_bounce",
        key=f"support.inbound_bounce:{record.pk}",
        template="support/email/inbound_bounce",
        context={
            "reason": refused.reason,
            "file_code": refused.file_code,
            "file_name": refused.file_name,
            "subject": mail.subject,
            # The request is named only to the person the address was made for.
            "support_request": support_request,
            "url": _alt_url(support_request) if support_request and not writer.as_staff else "",
            "max_files": MAX_FILES,
        },
        recipient=known,
        to_email=mail.sender,
    )


def _not_answered(mail: InboundMail) -> str:
    """Why a message gets neither a post nor a bounce ("" when it is answered one way or the other).

    Robots never write to each other: automatic replies, spam and our own mail
    are dropped. A bounce goes only to a valid address, and (_may_bounce_to)
    not more than BOUNCES_PER_DAY times a day to one address, so that mail with
    a forged sender cannot turn the portal into a source of spam.
    """
    if mail.automatic or is_own_address(mail.sender):
        return "automatic"
    if mail.spam:
        return "spam"
    try:
        validate_email(mail.sender)
    except ValidationError:
        return "sender_address"
    return ""


def _may_bounce_to(sender: str) -> bool:
    since = timezone.now() - timedelta(days=1)
    bounced = InboundEmail.objects.filter(from_email=sender, outcome=InboundEmail.Outcome.BOUNCED, received__gte=since)
    return bounced.count() < BOUNCES_PER_DAY


def inbound_email_receive(*, mail: InboundMail, channel: str) -> InboundEmail:
    """Post an emailed reply to its request's thread, or bounce it; once per message (its Message-ID).

    The same message delivered again (the provider's retry, a Maildir read
    twice) finds its row and does nothing. An automatic reply (out of office,
    a bounce) or mail from the portal's own addresses is kept as IGNORED and
    answered with nothing, so that two robots never write to each other.
    """
    earlier = InboundEmail.objects.filter(key=mail.key).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            record = InboundEmail.objects.create(
                key=mail.key,
                message_id_header=mail.message_id,
                from_email=mail.sender[:254],
                channel=channel,
                outcome=InboundEmail.Outcome.IGNORED,
            )
            reason = _not_answered(mail)
            if reason:
                record.reason = reason
            else:
                _handle(mail, record)
            record.save(update_fields=["outcome", "reason", "support_request", "posted"])
    except IntegrityError:
        # The same message, delivered twice at once: the other delivery handles it.
        earlier = InboundEmail.objects.filter(key=mail.key).first()
        if earlier is None:
            raise
        return earlier
    logger.info("inbound email %s via %s: %s %s", record.pk, channel, record.outcome, record.reason)
    return record


def _handle(mail: InboundMail, record: InboundEmail) -> None:
    writer = None
    try:
        writer = _writer(mail)
        record.support_request = writer.support_request
        record.posted = _post(mail, writer)
        record.outcome = InboundEmail.Outcome.POSTED
    except Refused as refused:
        record.reason = refused.reason
        if _may_bounce_to(mail.sender):
            record.outcome = InboundEmail.Outcome.BOUNCED
            _bounce(mail, record, refused, writer)
        else:
            record.outcome = InboundEmail.Outcome.IGNORED  # refused all the same, without a word
