"""Every state change of the contacts app: accounts, roles and the email outbox."""

import hashlib
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.sessions import sessions_end_for_user
from core.text import one_line

from .models import AltProfile, Branch, Notification, OrientationTrack, StaffRole, User
from .roles import group_name_for_role

logger = logging.getLogger(__name__)


# --- the outbox -------------------------------------------------------------


def _email_templates(template: str) -> tuple:
    return (
        get_template(f"{template}_subject.txt", using="text"),
        get_template(f"{template}_body.txt", using="text"),
    )


def _render(templates: tuple, context: dict) -> tuple[str, str]:
    context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
    subject_template, body_template = templates
    subject = one_line(subject_template.render(context))[:255]
    return subject, body_template.render(context).strip() + "\n"


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language`.

    Plain text only, rendered without HTML escaping (the "text" engine): what
    an ALT or staff member typed is shown as typed and never as markup.
    """
    with translation.override(language):
        return _render(_email_templates(template), context)


class BrokerBreaker:
    """After a failed publish, leave emails to the sweep for a while instead of trying the broker again.

    A broker that hangs rather than refuses (a network partition, a frozen
    Redis) costs each publish the whole socket timeout: a request that queues
    several emails, or an admin action over many rows, would wait for each.
    """

    pause = 10.0

    def __init__(self):
        self.open_until = 0.0
        self.missed = False  # emails were left to the sweep since the last publish that went through

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.pause
        self.missed = True

    def reset(self) -> None:
        self.open_until = 0.0
        self.missed = False


broker_breaker = BrokerBreaker()


def task_publish(task, *args) -> bool:
    """Queue a Celery task unless the broker failed a moment ago. False: a periodic sweep must do the work."""
    if not broker_breaker.allows():
        return False
    try:
        task.delay(*args)
    except Exception:  # the broker is down: the periodic sweep delivers it later
        broker_breaker.trip()
        return False
    if broker_breaker.missed:
        # The broker is back: what was left for the sweep goes now, not at its next round.
        broker_breaker.missed = False
        _enqueue_sweep()
    return True


def _enqueue_delivery(notification_id: int) -> None:
    from .tasks import deliver_notification

    if not task_publish(deliver_notification, notification_id):
        logger.warning("broker unavailable; notification %s left for the sweep", notification_id)


def _enqueue_sweep() -> None:
    from .tasks import deliver_pending_notifications

    if not task_publish(deliver_pending_notifications):
        logger.warning("broker unavailable; pending notifications left for the sweep")


def notify(
    *,
    kind: str,
    key: str,
    template: str,
    context: dict,
    recipient: User | None = None,
    to_email: str | None = None,
    reply_to: str = "",
) -> Notification:
    """Write one email to the outbox in the caller's transaction; send it after commit.

    `key` is unique: calling again with the same key writes nothing and sends
    nothing, which is what makes every task safe to run twice. The email is
    rendered in the recipient's preferred language. `reply_to` becomes the
    Reply-To header.
    """
    if recipient is None and not to_email:
        raise ValueError("notify() needs a recipient or an address")
    language = recipient.preferred_language if recipient else settings.LANGUAGE_CODE
    subject, body = render_email(template=template, context={"recipient": recipient, **context}, language=language)
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient": recipient,
            "to_email": to_email or recipient.email,
            "language": language,
            "kind": kind,
            "subject": subject,
            "body": body,
            "reply_to": reply_to,
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue_delivery(notification.pk))
    return notification


def notify_many(*, items: list[dict]) -> int:
    """Write many emails at once (reminder fan-out): one insert, one queued sweep.

    Each item has the arguments of `notify`. Rows whose key already exists are
    skipped by the database (ON CONFLICT DO NOTHING). Returns rows attempted.
    Items are rendered a language at a time, each template looked up once.
    """
    by_language: dict[str, list[dict]] = {}
    for item in items:
        recipient = item.get("recipient")
        language = recipient.preferred_language if recipient else settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(item)
    rows, templates = [], {}
    for language, group in by_language.items():
        with translation.override(language):
            for item in group:
                recipient = item.get("recipient")
                if item["template"] not in templates:
                    templates[item["template"]] = _email_templates(item["template"])
                subject, body = _render(templates[item["template"]], {"recipient": recipient, **item["context"]})
                rows.append(
                    Notification(
                        recipient=recipient,
                        to_email=item.get("to_email") or recipient.email,
                        language=language,
                        kind=item["kind"],
                        key=item["key"],
                        subject=subject,
                        body=body,
                        reply_to=item.get("reply_to", ""),
                    )
                )
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        transaction.on_commit(_enqueue_sweep)
    return len(rows)


def notification_message_id(notification: Notification) -> str:
    """The email's Message-ID: the same for every send of one row, so mail systems can drop a resent copy.

    RFC 5322 allows only letters, digits and a few signs left of "@" (no ":" or spaces, which keys
    have): the row's id and a digest of its key, so that two databases' row 7 are told apart.
    """
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:16]
    return f"<notification.{notification.pk}.{digest}@{settings.MESSAGE_ID_DOMAIN}>"


def _update_outbox_row(notification_id: int, **fields) -> int:
    """UPDATE one outbox row, again on a fresh connection when the database dropped the first.

    Used after the SMTP server has answered: that answer is final, and a row left SENDING because
    PostgreSQL restarted at that moment would be sent again by the sweep (the email twice).
    """
    waits = settings.NOTIFICATION_MARK_RETRY_WAITS
    for wait in (*waits, None):
        try:
            return Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(**fields)
        except (OperationalError, InterfaceError):
            if wait is None or db_connection.in_atomic_block:
                raise
            logger.warning("notification %s: database connection lost, marking it again in %ss", notification_id, wait)
            db_connection.close()  # the next query opens a new connection
            time.sleep(wait)
    raise AssertionError("unreachable")


def notification_deliver(*, notification_id: int, connection=None) -> bool:
    """Send one outbox row if this worker wins the claim. Returns True when sent.

    The claim is a conditional UPDATE: of two workers, only the one that changed
    the row goes on. A row stuck in SENDING (its worker died) is claimed again
    after NOTIFICATION_CLAIM_TIMEOUT. The row is read before the claim, so that
    nothing but the send stands between the claim and marking the row.
    """
    now = timezone.now()
    stale = now - settings.NOTIFICATION_CLAIM_TIMEOUT
    due = Notification.objects.filter(pk=notification_id, next_attempt_at__lte=now).filter(
        Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=stale)
    )
    notification = due.first()
    if notification is None:
        return False
    claimed = due.update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    message = EmailMessage(
        # One line whatever wrote the row: a line break in a header would fail the send (or add a header).
        subject=one_line(notification.subject),
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers={
            "Message-ID": notification_message_id(notification),
            "Auto-Submitted": "auto-generated",
            "Content-Language": notification.language,
        },
        connection=connection,
    )
    try:
        message.send()
    except Exception as exc:
        attempts = notification.attempts + 1
        failed = attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        backoff = settings.NOTIFICATION_RETRY_BASE * (2 ** (attempts - 1))
        _update_outbox_row(
            notification_id,
            status=Notification.Status.FAILED if failed else Notification.Status.PENDING,
            next_attempt_at=timezone.now() + backoff,
            last_error=f"{type(exc).__name__}"[:255],
        )
        logger.warning("notification %s not sent (attempt %s): %s", notification_id, attempts, type(exc).__name__)
        return False
    _update_outbox_row(notification_id, status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def notifications_deliver_pending(*, limit: int = 2000) -> int:
    """Send every outbox row that is due (broker was down, worker died). Returns the count sent."""
    now = timezone.now()
    stale = now - settings.NOTIFICATION_CLAIM_TIMEOUT
    due = list(
        Notification.objects.filter(next_attempt_at__lte=now)
        .filter(Q(status=Notification.Status.PENDING) | Q(status=Notification.Status.SENDING, claimed_at__lt=stale))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    sent = 0
    connection = get_connection()
    try:
        for pk in due:
            sent += notification_deliver(notification_id=pk, connection=connection)
    finally:
        connection.close()
    return sent


def notification_retry(*, notification_ids) -> int:
    """Put FAILED rows back in the queue (an admin action)."""
    updated = Notification.objects.filter(pk__in=notification_ids, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if updated:
        transaction.on_commit(_enqueue_sweep)
    return updated


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
    return AltProfile.objects.filter(user_id=user_id).update(**fields, version=F("version") + 1)


def alt_profiles_set_orientation_track(*, user_ids, track: str) -> int:
    """Put many ALTs on an orientation track at once (an admin action); returns the profiles changed."""
    _check_track(track)
    return (
        AltProfile.objects.filter(user_id__in=list(user_ids))
        .exclude(orientation_track=track)
        .update(orientation_track=track, version=F("version") + 1)
    )


def user_update(*, user_id: int, **fields) -> int:
    """Change an account's name or phone (the placement import). Returns the rows changed."""
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise TypeError(f"user_update() cannot change {sorted(unknown)}")
    if not fields:
        return 0
    return User.objects.filter(pk=user_id).update(**fields)


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
    from .tasks import send_password_reset

    def queue():
        if not task_publish(send_password_reset, email):
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
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    sessions_end_for_user(user_id=user.pk)
