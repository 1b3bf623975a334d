"""Starting a safety check, asking everyone in its scope, reminding those who have not answered, closing it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts.models import Branch, User
from contacts.services import notify_many, task_publish

from ..links import answer_url
from ..models import AnswerStatus, SafetyAnswer, SafetyCheck
from ..selectors import alts_in_scope

logger = logging.getLogger(__name__)

# The fields the emails read of each ALT.
_RECIPIENT_FIELDS = ["id", "email", "first_name", "last_name", "preferred_language"]


# Registered by safety.tasks; queued by name, as services never import the tasks (which call them).
FAN_OUT_TASK = "safety.tasks.fan_out_safety_check"


def _enqueue_fan_out(check_id: int) -> None:
    if not task_publish(FAN_OUT_TASK, check_id):
        logger.warning("broker unavailable; safety check %s left for the sweep", check_id)


@transaction.atomic
def safety_check_start(
    *,
    by: User,
    title: str,
    message: str,
    reason: str,
    branches,
    prefectures: list[str],
    title_ja: str = "",
    message_ja: str = "",
) -> SafetyCheck:
    """Start a check: the row now, the answer rows and emails by a task after commit (safety_check_fan_out).

    Returns at once whatever the number of ALTs in scope. If the broker is
    down, the periodic sweep (safety_reminders_send) does the fan-out.
    """
    check = SafetyCheck.objects.create(
        title=title,
        title_ja=title_ja,
        message=message,
        message_ja=message_ja,
        reason=reason,
        prefectures=sorted(set(prefectures)),
        started_by=by,
        started_at=timezone.now(),
    )
    check.branches.set(branches)
    transaction.on_commit(lambda: _enqueue_fan_out(check.pk))
    return check


def _emails(check: SafetyCheck, answers, *, kind: str, key: str, template: str, branches: dict) -> list[dict]:
    return [
        {
            "kind": kind,
            "key": f"{key}:{answer.alt_id}",
            "template": template,
            "context": {
                "check": check,
                "url": answer_url(check_id=check.pk, alt_id=answer.alt_id),
                "branch": branches[answer.branch_id],
            },
            "recipient": answer.alt,
        }
        for answer in answers
    ]


def safety_check_fan_out(*, check_id: int) -> int:
    """Give every arrived ALT in the check's scope an answer row and an email. Returns the emails written.

    Batches of SAFETY_FANOUT_BATCH, each in its own transaction: a batch's
    answer rows and emails commit together, so an ALT who has a row has had
    their email. A second run (or one after a worker died) skips them, and the
    Notification keys stop any email written twice by two runs at once.
    """
    check = SafetyCheck.objects.filter(pk=check_id).prefetch_related("branches").first()
    if check is None or check.closed_at is not None or check.fanned_out_at is not None:
        return 0
    in_scope = alts_in_scope(branch_ids=[b.pk for b in check.branches.all()], prefectures=check.prefectures)
    targets = list(in_scope.order_by("user_id").values_list("user_id", "branch_id", "prefecture"))
    asked = set(SafetyAnswer.objects.filter(safety_check=check).values_list("alt_id", flat=True))
    todo = [target for target in targets if target[0] not in asked]
    branches = Branch.objects.in_bulk({branch_id for _alt, branch_id, _prefecture in todo})
    written = 0
    batch = settings.SAFETY_FANOUT_BATCH
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        with transaction.atomic():
            users = User.objects.only(*_RECIPIENT_FIELDS).in_bulk([alt_id for alt_id, _b, _p in chunk])
            answers = [
                SafetyAnswer(safety_check=check, alt=users[alt_id], branch_id=branch_id, prefecture=prefecture)
                for alt_id, branch_id, prefecture in chunk
                if alt_id in users  # not deleted since
            ]
            SafetyAnswer.objects.bulk_create(answers, ignore_conflicts=True)
            written += notify_many(
                items=_emails(
                    check,
                    answers,
                    kind="safety.check",
                    key=f"safety.check:{check.pk}",
                    template="safety/email/check",
                    branches=branches,
                )
            )
    total = SafetyAnswer.objects.filter(safety_check=check).count()
    SafetyCheck.objects.filter(pk=check.pk, fanned_out_at__isnull=True).update(
        fanned_out_at=timezone.now(), recipients=total
    )
    return written


def _remind(check: SafetyCheck, *, round_number: int) -> int:
    """One round of reminders for one check, claimed first: of two schedulers, one sends it."""
    with transaction.atomic():
        claimed = SafetyCheck.objects.filter(
            pk=check.pk, reminders_sent=check.reminders_sent, closed_at__isnull=True
        ).update(reminders_sent=round_number)
        if claimed != 1:
            return 0
        pending = list(
            SafetyAnswer.objects.filter(safety_check=check, status=AnswerStatus.NO_ANSWER)
            .select_related("alt")
            .only("pk", "alt_id", "branch_id", *[f"alt__{name}" for name in _RECIPIENT_FIELDS])
            .order_by("pk")
        )
        branches = Branch.objects.in_bulk({answer.branch_id for answer in pending})
        written = 0
        batch = settings.SAFETY_FANOUT_BATCH
        for start in range(0, len(pending), batch):
            written += notify_many(
                items=_emails(
                    check,
                    pending[start : start + batch],
                    kind="safety.reminder",
                    key=f"safety.reminder:{check.pk}:{round_number}",
                    template="safety/email/reminder",
                    branches=branches,
                )
            )
        return written


def safety_reminders_send(*, now=None) -> int:
    """Remind those who have not answered an open check, every SAFETY_REMINDER_HOURS after the start,
    SAFETY_REMINDER_ROUNDS times at most; a round missed (the scheduler was down) is sent once, late,
    not several at once. First finishes any fan-out the broker never ran. Returns the emails written.
    """
    now = now or timezone.now()
    written = 0
    unasked = SafetyCheck.objects.filter(
        closed_at__isnull=True, fanned_out_at__isnull=True, started_at__lte=now - timedelta(minutes=1)
    ).values_list("pk", flat=True)
    for check_id in list(unasked):
        written += safety_check_fan_out(check_id=check_id)
    interval = timedelta(hours=max(1, settings.SAFETY_REMINDER_HOURS))
    rounds = settings.SAFETY_REMINDER_ROUNDS
    for check in SafetyCheck.objects.filter(
        closed_at__isnull=True, fanned_out_at__isnull=False, reminders_sent__lt=rounds
    ).order_by("pk"):
        due = min(rounds, int((now - check.started_at) / interval))
        if due > check.reminders_sent:
            written += _remind(check, round_number=due)
    return written


def safety_check_close(*, check: SafetyCheck, by: User) -> bool:
    """Close the check: answers, links and reminders end. False if it was already closed."""
    closed = SafetyCheck.objects.filter(pk=check.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by
    )
    check.refresh_from_db(fields=["closed_at", "closed_by"])
    return closed == 1
