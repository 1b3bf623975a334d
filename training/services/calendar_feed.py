"""The ALT's private calendar feed token."""

from django.db import transaction
from django.utils import timezone

from contacts.models import User

from ..models import CalendarFeed


def calendar_feed_create(*, alt: User) -> CalendarFeed:
    """The ALT's feed token, created when they ask for it (one insert that a concurrent twin cannot duplicate)."""
    feed = CalendarFeed.objects.filter(alt=alt).first()
    if feed is None:
        CalendarFeed.objects.bulk_create([CalendarFeed(alt=alt, token=CalendarFeed.new_token())], ignore_conflicts=True)
        feed = CalendarFeed.objects.get(alt=alt)
    return feed


@transaction.atomic
def calendar_feed_reset(*, alt: User) -> CalendarFeed:
    """Give the ALT a new feed link; the old one answers 404 from now on."""
    feed = calendar_feed_create(alt=alt)
    feed.token = CalendarFeed.new_token()
    feed.created = timezone.now()
    feed.save(update_fields=["token", "created"])
    return feed
