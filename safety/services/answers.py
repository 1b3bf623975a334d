""" "I'm safe" / "I need help": an ALT's answer to a safety check, from the email link or the dashboard."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile
from core import versions
from support.models import Category, Urgency
from support.services import message_post_by_alt, support_request_create

from ..models import AnswerStatus, SafetyAnswer, SafetyAnswerChange

logger = logging.getLogger(__name__)

_TOKENS = uuid.UUID("1d0f8f5e-2b7c-4a51-9f43-5a3c7e0d9b21")


class AnswerClosedError(ValidationError):
    """The check closed before the answer arrived: nothing was changed. `answer` is the row as it is."""

    def __init__(self, answer: SafetyAnswer):
        super().__init__(_("This safety check is closed. Your answer was not recorded."), code="closed")
        self.answer = answer


def safety_answer_record(*, check_id: int, alt_id: int, status: str, note: str, channel: str) -> SafetyAnswer:
    """Record an ALT's answer to a check, or a change of it, while the check is open.

    Returns the answer row (with its check, ALT and branch). Every change is
    kept (SafetyAnswerChange); the same answer sent again (a double tap)
    changes nothing. "I need help" opens an URGENT support request for the
    ALT's branch, once: a later "I need help" with a new note adds the note to
    that request while it is open. SafetyAnswer.DoesNotExist when the check did
    not ask this ALT; AnswerClosedError once it is closed.

    10,000 ALTs may answer within a minute: on PostgreSQL "I'm safe" is one
    statement after the read (_record_safe_in_one_statement); otherwise three
    in one transaction (the locked read, the update, the history row).
    """
    if status not in (AnswerStatus.SAFE, AnswerStatus.NEED_HELP):
        raise ValueError(f"not an answer: {status}")
    note = note.strip()
    if status == AnswerStatus.SAFE and connection.vendor == "postgresql":
        return _record_safe_in_one_statement(check_id=check_id, alt_id=alt_id, note=note, channel=channel)
    with transaction.atomic():
        answer = (
            SafetyAnswer.objects.select_for_update(of=("self",))
            .select_related("safety_check", "alt", "branch")
            .get(safety_check_id=check_id, alt_id=alt_id)
        )
        if answer.safety_check.closed_at is not None:
            raise AnswerClosedError(answer)
        if answer.status == status and answer.note == note:
            return answer
        now = timezone.now()
        answer.status, answer.note, answer.channel, answer.answered_at = status, note, channel, now
        answer.save(update_fields=["status", "note", "channel", "answered_at"])
        SafetyAnswerChange.objects.create(answer=answer, status=status, note=note, channel=channel, at=now)
        if status == AnswerStatus.NEED_HELP:
            _ask_branch_for_help(answer)
    return answer


# The answer and its history row in one statement (a data-modifying WITH), on the check while it is open
# and only if the answer changes: atomic by itself, with no transaction around it and no row read to lock.
_SAFE_IN_ONE_STATEMENT = """
    WITH changed AS (
        UPDATE safety_safetyanswer AS a
        SET status = %(status)s, note = %(note)s, channel = %(channel)s, answered_at = %(now)s
        FROM safety_safetycheck AS c
        WHERE a.safety_check_id = %(check)s AND a.alt_id = %(alt)s
          AND c.id = a.safety_check_id AND c.closed_at IS NULL
          AND (a.status <> %(status)s OR a.note <> %(note)s)
        RETURNING a.id
    )
    INSERT INTO safety_safetyanswerchange (answer_id, status, note, channel, at)
    SELECT id, %(status)s, %(note)s, %(channel)s, %(now)s FROM changed
"""


def _record_safe_in_one_statement(*, check_id: int, alt_id: int, note: str, channel: str) -> SafetyAnswer:
    """ "I'm safe" on PostgreSQL: the read the answer page needs anyway, then one statement (see above).
    What it decides is what the transaction of safety_answer_record decides: same answer, closed check."""
    answer = SafetyAnswer.objects.select_related("safety_check", "alt", "branch").get(
        safety_check_id=check_id, alt_id=alt_id
    )
    if answer.safety_check.closed_at is not None:
        raise AnswerClosedError(answer)
    if answer.status == AnswerStatus.SAFE and answer.note == note:
        return answer
    now = timezone.now()
    values = {"status": AnswerStatus.SAFE, "note": note, "channel": channel, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(_SAFE_IN_ONE_STATEMENT, {**values, "check": check_id, "alt": alt_id})
        changed = cursor.rowcount == 1
    if changed:
        # The statement bypasses the models' writes: the ALT's kept pages are renewed here (core.versions).
        versions.renew(versions.alt(alt_id))
    else:
        # Closed in the meantime, or the same answer from a second tap that came first.
        answer.safety_check.refresh_from_db(fields=["closed_at"])
        if answer.safety_check.closed_at is not None:
            raise AnswerClosedError(answer)
        answer.refresh_from_db(fields=["status", "note", "channel", "answered_at"])
        return answer
    answer.status, answer.note, answer.channel, answer.answered_at = AnswerStatus.SAFE, note, channel, now
    return answer


def _ask_branch_for_help(answer: SafetyAnswer) -> None:
    """The urgent request of an "I need help", in the ALT's language (what they see in their requests)."""
    profile = AltProfile.objects.select_related("branch", "managing_consultant").get(user_id=answer.alt_id)
    alt = profile.user = answer.alt
    existing = answer.support_request  # read here only: most answers are "I'm safe"
    if existing is not None and existing.is_open:
        if answer.note:
            message_post_by_alt(support_request=existing, author=alt, body=answer.note)
        return
    check = answer.safety_check
    with translation.override(alt.preferred_language):
        # The title early: the admin list shows the first 60 characters.
        subject = gettext("I need help: %(title)s (safety check)") % {"title": check.localized_title}
        # Only what the ALT gave: no "Note: —" line without a note.
        lines = [gettext('Answer to the safety check "%(title)s": I need help.') % {"title": check.localized_title}]
        if answer.note:
            lines.append(gettext("Note: %(note)s") % {"note": answer.note})
        lines.append(gettext("Prefecture: %(prefecture)s") % {"prefecture": profile.prefecture_name or "—"})
        lines.append(gettext("Phone: %(phone)s") % {"phone": alt.phone or "—"})
        details = "\n".join(lines)
    changes = answer.changes.count()
    try:
        support_request, _created = support_request_create(
            alt=alt,
            profile=profile,
            category=Category.OTHER,
            subject=subject[:200],
            details=details,
            urgency=Urgency.URGENT,
            # The same answer twice at once (two taps, two devices) opens one request.
            submit_token=uuid.uuid5(_TOKENS, f"safety-answer:{answer.pk}:{changes}"),
        )
    except ValidationError:
        # No branch any more (moved back to recruiting): the staff view still lists them as needing help.
        logger.warning("safety answer %s: no support request opened (no branch)", answer.pk)
        return
    answer.support_request = support_request
    SafetyAnswer.objects.filter(pk=answer.pk).update(support_request=support_request)
