"""Every read the contacts pages need, with the permission filter in one place."""

from dataclasses import dataclass, field
from datetime import time

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from .models import AltProfile, Branch, StaffRole, User


@dataclass(frozen=True)
class BranchScope:
    """Which branches a member of staff works for. `all_branches` for national roles."""

    all_branches: bool = False
    branch_ids: frozenset = frozenset()
    roles: frozenset = frozenset()

    @property
    def is_empty(self):
        return not self.all_branches and not self.branch_ids

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
        rows = list(StaffRole.objects.filter(user=user).values_list("role", "branch_id"))
        roles = frozenset(role for role, _ in rows)
        national = bool(roles & set(StaffRole.NATIONAL_ROLES))
        scope = BranchScope(
            all_branches=user.is_superuser or national,
            branch_ids=frozenset(b for _, b in rows if b is not None),
            roles=roles,
        )
    user._branch_scope = scope
    return scope


def alt_profile_get_for_user(*, user: User) -> AltProfile:
    """The logged-in ALT's profile with branch and contacts; 404 for anyone who is not an ALT."""
    try:
        return AltProfile.objects.select_related("branch", "managing_consultant", "grm_contact").get(user=user)
    except AltProfile.DoesNotExist:
        raise Http404("Not an ALT") from None


def is_alt(user: User) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_alt", None)
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
    note: str = ""


@dataclass
class SupportTeam:
    branch: Branch | None
    managing_consultant: Contact | None = None
    schedulers: list = field(default_factory=list)
    trainers: list = field(default_factory=list)
    sesps: list = field(default_factory=list)
    grm: list = field(default_factory=list)

    @property
    def emergency_phone(self):
        return self.branch.emergency_phone if self.branch else ""


def _hours(opens: time, closes: time, days: str) -> str:
    return gettext("%(opens)s–%(closes)s, %(days)s (Japan time)") % {
        "opens": f"{opens:%H:%M}",
        "closes": f"{closes:%H:%M}",
        "days": days,
    }


def _head_office_hours() -> str:
    opens, closes = settings.HEAD_OFFICE_HOURS
    return gettext("%(opens)s–%(closes)s, %(days)s (Japan time)") % {
        "opens": opens,
        "closes": closes,
        "days": gettext("Mon–Fri"),
    }


def support_team_summary_for_alt(*, profile: AltProfile) -> SupportTeam:
    """The dashboard's short version of the team, from the profile alone (no query).

    The MC, the branch's numbers and the GRM contact are all loaded with the
    profile; the full team (schedulers, trainers, SESPS) is on /contacts/.
    """
    team = SupportTeam(branch=profile.branch)
    branch = profile.branch
    if branch is not None and profile.managing_consultant_id:
        mc = profile.managing_consultant
        team.managing_consultant = Contact(
            name=mc.display_name,
            role=str(StaffRole.Role.MC.label),
            email=mc.email,
            phone=mc.phone or branch.phone,
            hours=_hours(branch.office_opens, branch.office_closes, branch.office_days_display),
        )
    if profile.grm_contact_id:
        grm = profile.grm_contact
        team.grm = [
            Contact(
                name=grm.display_name,
                role=str(StaffRole.Role.GRM.label),
                email=grm.email,
                phone=grm.phone,
                hours=_head_office_hours(),
            )
        ]
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
    branch_hours = _hours(branch.office_opens, branch.office_closes, branch.office_days_display) if branch else ""

    def contact(user: User, role_label, national: bool) -> Contact:
        phone = user.phone or ("" if national else branch.phone)
        return Contact(
            name=user.display_name,
            role=str(role_label),
            email=user.email,
            phone=phone,
            hours=_head_office_hours() if national else branch_hours,
        )

    if branch is not None and profile.managing_consultant_id:
        team.managing_consultant = contact(profile.managing_consultant, StaffRole.Role.MC.label, False)
    grm_from_roles = []
    for staff_role in roles:
        label = staff_role.get_role_display()
        if staff_role.role == StaffRole.Role.SCHEDULER:
            team.schedulers.append(contact(staff_role.user, label, False))
        elif staff_role.role == StaffRole.Role.TRAINER:
            team.trainers.append(contact(staff_role.user, label, False))
        elif staff_role.role == StaffRole.Role.SESPS:
            team.sesps.append(contact(staff_role.user, label, True))
        elif staff_role.role == StaffRole.Role.GRM:
            grm_from_roles.append(contact(staff_role.user, label, True))
    if profile.grm_contact_id:
        team.grm = [contact(profile.grm_contact, StaffRole.Role.GRM.label, True)]
    else:
        team.grm = grm_from_roles[:1]
    if branch is None:
        # Before placement the ALT deals with recruiting only; the rest follows the branch.
        team.sesps = []
    return team
