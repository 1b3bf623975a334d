"""'New reply': each side opened the request and saw the other side's replies up to a given one.

A page is opened with a GET, which never writes: the opened page sends a small
POST (or the person presses "Mark as read", or answers), with the time of the
latest reply it showed. One conditional UPDATE: never past the latest reply
(a reply written since the page was shown stays new), never backwards, and
nothing else of the request changes (no version bump, so nobody's open admin
form goes stale; no history row; no last activity).
"""

from datetime import datetime

from django.db.models import Q

from ..models import SupportRequest


def _mark_seen(support_request: SupportRequest, *, reply_field: str, seen_field: str, up_to: datetime) -> bool:
    updated = (
        SupportRequest.objects.filter(pk=support_request.pk, **{f"{reply_field}__gte": up_to})
        .filter(Q(**{f"{seen_field}__isnull": True}) | Q(**{f"{seen_field}__lt": up_to}))
        .update(**{seen_field: up_to})
    )
    if updated:
        setattr(support_request, seen_field, up_to)
    return bool(updated)


def support_request_mark_seen_by_alt(*, support_request: SupportRequest, up_to: datetime) -> bool:
    """The ALT opened the request and saw staff's replies up to `up_to`. True when the mark changed."""
    return _mark_seen(support_request, reply_field="last_staff_reply_at", seen_field="alt_seen_up_to", up_to=up_to)


def support_request_mark_seen_by_staff(*, support_request: SupportRequest, up_to: datetime) -> bool:
    """Staff opened the request and saw the ALT's replies up to `up_to`. True when the mark changed."""
    return _mark_seen(support_request, reply_field="last_alt_reply_at", seen_field="staff_seen_up_to", up_to=up_to)
