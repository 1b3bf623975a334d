"""What the ALT's own pages read: their list, a request's page, the dashboard card.

Each page is a fixed number of queries whatever the number of requests,
messages or files, and reads only the columns it shows.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from contacts.models import AltProfile, StaffRole, User

from ..models import NEW_REPLY_FOR_ALT, OPEN_STATUSES, Attachment, Message, Status, SupportRequest, Visit
from .requests import ROLE_ORDER
from .visits import visits_upcoming_for_alt

# The list's first page: every request that needs the ALT (open, or with a new reply), then this many of
# the latest other ones (resolved or closed).
CLOSED_ON_FIRST_PAGE = 10
# Older resolved or closed requests, per page after the first.
OLDER_PER_PAGE = 20

ROLE_RANK = {role: rank for rank, role in enumerate(ROLE_ORDER)}

# The columns of a request's row in the ALT's list, with its assignee's name.
LIST_COLUMNS = (
    "pk",
    "reference",
    "subject",
    "urgency",
    "status",
    "branch",
    "last_activity_at",
    "last_staff_reply_at",
    "alt_seen_up_to",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


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
    rows: list[SupportRequest]
    page: int
    # More resolved or closed requests on the next page.
    has_older: bool
    # How many of the ALT's requests have a new reply (all of them are on the first page; None on the others).
    new_reply_count: int | None


def support_requests_for_alt(*, user: User, page: int = 1) -> AltRequestList:
    """The ALT's requests as their list shows them, each with its assignee's role.

    Page 1: every request that needs them, open or with a new reply
    (`has_new_reply_for_alt`), most recent activity first, then the latest
    CLOSED_ON_FIRST_PAGE others. Page 2 and on: the older others,
    OLDER_PER_PAGE at a time; 404 past the last page. Two simple queries
    (one on the later pages), and one for the roles when someone handles them.
    """
    if page < 1:
        raise Http404("No such page")
    needs_the_alt = Q(status__in=OPEN_STATUSES) | NEW_REPLY_FOR_ALT
    requests = SupportRequest.objects.filter(alt=user).select_related("assignee").only(*LIST_COLUMNS)
    requests = requests.order_by("-last_activity_at", "-pk")
    # One row more than shown tells whether there are older ones.
    if page == 1:
        rows = list(requests.filter(needs_the_alt))
        others = list(requests.exclude(needs_the_alt)[: CLOSED_ON_FIRST_PAGE + 1])
        shown = CLOSED_ON_FIRST_PAGE
    else:
        first = CLOSED_ON_FIRST_PAGE + (page - 2) * OLDER_PER_PAGE
        rows, others = [], list(requests.exclude(needs_the_alt)[first : first + OLDER_PER_PAGE + 1])
        shown = OLDER_PER_PAGE
        if not others:
            raise Http404("No such page")
    has_older = len(others) > shown
    rows += others[:shown]
    with_assignee_roles(rows)
    new_reply_count = sum(1 for row in rows if row.has_new_reply_for_alt) if page == 1 else None
    return AltRequestList(rows=rows, page=page, has_older=has_older, new_reply_count=new_reply_count)


def with_assignee_roles(requests: list[SupportRequest]) -> None:
    """Set `assignee_role` on each request, as assignee_role_annotation does (a role in the request's
    branch, else a national one; MC first): one small query for the people, none without any. Cheaper
    than the annotation's subquery, which is built anew for every page."""
    people = {request.assignee_id for request in requests if request.assignee_id}
    held: dict[int, list[tuple[int | None, str]]] = {}
    if people:
        for user_id, branch_id, role in StaffRole.objects.filter(user_id__in=people).values_list(
            "user_id", "branch_id", "role"
        ):
            held.setdefault(user_id, []).append((branch_id, role))
    for request in requests:
        roles = [
            role for branch_id, role in held.get(request.assignee_id, ()) if branch_id in (request.branch_id, None)
        ]
        request.assignee_role = min(roles, key=ROLE_RANK.get, default=None)


def support_request_page_for_alt(*, user: User, pk: int) -> SupportRequest:
    """One of the ALT's own requests, with what its page shows: who handles it (name and role), who opened
    it for them, and whether it has files and visits (so that their queries run only when it has some).
    One query, and one for the assignee's role; 404 for anyone else's."""
    try:
        request = (
            SupportRequest.objects.select_related("branch", "assignee", "opened_by")
            .annotate(
                has_files=Exists(Attachment.objects.filter(support_request=OuterRef("pk"))),
                has_visits=Exists(Visit.objects.filter(support_request=OuterRef("pk"))),
            )
            .get(pk=pk, alt=user)
        )
    except SupportRequest.DoesNotExist:
        raise Http404("No such request") from None
    with_assignee_roles([request])
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
    rows = list(
        SupportRequest.objects.filter(Q(status__in=OPEN_STATUSES) | NEW_REPLY_FOR_ALT, alt_id=profile.user_id)
        .order_by("-last_activity_at")
        .only("pk", "reference", "subject", "status", "last_staff_reply_at", "alt_seen_up_to")[:100]
    )
    # New replies first, then what waits on the ALT, then the most recently active.
    rows.sort(key=lambda r: (not r.has_new_reply_for_alt, r.status != Status.WAITING_ON_ALT))
    waiting = [r for r in rows if r.status == Status.WAITING_ON_ALT]
    return {
        "open_count": sum(1 for r in rows if r.status in OPEN_STATUSES),
        "waiting": waiting[:3],
        "waiting_count": len(waiting),
        "recent": [r for r in rows if r.status != Status.WAITING_ON_ALT][:3],
        "new_reply_count": sum(1 for r in rows if r.has_new_reply_for_alt),
        "visits": visits_upcoming_for_alt(user_id=profile.user_id),
        "with_grm": profile.branch_id is None,
    }
