"""Every state change of the contacts app: accounts, profiles and roles (the email outbox is contacts.outbox)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.sessions import sessions_end_for_user

from .models import AltProfile, Branch, Notification, OrientationTrack, StaffRole, User

# Writing to the outbox, for the other apps' services (contacts.outbox also has the sending).
from .outbox import notify, notify_many, task_publish  # noqa: F401
from .people_cache import people_changed
from .roles import group_name_for_role

# Registered by contacts.tasks; queued by name (see contacts.outbox.task_publish).
PASSWORD_RESET_TASK = "contacts.tasks.send_password_reset"


# --- accounts ---------------------------------------------------------------


def password_set_url(user: User) -> str:
    """An absolute link where `user` chooses a password (allauth's reset-from-key page)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return f"{settings.SITE_URL}{path}"


# An invitation sent again this soon is a double click (or two colleagues at once): one email.
INVITATION_RESEND_WINDOW = timedelta(minutes=2)


@transaction.atomic
def user_invite(*, user: User, invited_by: User | None = None) -> Notification:
    """Email `user` an invitation to set their password. There is no public sign-up.

    Sending again later sends a new one; sending again within INVITATION_RESEND_WINDOW
    (even at the same moment: the user's row is locked) returns the first.
    """
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    now = timezone.now()
    recent = (
        Notification.objects.filter(
            kind="account.invitation", recipient=user, created__gte=now - INVITATION_RESEND_WINDOW
        )
        .order_by("-created")
        .first()
    )
    if recent is not None:
        return recent
    notification = notify(
        kind="account.invitation",
        key=f"account.invitation:{user.pk}:{uuid.uuid4().hex}",
        template="contacts/email/invitation",
        context={"user": user, "url": password_set_url(user), "invited_by": invited_by},
        recipient=user,
    )
    AltProfile.objects.filter(user=user).update(invited_at=now, version=F("version") + 1)
    people_changed(user_ids=[user.pk])
    return notification


@transaction.atomic
def alt_account_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    preferred_language: str = "en",
    phone: str = "",
    branch: Branch | None = None,
    departure_date=None,
    arrival_date=None,
    invite: bool = True,
    invited_by: User | None = None,
) -> User:
    """Create an ALT account with no usable password and send the invitation."""
    user = User.objects.create_user(
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
        phone=phone,
    )
    AltProfile.objects.create(user=user, branch=branch, departure_date=departure_date, arrival_date=arrival_date)
    if invite:
        user_invite(user=user, invited_by=invited_by)
    return user


# What other apps may change about an ALT. The profile is the one place each fact lives;
# onboarding and training write it only through these two functions.
_PROFILE_RELATIONS = ("branch", "managing_consultant", "grm_contact")
PROFILE_FIELDS = frozenset(
    {
        *_PROFILE_RELATIONS,
        *(f"{name}_id" for name in _PROFILE_RELATIONS),
        "country",
        "departure_date",
        "arrival_date",
        "orientation_track",
    }
)
USER_FIELDS = frozenset({"first_name", "last_name", "phone"})


def _check_track(track: str) -> None:
    if track not in ("", *OrientationTrack.values):
        raise ValueError(f"{track!r} is not an orientation track")


def alt_profile_update(*, user_id: int, **fields) -> int:
    """Change facts of an ALT's profile (branch, MC, GRM contact, travel dates, orientation track...).

    The one door through which other apps write an AltProfile. Returns the rows
    changed: 1, or 0 when the user has no profile (not an ALT).
    """
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"alt_profile_update() cannot change {sorted(unknown)}")
    if "orientation_track" in fields:
        _check_track(fields["orientation_track"])
    if not fields:
        return 0
    # The version moves too: a profile form open meanwhile is refused rather than undoing this.
    changed = AltProfile.objects.filter(user_id=user_id).update(**fields, version=F("version") + 1)
    people_changed(user_ids=[user_id])
    return changed


def alt_profiles_set_orientation_track(*, user_ids, track: str) -> int:
    """Put many ALTs on an orientation track at once (an admin action); returns the profiles changed."""
    _check_track(track)
    user_ids = list(user_ids)
    changed = (
        AltProfile.objects.filter(user_id__in=user_ids)
        .exclude(orientation_track=track)
        .update(orientation_track=track, version=F("version") + 1)
    )
    people_changed(user_ids=user_ids)
    return changed


def user_update(*, user_id: int, **fields) -> int:
    """Change an account's name or phone (the placement import). Returns the rows changed."""
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise TypeError(f"user_update() cannot change {sorted(unknown)}")
    if not fields:
        return 0
    changed = User.objects.filter(pk=user_id).update(**fields)
    people_changed(user_ids=[user_id], everyone=True)
    return changed


class ProfileChangedError(ValidationError):
    """Someone else changed the profile since the form was loaded."""


@transaction.atomic
def alt_profile_update_by_alt(
    *, profile: AltProfile, prefecture: str, phone: str, seen_prefecture: str, seen_phone: str
) -> bool:
    """The ALT sets the prefecture they live in and their phone number. Returns True when something changed.

    `seen_*` are the values the ALT's form showed: a value that staff changed
    in the meantime (to something else than the ALT now sends) is not
    overwritten; ProfileChangedError says so and nothing is saved.
    """
    locked = AltProfile.objects.select_for_update().get(pk=profile.pk)
    user = User.objects.select_for_update().only("pk", "phone").get(pk=profile.user_id)
    changed_meanwhile = [
        label
        for current, seen, sent, label in (
            (locked.prefecture, seen_prefecture, prefecture, _("prefecture")),
            (user.phone, seen_phone, phone, _("phone")),
        )
        if current != seen and current != sent
    ]
    if changed_meanwhile:
        raise ProfileChangedError(
            _("Your branch changed your %(fields)s while you were editing. Check the page and save again.")
            % {"fields": ", ".join(str(label) for label in changed_meanwhile)},
            code="stale",
        )
    changed = False
    if locked.prefecture != prefecture:
        AltProfile.objects.filter(pk=profile.pk).update(prefecture=prefecture, version=F("version") + 1)
        changed = True
    if user.phone != phone:
        User.objects.filter(pk=profile.user_id).update(phone=phone)
        changed = True
    if changed:
        people_changed(user_ids=[profile.user_id])
    profile.prefecture = prefecture
    profile.user.phone = phone
    return changed


def password_reset_request(*, email: str) -> None:
    """Someone asked for a reset link for `email`: the same work whether or not an account has it.

    The request only queues `password_reset_send` (after commit); the worker
    looks the address up. Known and unknown addresses take the same time and
    the same queries, so the timing tells nothing. With the broker down the
    link is sent from the request, as the outbox sweep cannot know of it.
    """

    def queue():
        if not task_publish(PASSWORD_RESET_TASK, email):
            password_reset_send(email=email)

    transaction.on_commit(queue)


def password_reset_send(*, email: str) -> int:
    """Email a link to choose a new password to each active account with `email` (none: nothing). The count."""
    users = list(User.objects.filter(email__iexact=(email or "").strip(), is_active=True))
    for user in users:
        notify(
            kind="account.password_reset",
            key=f"account.password_reset:{user.pk}:{uuid.uuid4().hex}",
            template="contacts/email/password_reset",
            context={"user": user, "url": password_set_url(user)},
            recipient=user,
        )
    return len(users)


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language for a logged-in user."""
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        people_changed(user_ids=[user.pk])
        user.preferred_language = language


# --- staff roles --------------------------------------------------------------


def staff_roles_sync(*, user: User) -> None:
    """Give `user` exactly the groups of their roles; staff status follows the roles."""
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    wanted = {group_name_for_role(role) for role in roles}
    role_groups = {group_name_for_role(role) for role in StaffRole.Role.values}
    current = set(user.groups.filter(name__in=role_groups).values_list("name", flat=True))
    if wanted - current:
        user.groups.add(*Group.objects.filter(name__in=wanted - current))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    is_staff = bool(roles) or user.is_superuser
    if user.is_staff != is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        people_changed(user_ids=[user.pk])
        user.is_staff = is_staff


@transaction.atomic
def staff_role_grant(*, user: User, role: str, branch: Branch | None = None, is_contact: bool = True) -> StaffRole:
    """Give `user` a role (for a branch, or national) and the matching permissions."""
    staff_role, _created = StaffRole.objects.get_or_create(
        user=user, role=role, branch=branch, defaults={"is_contact": is_contact}
    )
    staff_roles_sync(user=user)
    return staff_role


def user_deactivate(*, user: User) -> None:
    """Lock an account out and end every session it has (in the database and the cache)."""
    user.is_active = False
    # A save, whose signals renew every kept copy of the user (contacts.people_cache, core.versions).
    user.save(update_fields=["is_active"])
    sessions_end_for_user(user_id=user.pk)
