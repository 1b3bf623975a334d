"""The arrival checklist: opened on arrival with a due date per step, ticked off by the ALT,
and a reminder a few days before a step is due."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Case, DateField, Value, When
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile, User
from contacts.services import notify_many

from ..checklist import REMIND_DAYS_BEFORE, STEPS, STEPS_BY_KIND
from ..models import ChecklistItem, Placement, Stage
from .reminders import _chunks


class ChecklistClosed(Exception):
    """The ALT has no such checklist step: not arrived yet, or an unknown step."""


def _arrival_date(alt_id: int) -> date:
    """The ALT's arrival date (their profile's), else today."""
    arrival = AltProfile.objects.filter(user_id=alt_id).values_list("arrival_date", flat=True).first()
    return arrival or timezone.localdate()


def checklist_create_for_alt(*, alt_id: int, arrival_date: date | None = None) -> None:
    """Open every checklist step for an ALT who has arrived, each due some days after arrival (safe to call twice).

    `arrival_date` defaults to the ALT's profile's (else today). Steps already there keep their dates.
    """
    arrival = arrival_date or _arrival_date(alt_id)
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(alt_id=alt_id, kind=step.kind, due_on=arrival + timedelta(days=step.due_days))
            for step in STEPS
        ],
        ignore_conflicts=True,
    )


def checklist_reschedule(*, alt_id: int, arrival_date: date) -> int:
    """The arrival date changed: move the due dates of the steps still open (one statement).

    A moved step may be reminded again for its new date. Returns the steps moved.
    """
    due_on = Case(
        *[When(kind=step.kind, then=Value(arrival_date + timedelta(days=step.due_days))) for step in STEPS],
        output_field=DateField(),
    )
    return ChecklistItem.objects.filter(alt_id=alt_id, done_at__isnull=True).update(due_on=due_on, reminded_at=None)


def checklist_item_get_or_open(*, alt: User, kind: str, lock: bool = False) -> ChecklistItem:
    """The step `kind` of an ALT who has arrived (opened now if it is missing); ChecklistClosed otherwise."""
    if kind not in STEPS_BY_KIND:
        raise ChecklistClosed(f"unknown checklist step {kind!r}")
    placement = Placement.objects.filter(alt=alt, stage=Stage.ARRIVED).values("alt__alt_profile__arrival_date").first()
    if placement is None:
        raise ChecklistClosed("the checklist opens on arrival")
    arrival = placement["alt__alt_profile__arrival_date"] or timezone.localdate()
    items = ChecklistItem.objects.select_for_update() if lock else ChecklistItem.objects
    item, _created = items.get_or_create(
        alt=alt, kind=kind, defaults={"due_on": arrival + timedelta(days=STEPS_BY_KIND[kind].due_days)}
    )
    return item


@transaction.atomic
def checklist_item_set(*, alt: User, kind: str, done: bool) -> ChecklistItem:
    """Tick a step off (or back on) for `alt`, an ALT who has arrived; ChecklistClosed otherwise."""
    item = checklist_item_get_or_open(alt=alt, kind=kind, lock=True)
    done_at = (item.done_at or timezone.now()) if done else None
    if item.done_at != done_at:
        item.done_at = done_at
        item.save(update_fields=["done_at"])
    return item


def checklist_reminders_send(*, today: date | None = None) -> int:
    """Remind each arrived ALT of a step due within the next 3 days, once per step and due date.

    A fixed handful of queries however many ALTs (one select, one insert, a
    few updates), safe to run twice or on two workers: the Notification key
    decides. Returns the reminders written.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        items = list(
            ChecklistItem.objects.filter(
                done_at__isnull=True,
                reminded_at__isnull=True,
                due_on__gte=today,
                due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
                alt__is_active=True,
                alt__placement__stage=Stage.ARRIVED,
            )
            .select_related("alt")
            .order_by("due_on", "pk")
        )
        url = reverse("onboarding:index") + "#checklist"
        notify_many(
            items=[
                {
                    "kind": "onboarding.checklist_due",
                    "key": f"onboarding.checklist_due:{item.pk}:{item.due_on.isoformat()}",
                    "template": "onboarding/email/checklist_due",
                    "context": {"alt": item.alt, "step": STEPS_BY_KIND[item.kind], "due_on": item.due_on, "url": url},
                    "recipient": item.alt,
                }
                for item in items
            ]
        )
        for chunk in _chunks([item.pk for item in items]):
            ChecklistItem.objects.filter(pk__in=chunk, reminded_at__isnull=True).update(reminded_at=now)
    return len(items)
