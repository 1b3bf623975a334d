"""What the ALT's own pages read: their list, a request's page, the dashboard card.

Each page is a fixed number of queries whatever the number of requests,
messages or files, and reads only the columns it shows.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils.translation import gettext as _

from contacts.models import AltProfile, User

from ..models import NEW_REPLY_FOR_ALT, OPEN_STATUSES, Attachment, Message, Status, SupportRequest, Visit
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


def _new_reply() -> Case:
    """True on a request with a reply the ALT has not opened ("New reply")."""
    return Case(When(NEW_REPLY_FOR_ALT, then=Value(True)), default=Value(False), output_field=BooleanField())


def _new_reply_count_of_alt() -> Subquery:
    """How many of the ALT's requests have a new reply (a subquery; the outer row is one of their requests)."""
    requests = SupportRequest.objects.filter(NEW_REPLY_FOR_ALT, alt_id=OuterRef("alt_id"))
    return Coalesce(Subquery(requests.values("alt_id").annotate(count=Count("pk")).values("count")[:1]), 0)


def new_reply_count_for_alt(*, user_id: int) -> int:
    """How many of the ALT's requests have a reply they have not opened (the navigation's count). One query."""
    return SupportRequest.objects.filter(NEW_REPLY_FOR_ALT, alt_id=user_id).count()


def status_labels_for_alt() -> dict[str, str]:
    """Each status as the ALT reads it, in the active language (once per page, not per row)."""
    labels = {value: str(label) for value, label in Status.choices}
    labels[Status.WAITING_ON_ALT] = _("Waiting for your reply")
    labels[Status.NEW] = _("Received")
    return labels


@dataclass(frozen=True)
class AltRequestList:
    rows: list[SupportRequest]  # each with `new_reply`
    page: int
    # More resolved or closed requests on the next page.
    has_older: bool
    # How many of all the ALT's requests have a new reply (on the first page; None on the others).
    new_reply_count: int | None


def support_requests_for_alt(*, user: User, page: int = 1) -> AltRequestList:
    """The ALT's requests as their list shows them, each marked when it has a new reply: one query.

    Page 1: every open request, most recent activity first, then the latest
    CLOSED_ON_FIRST_PAGE resolved or closed ones, and how many of all their
    requests have a new reply. Page 2 and on: the older resolved or closed
    ones, OLDER_PER_PAGE at a time. 404 past the last page.
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
            new_reply=_new_reply(),
        )
    )
    # One row more than shown tells whether there are older ones.
    if page == 1:
        # Over all their requests, before the page's rows are picked (a window is computed first).
        new_replies = Window(Sum(Case(When(NEW_REPLY_FOR_ALT, then=Value(1)), default=Value(0))))
        rows = rows.annotate(new_replies=new_replies).filter(Q(is_closed=0) | Q(rank__lte=CLOSED_ON_FIRST_PAGE + 1))
    else:
        first_closed = CLOSED_ON_FIRST_PAGE + (page - 2) * OLDER_PER_PAGE + 1
        rows = rows.filter(is_closed=1, rank__gte=first_closed, rank__lte=first_closed + OLDER_PER_PAGE)
    rows = list(rows.order_by("is_closed", *newest_first))
    new_reply_count = (rows[0].new_replies if rows else 0) if page == 1 else None
    shown = CLOSED_ON_FIRST_PAGE if page == 1 else OLDER_PER_PAGE
    closed = [row for row in rows if row.is_closed]
    has_older = len(closed) > shown
    if has_older:
        rows.remove(closed[-1])
    if page > 1 and not rows:
        raise Http404("No such page")
    return AltRequestList(rows=rows, page=page, has_older=has_older, new_reply_count=new_reply_count)


def support_request_page_for_alt(*, user: User, pk: int) -> SupportRequest:
    """One of the ALT's own requests, with what its page shows: who handles it (name and role), who opened
    it for them, whether it has files and visits (so that their queries run only when it has some), and
    `new_reply_count`, how many of the ALT's requests have a new reply (for the navigation). One query;
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
            new_reply_count=_new_reply_count_of_alt(),
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
    """The messages the ALT may read (never internal notes), each with its files and marked `is_new` when
    it is a reply they have not seen. One query, and one more for the files when the request has some
    (`has_files`, support_request_page_for_alt)."""
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
    seen = support_request.alt_seen_up_to
    for message in messages:
        message.files = by_message.get(message.pk, [])
        message.is_new = message.from_staff and (seen is None or message.created > seen)
    return AltThread(messages=messages, request_files=by_message.get(None, []))


def support_dashboard_card(*, profile: AltProfile):
    """Context for the ALT dashboard card: open requests, what waits on the ALT, new replies (on closed
    requests too), visits to come. Two queries.

    Before a branch is confirmed the requests go to GRM (the card says so).
    """
    waiting_first = Case(When(status=Status.WAITING_ON_ALT, then=Value(0)), default=Value(1))
    rows = list(
        SupportRequest.objects.filter(Q(status__in=OPEN_STATUSES) | NEW_REPLY_FOR_ALT, alt_id=profile.user_id)
        .annotate(new_reply=_new_reply())
        .order_by("-new_reply", waiting_first, "-last_activity_at")
        .values("pk", "reference", "subject", "status", "new_reply")[:100]
    )
    waiting = [r for r in rows if r["status"] == Status.WAITING_ON_ALT]
    return {
        "open_count": sum(1 for r in rows if r["status"] in OPEN_STATUSES),
        "waiting": waiting[:3],
        "waiting_count": len(waiting),
        # New replies first, then the most recently active.
        "recent": [r for r in rows if r["status"] != Status.WAITING_ON_ALT][:3],
        "new_reply_count": sum(1 for r in rows if r["new_reply"]),
        "visits": visits_upcoming_for_alt(user_id=profile.user_id),
        "with_grm": profile.branch_id is None,
    }
