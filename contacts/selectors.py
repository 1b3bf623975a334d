"""Every read the contacts pages need, with the permission filter in one place."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from core.formats import format_time

from . import people_cache
from .auth_backends import ALT_PROFILE_RELATED
from .models import AltProfile, Branch, StaffRole, User


@dataclass(frozen=True)
class BranchScope:
    """Which branches a member of staff works for. `all_branches` for national roles."""

    all_branches: bool = False
    branch_ids: frozenset = frozenset()
    roles: frozenset = frozenset()
    # (role, branch id or None) pairs: which role the user holds where.
    memberships: frozenset = frozenset()

    @property
    def is_empty(self):
        return not self.all_branches and not self.branch_ids

    def branches_for(self, roles) -> frozenset:
        """The branches where the user holds one of `roles`."""
        return frozenset(branch for role, branch in self.memberships if role in roles and branch is not None)

    def allows(self, branch_id) -> bool:
        return self.all_branches or branch_id in self.branch_ids


def branch_scope_for_user(*, user: User) -> BranchScope:
    """The branches `user` may see in the admin, cached on the user for the request.

    Superusers and national roles (SESPS, GRM) see every branch; a branch's
    staff see their own; anyone else sees nothing.
    """
    cached = getattr(user, "_branch_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = BranchScope()
    else:
        rows = people_cache.staff_roles(user)
        roles = frozenset(role for role, _ in rows)
        national = bool(roles & set(StaffRole.NATIONAL_ROLES))
        scope = BranchScope(
            all_branches=user.is_superuser or national,
            branch_ids=frozenset(b for _, b in rows if b is not None),
            roles=roles,
            memberships=frozenset(rows),
        )
    user._branch_scope = scope
    return scope


def alt_profile_for_user(*, user: User) -> AltProfile | None:
    """The user's ALT profile with branch and contacts, or None for staff and others.

    The logged-in user comes with it already (`contacts.auth_backends`): no query then.
    """
    if "alt_profile" in user._state.fields_cache:
        return user._state.fields_cache["alt_profile"]
    return AltProfile.objects.select_related(*ALT_PROFILE_RELATED).filter(user=user).first()


def alt_profile_get_for_user(*, user: User) -> AltProfile:
    """The logged-in ALT's profile with branch and contacts; 404 for anyone who is not an ALT."""
    profile = alt_profile_for_user(user=user)
    if profile is None:
        raise Http404("Not an ALT")
    return profile


def is_alt(user: User) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_alt", None)
    if cached is None and "alt_profile" in user._state.fields_cache:
        cached = user._is_alt = user._state.fields_cache["alt_profile"] is not None
    if cached is None:
        cached = AltProfile.objects.filter(user=user).exists()
        user._is_alt = cached
    return cached


@dataclass
class Contact:
    name: str
    role: str
    email: str
    phone: str
    hours: str


@dataclass
class SupportTeam:
    branch: Branch | None
    managing_consultant: Contact | None = None
    schedulers: list = field(default_factory=list)
    trainers: list = field(default_factory=list)
    sesps: list = field(default_factory=list)
    grm: list = field(default_factory=list)


def _hours(opens, closes, days: str) -> str:
    return gettext("%(opens)s–%(closes)s, %(days)s (Japan time)") % {
        "opens": opens if isinstance(opens, str) else format_time(opens),
        "closes": closes if isinstance(closes, str) else format_time(closes),
        "days": days,
    }


def _contact(user: User, role_label, branch: Branch | None) -> Contact:
    """A person with the hours and phone of their branch, or of the head office for national roles."""
    if branch is None:
        opens, closes = settings.HEAD_OFFICE_HOURS
        hours, fallback_phone = _hours(opens, closes, gettext("Mon–Fri")), ""
    else:
        hours = _hours(branch.office_opens, branch.office_closes, branch.office_days_display)
        fallback_phone = branch.phone
    return Contact(
        name=user.display_name, role=str(role_label), email=user.email, phone=user.phone or fallback_phone, hours=hours
    )


def support_team_summary_for_alt(*, profile: AltProfile) -> SupportTeam:
    """The dashboard's short version of the team, from the profile alone (no query).

    The MC, the branch's numbers and the GRM contact are all loaded with the
    profile; the full team (schedulers, trainers, SESPS) is on /contacts/.
    """
    team = SupportTeam(branch=profile.branch)
    if profile.branch is not None and profile.managing_consultant_id:
        team.managing_consultant = _contact(profile.managing_consultant, StaffRole.Role.MC.label, profile.branch)
    if profile.grm_contact_id:
        team.grm = [_contact(profile.grm_contact, StaffRole.Role.GRM.label, None)]
    return team


def support_team_for_alt(*, profile: AltProfile) -> SupportTeam:
    """The people an ALT can turn to, in one query beyond the profile.

    An ALT with a branch sees their MC, the branch's schedulers and trainers,
    the national SESPS contact and their GRM contact. Before a branch is
    confirmed, only GRM.
    """
    branch = profile.branch
    team = SupportTeam(branch=branch)
    condition = Q(role__in=StaffRole.NATIONAL_ROLES, is_contact=True)
    if branch is not None:
        condition |= Q(branch=branch, role__in=[StaffRole.Role.SCHEDULER, StaffRole.Role.TRAINER], is_contact=True)
    roles = list(
        StaffRole.objects.filter(condition, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    summary = support_team_summary_for_alt(profile=profile)
    team.managing_consultant = summary.managing_consultant
    by_role = {
        StaffRole.Role.SCHEDULER: team.schedulers,
        StaffRole.Role.TRAINER: team.trainers,
        StaffRole.Role.SESPS: team.sesps,
        StaffRole.Role.GRM: team.grm,
    }
    for staff_role in roles:
        national_or_branch = None if staff_role.is_national else branch
        by_role[staff_role.role].append(_contact(staff_role.user, staff_role.get_role_display(), national_or_branch))
    # The ALT's own GRM contact when there is one, else the first listed.
    team.grm = summary.grm or team.grm[:1]
    if branch is None:
        # Before placement the ALT deals with recruiting only; the rest follows the branch.
        team.sesps = []
    return team
