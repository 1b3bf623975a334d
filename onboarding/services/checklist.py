"""The arrival checklist: opened on arrival, ticked off by the ALT."""

from django.db import transaction
from django.utils import timezone

from contacts.models import User

from ..models import ChecklistItem, Placement, Stage


class ChecklistClosed(Exception):
    """The ALT has no such checklist step: not arrived yet, or an unknown step."""


def checklist_create_for_alt(*, alt_id: int) -> None:
    """Open every checklist step for an ALT who has arrived (safe to call twice)."""
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(alt_id=alt_id, kind=kind) for kind in ChecklistItem.Kind.values], ignore_conflicts=True
    )


@transaction.atomic
def checklist_item_set(*, alt: User, kind: str, done: bool) -> ChecklistItem:
    """Tick a step off (or back on) for `alt`, an ALT who has arrived; ChecklistClosed otherwise."""
    if kind not in ChecklistItem.Kind.values:
        raise ChecklistClosed(f"unknown checklist step {kind!r}")
    if not Placement.objects.filter(alt=alt, stage=Stage.ARRIVED).exists():
        raise ChecklistClosed("the checklist opens on arrival")
    item, _created = ChecklistItem.objects.select_for_update().get_or_create(alt=alt, kind=kind)
    done_at = (item.done_at or timezone.now()) if done else None
    if item.done_at != done_at:
        item.done_at = done_at
        item.save(update_fields=["done_at"])
    return item
