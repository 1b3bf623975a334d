"""What the ALT's own pages read: their list, a request's page, the dashboard card.

Each page is a fixed number of queries whatever the number of requests,
messages or files, and reads only the columns it shows.
"""

from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils.translation import gettext as _

from contacts.models import AltProfile, User

from ..models import OPEN_STATUSES, Attachment, Message, Status, SupportRequest, Visit
from .requests import assignee_role_annotation
from .visits import visits_upcoming_for_alt

# The list's first page: every open request, then this many of the latest resolved or closed ones.
CLOSED_ON_FIRST_PAGE = 10
# Older resolved or closed requests, per page after the first.
OLDER_PER_PAGE = 20

# The columns of a request's row in the ALT's list, with its assignee's name.
LIST_COLUMNS = (
    "pk",
    "reference",
    "subject",
    "urgency",
    "status",
    "last_activity_at",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


def status_labels_for_alt() -> dict[str, str]:
    """Each status as the ALT reads it, in the active language (once per page, not per row)."""
    labels = {value: str(label) for value, label in Status.choices}
    labels[Status.WAITING_ON_ALT] = _("Waiting for your reply")
    labels[Status.NEW] = _("Received")
    return labels


@dataclass(frozen=True)
class AltRequestList:
    rows: list[SupportRequest]
    page: int
    # More resolved or closed requests on the next page.
    has_older: bool


def support_requests_for_alt(*, user: User, page: int = 1) -> AltRequestList:
    """The ALT's requests as their list shows them: one query.

    Page 1: every open request, most recent activity first, then the latest
    CLOSED_ON_FIRST_PAGE resolved or closed ones. Page 2 and on: the older
    resolved or closed ones, OLDER_PER_PAGE at a time. 404 past the last page.
    """
    if page < 1:
        raise Http404("No such page")
    is_closed = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1))
    newest_first = [F("last_activity_at").desc(), F("pk").desc()]
    rows = (
        SupportRequest.objects.filter(alt=user)
        .select_related("assignee")
        .only(*LIST_COLUMNS)
        .annotate(
            is_closed=is_closed,
            # Rank within the open ones, and within the closed ones: a window, so that one query gives both.
            rank=Window(RowNumber(), partition_by=[is_closed], order_by=newest_first),
            assignee_role=assignee_role_annotation(),
        )
    )
    # One row more than shown tells whether there are older ones.
    if page == 1:
        rows = rows.filter(Q(is_closed=0) | Q(rank__lte=CLOSED_ON_FIRST_PAGE + 1))
        first_closed = 1
    else:
        first_closed = CLOSED_ON_FIRST_PAGE + (page - 2) * OLDER_PER_PAGE + 1
        rows = rows.filter(is_closed=1, rank__gte=first_closed, rank__lte=first_closed + OLDER_PER_PAGE)
    rows = list(rows.order_by("is_closed", *newest_first))
    shown = CLOSED_ON_FIRST_PAGE if page == 1 else OLDER_PER_PAGE
    closed = [row for row in rows if row.is_closed]
    has_older = len(closed) > shown
    if has_older:
        rows.remove(closed[-1])
    if page > 1 and not rows:
        raise Http404("No such page")
    return AltRequestList(rows=rows, page=page, has_older=has_older)


def support_request_page_for_alt(*, user: User, pk: int) -> SupportRequest:
    """One of the ALT's own requests, with what its page shows: who handles it (name and role), who opened
    it for them, and whether it has files and visits (so that their queries run only when it has some).
    404 for anyone else's."""
    files = Attachment.objects.filter(support_request=OuterRef("pk"))
    visits = Visit.objects.filter(support_request=OuterRef("pk"))
    request = (
        SupportRequest.objects.select_related("branch", "assignee", "opened_by")
        .defer("submit_token", "overdue_flagged_for", "triage_rank", "triage_due")
        .annotate(
            assignee_role=assignee_role_annotation(),
            has_files=Exists(files.filter(Q(message__isnull=True) | Q(message__is_internal=False))),
            has_visits=Exists(visits),
        )
        .filter(pk=pk, alt=user)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    return request


@dataclass(frozen=True)
class AltThread:
    messages: list[Message]
    # The files sent with the request itself (those of a message are on the message: `message.files`).
    request_files: list[Attachment]


def support_thread_for_alt(*, support_request: SupportRequest) -> AltThread:
    """The messages the ALT may read (never internal notes), each with its files. One query, and one more
    for the files when the request has some (`has_files`, support_request_page_for_alt)."""
    messages = list(
        Message.objects.filter(support_request=support_request, is_internal=False)
        .select_related("author")
        .only("pk", "body", "from_staff", "created", "author__first_name", "author__last_name", "author__email")
        .order_by("created", "pk")
    )
    by_message: dict[int | None, list[Attachment]] = {}
    if getattr(support_request, "has_files", True):
        files = (
            Attachment.objects.filter(support_request=support_request)
            .filter(Q(message__isnull=True) | Q(message__is_internal=False))
            .only("pk", "message_id", "original_name", "size")
            .order_by("created", "pk")
        )
        for attachment in files:
            by_message.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        message.files = by_message.get(message.pk, [])
    return AltThread(messages=messages, request_files=by_message.get(None, []))


def support_dashboard_card(*, profile: AltProfile):
    """Context for the ALT dashboard card: open requests, what waits on the ALT, visits to come. Two queries.

    Before a branch is confirmed the requests go to GRM (the card says so).
    """
    waiting_first = Case(When(status=Status.WAITING_ON_ALT, then=Value(0)), default=Value(1))
    open_requests = list(
        SupportRequest.objects.filter(alt_id=profile.user_id, status__in=OPEN_STATUSES)
        .order_by(waiting_first, "-last_activity_at")
        .values("pk", "reference", "subject", "status")[:100]
    )
    waiting = [r for r in open_requests if r["status"] == Status.WAITING_ON_ALT]
    return {
        "open_count": len(open_requests),
        "waiting": waiting[:3],
        "waiting_count": len(waiting),
        "recent": [r for r in open_requests if r["status"] != Status.WAITING_ON_ALT][:3],
        "visits": visits_upcoming_for_alt(user_id=profile.user_id),
        "with_grm": profile.branch_id is None,
    }
