"""Every read the support pages and the admin need, with the permission filter in one place."""

from dataclasses import dataclass, field

from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from contacts.models import AltProfile, StaffRole, User
from contacts.selectors import branch_scope_for_user

from ..models import (
    CONFIDENTIAL_PERMISSION,
    OPEN_STATUSES,
    Attachment,
    Category,
    SupportRequest,
    Urgency,
)

# --- who sees what ------------------------------------------------------------


def confidential_filter(*, user: User) -> Q:
    """The rows `user` (staff) may see as far as confidentiality goes.

    A well-being request is shown only to the ALT's own Managing Consultant
    and to staff holding `support.view_confidential_request` (the MC role);
    everyone else in the branch does not see it at all, not even in lists,
    so neither its subject nor its existence leaks. Branch scoping is applied
    separately (same branch only).
    """
    if user.is_superuser or user.has_perm(CONFIDENTIAL_PERMISSION):
        return Q()
    # A subquery rather than a join through the ALT's profile: the admin list and
    # its count then read only the request table's branch index.
    own_alts = AltProfile.objects.filter(managing_consultant=user).values("user_id")
    return ~Q(category=Category.WELLBEING) | Q(alt_id__in=own_alts)


# Who works a desk: a branch's MCs and schedulers see its whole queue; GRM sees the requests sent before
# a branch was confirmed; SESPS, the national escalation point, sees urgent requests. Anyone else (a
# trainer, or a colleague of another desk) sees the requests handed on to them, and only those.
QUEUE_ROLES = (StaffRole.Role.MC, StaffRole.Role.SCHEDULER)


def _desk_filter(*, user: User) -> Q | None:
    """The requests of `user`'s desks (their roles), or None when they have no desk."""
    scope = branch_scope_for_user(user=user)
    parts = []
    queue_branches = scope.branches_for(QUEUE_ROLES)
    if queue_branches:
        parts.append(Q(branch_id__in=sorted(queue_branches)) & confidential_filter(user=user))
    if StaffRole.Role.GRM in scope.roles:
        parts.append(Q(branch__isnull=True))
    if StaffRole.Role.SESPS in scope.roles:
        parts.append(Q(urgency=Urgency.URGENT, branch__isnull=False) & confidential_filter(user=user))
    if not parts:
        return None
    desk = parts[0]
    for part in parts[1:]:
        desk |= part
    return desk


def support_requests_visible_to_staff(*, user: User) -> QuerySet:
    """The requests `user` may see in the admin: their desks' (minus what is confidential to them) and those
    assigned to them.

    The common case (nothing assigned to them outside their desks) stays a
    plain branch filter that the triage index serves; one cheap query on the
    assignee index decides it.
    """
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return SupportRequest.objects.none()
    if not user.has_perm("support.view_supportrequest"):
        return SupportRequest.objects.none()
    queryset = SupportRequest.objects.all()
    if user.is_superuser:
        return queryset
    desk = _desk_filter(user=user)
    mine = Q(assignee_id=user.pk)
    if desk is None:
        return queryset.filter(mine)
    if SupportRequest.objects.filter(mine).exclude(desk).exists():
        return queryset.filter(desk | mine)
    return queryset.filter(desk)


def alts_staff_may_open_for(*, user: User) -> QuerySet:
    """The ALTs `user` (branch staff) may open a request for: active, with a branch in the user's scope."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return User.objects.none()
    scope = branch_scope_for_user(user=user)
    profiles = AltProfile.objects.filter(branch__isnull=False)
    if not scope.all_branches:
        profiles = profiles.filter(branch_id__in=scope.branch_ids)
    return User.objects.filter(is_active=True, pk__in=profiles.values("user_id")).order_by(
        "first_name", "last_name", "email"
    )


def support_request_get_for_alt(*, user: User, pk: int) -> SupportRequest:
    """One of the ALT's own requests, with what its page shows (who handles it, in which role, and any
    urgent call-out); 404 for anyone else's."""
    try:
        return (
            SupportRequest.objects.select_related(
                "branch", "assignee", "opened_by", "urgent_alert", "urgent_alert__on_call"
            )
            .annotate(assignee_role=assignee_role_annotation())
            .get(pk=pk, alt=user)
        )
    except SupportRequest.DoesNotExist:
        raise Http404("No such request") from None


def support_request_get_for_user(*, user: User, pk: int) -> SupportRequest:
    """The request if `user` is its ALT or staff allowed to see it; 404 otherwise."""
    queryset = SupportRequest.objects.filter(pk=pk)
    try:
        return queryset.get(alt=user)
    except SupportRequest.DoesNotExist:
        pass
    try:
        return support_requests_visible_to_staff(user=user).get(pk=pk)
    except SupportRequest.DoesNotExist:
        raise Http404("No such request") from None


def attachment_get_for_user(*, user: User, request_pk: int, pk: int) -> Attachment:
    """An attachment `user` may download; the ALT never gets files of internal notes."""
    support_request = support_request_get_for_user(user=user, pk=request_pk)
    try:
        attachment = Attachment.objects.select_related("message").get(pk=pk, support_request=support_request)
    except Attachment.DoesNotExist:
        raise Http404("No such file") from None
    if support_request.alt_id == user.pk and attachment.is_internal:
        raise Http404("No such file")
    return attachment


# --- GRM ------------------------------------------------------------------------


def support_requests_open_with_grm(*, alt_ids) -> dict[int, list[SupportRequest]]:
    """The open requests of `alt_ids` that GRM handles (sent before a branch was confirmed), by ALT user id,
    oldest first, with their assignee. One query (none for no ALT); ALTs without any are left out.

    For the handover to the MC: what the ALT still has open with GRM.
    """
    alt_ids = list(alt_ids)
    if not alt_ids:
        return {}
    found: dict[int, list[SupportRequest]] = {}
    rows = (
        SupportRequest.objects.filter(alt_id__in=alt_ids, branch__isnull=True, status__in=OPEN_STATUSES)
        .select_related("assignee")
        .order_by("created", "pk")
    )
    for support_request in rows:
        found.setdefault(support_request.alt_id, []).append(support_request)
    return found


# --- staff ----------------------------------------------------------------------


def confidential_readers() -> QuerySet:
    """Active users holding `support.view_confidential_request` (through a role's group or their own), and superusers.

    What the database grants, not the role defaults: take the permission away
    from a group and its members are no longer offered or told.
    """
    return ModelBackend().with_perm(CONFIDENTIAL_PERMISSION)


# Opening a request in the admin takes the view permission, handling it the change permission.
HANDLER_PERMISSIONS = ("support.view_supportrequest", "support.change_supportrequest")


def support_handlers() -> QuerySet:
    """Active staff who may open and change support requests (through a role's group, their own, or superusers).

    What the database grants, as for confidential_readers: a trainer's role
    gives no support permission, so a trainer is never offered as an assignee
    and never told about a request they could not open.
    """
    backend = ModelBackend()
    people = User.objects.filter(is_active=True, is_staff=True)
    for permission in HANDLER_PERMISSIONS:
        people = people.filter(pk__in=backend.with_perm(permission).values("pk"))
    return people


def branch_colleagues(*, branch_id: int | None, confidential: bool = False, alt_id: int | None = None) -> QuerySet:
    """Staff a request may be assigned (handed on) to, with the support permissions.

    For a branch's request: anyone with a role in the branch (MC, scheduler,
    trainer) and the SESPS trainers; for a request with GRM (no branch): GRM
    staff. For a well-being request: only those who may read it, i.e.
    holders of the permission and the ALT's own Managing Consultant (`alt_id`).
    """
    if branch_id is None:
        roles = StaffRole.objects.filter(role=StaffRole.Role.GRM)
    else:
        roles = StaffRole.objects.filter(Q(branch_id=branch_id) | Q(role=StaffRole.Role.SESPS))
    people = support_handlers().filter(pk__in=roles.values("user_id"))
    if confidential:
        may_read = Q(pk__in=confidential_readers().values("pk"))
        if alt_id is not None:
            may_read |= Q(pk__in=AltProfile.objects.filter(user_id=alt_id).values("managing_consultant_id"))
        people = people.filter(may_read)
    return people.order_by("first_name", "last_name", "email")


def is_branch_colleague(*, user: User, support_request: SupportRequest, category: str | None = None) -> bool:
    """May `user` be assigned `support_request`, once its category is `category` (default: the current one)?"""
    confidential = (category or support_request.category) == Category.WELLBEING
    return (
        branch_colleagues(branch_id=support_request.branch_id, confidential=confidential, alt_id=support_request.alt_id)
        .filter(pk=user.pk)
        .exists()
    )


@dataclass
class BranchPeople:
    """Active staff of some branches, by branch id and then user id: who may be told about a request.

    The key None stands for GRM's desk (requests without a branch).
    """

    schedulers: dict = field(default_factory=dict)
    mcs: dict = field(default_factory=dict)
    confidential_readers: dict = field(default_factory=dict)
    # Those who may still be assigned the branch's requests (branch_colleagues): an assignee who left
    # the branch, lost the role or was deactivated is not among them.
    handlers: dict = field(default_factory=dict)
    # National: GRM staff (by user id), and SESPS trainers who may be handed any branch's request.
    grm: dict = field(default_factory=dict)
    sesps_handlers: dict = field(default_factory=dict)

    def may_be_assigned(self, support_request: SupportRequest, user_id: int) -> bool:
        """branch_colleagues' rule, on what was loaded: a handler of the branch (or SESPS), and for a
        well-being request one who may read it (holds the permission, or is the ALT's MC;
        `support_request.alt` with its profile is read for that)."""
        branch_id = support_request.branch_id
        handler = user_id in self.handlers.get(branch_id, {})
        if branch_id is not None and user_id in self.sesps_handlers:
            handler = True
        if not handler:
            return False
        if not support_request.is_confidential:
            return True
        if user_id in self.confidential_readers.get(branch_id, {}):
            return True
        profile = getattr(support_request.alt, "alt_profile", None)
        return profile is not None and profile.managing_consultant_id == user_id


def branch_people_for_notices(*, branch_ids) -> BranchPeople:
    """The schedulers, MCs, readers of well-being requests and handlers of `branch_ids` (None: GRM's desk),
    with the national GRM and SESPS staff.

    One query (none for no branch).
    """
    people = BranchPeople()
    if not branch_ids:
        return people
    branch_ids = set(branch_ids)
    roles = (
        StaffRole.objects.filter(
            Q(branch_id__in=[b for b in branch_ids if b is not None]) | Q(role__in=StaffRole.NATIONAL_ROLES),
            user__is_active=True,
        )
        .select_related("user")
        .annotate(
            reads_confidential=Exists(confidential_readers().filter(pk=OuterRef("user_id"))),
            handles=Exists(support_handlers().filter(pk=OuterRef("user_id"))),
        )
        .order_by("pk")
    )
    for role in roles:
        if role.role == StaffRole.Role.GRM:
            people.grm[role.user_id] = role.user
            if role.handles:
                people.handlers.setdefault(None, {})[role.user_id] = role.user
            continue
        if role.role == StaffRole.Role.SESPS:
            if role.handles:
                people.sesps_handlers[role.user_id] = role.user
            continue
        if role.role == StaffRole.Role.SCHEDULER:
            people.schedulers.setdefault(role.branch_id, {})[role.user_id] = role.user
        if role.role == StaffRole.Role.MC:
            people.mcs.setdefault(role.branch_id, {})[role.user_id] = role.user
        if role.reads_confidential:
            people.confidential_readers.setdefault(role.branch_id, {})[role.user_id] = role.user
        if role.handles:
            people.handlers.setdefault(role.branch_id, {})[role.user_id] = role.user
    return people


ROLE_ORDER = [
    StaffRole.Role.MC,
    StaffRole.Role.SCHEDULER,
    StaffRole.Role.TRAINER,
    StaffRole.Role.SESPS,
    StaffRole.Role.GRM,
]


def assignee_role_annotation() -> Subquery:
    """The role in which the assignee handles a request (MC, scheduler, trainer, SESPS or GRM), for the ALT.

    A role in the request's branch, else a national one; MC first when they hold several.
    """
    rank = Case(*(When(role=role, then=Value(i)) for i, role in enumerate(ROLE_ORDER)), default=Value(99))
    roles = (
        StaffRole.objects.filter(user_id=OuterRef("assignee_id"))
        .filter(Q(branch_id=OuterRef("branch_id")) | Q(branch__isnull=True))
        .annotate(rank=rank)
        .order_by("rank")
        .values("role")[:1]
    )
    return Subquery(roles)


def with_role_at(people: QuerySet, *, branch_id: int | None) -> QuerySet:
    """`people` (users) annotated with `role_here`: their role for a request of `branch_id`, as the ALT sees it."""
    rank = Case(*(When(role=role, then=Value(i)) for i, role in enumerate(ROLE_ORDER)), default=Value(99))
    where = Q(branch__isnull=True) if branch_id is None else Q(branch_id=branch_id) | Q(branch__isnull=True)
    roles = (
        StaffRole.objects.filter(where, user_id=OuterRef("pk")).annotate(rank=rank).order_by("rank").values("role")[:1]
    )
    return people.annotate(role_here=Subquery(roles))


def attention_ordering() -> list:
    """Open urgent requests first, then other open ones by due time (overdue first), then the rest, newest first.

    The columns are generated by the database and indexed, so the admin list
    does not sort a whole table on every page.
    """
    return ["triage_rank", "triage_due", "-pk"]
