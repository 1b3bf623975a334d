from datetime import time

from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.validators import validate_date_in_range
from core.versions import VersionedManager, VersionedQuerySet

from . import prefectures


class Language(models.TextChoices):
    EN = "en", _("English")
    JA = "ja", _("Japanese")


class UserManager(BaseUserManager.from_queryset(VersionedQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: an ALT or a member of staff. Email is the login."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.EN
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return self.get_full_name() or self.email


class Branch(models.Model):
    """A regional office that ALTs are placed with. Office hours are Japan time."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    emergency_phone = models.CharField(_("emergency phone"), max_length=32)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    address_ja = models.CharField(_("address (Japanese)"), max_length=255, blank=True)
    office_opens = models.TimeField(_("office opens"), default=time(9, 0))
    office_closes = models.TimeField(_("office closes"), default=time(18, 0))
    office_days = models.CharField(
        _("office days"),
        max_length=7,
        default="12345",
        help_text=_("ISO weekday numbers the office is open, Monday = 1. For example 12345."),
    )
    # Every save bumps it (django-concurrency): an admin form loaded at an older version is refused
    # instead of overwriting someone else's change (core.adminsite.StaleEditAdminMixin).
    version = AutoIncVersionField()

    objects = VersionedManager()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(office_opens__lt=models.F("office_closes")),
                name="branch_office_opens_before_closes",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_ja if (get_language() or "en").startswith("ja") and self.name_ja else self.name_en

    @property
    def address(self):
        if (get_language() or "en").startswith("ja") and self.address_ja:
            return self.address_ja
        return self.address_en

    def is_open_on(self, day):
        return str(day.isoweekday()) in self.office_days

    @property
    def office_days_display(self):
        """ "Mon–Fri", or "Mon, Wed–Sat": consecutive days shown as a range."""
        days = sorted({int(d) for d in self.office_days if d in "1234567"})
        short = [None, _("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        runs, start = [], None
        for i, day in enumerate(days):
            if start is None:
                start = day
            if i + 1 == len(days) or days[i + 1] != day + 1:
                runs.append(str(short[start]) if start == day else f"{short[start]}–{short[day]}")
                start = None
        return ", ".join(runs)


class StaffRole(models.Model):
    """What a member of staff does, and for which branch. National roles have no branch."""

    class Role(models.TextChoices):
        MC = "MC", _("Managing Consultant")
        TRAINER = "TRAINER", _("Trainer")
        SCHEDULER = "SCHEDULER", _("Scheduler")
        SESPS = "SESPS", _("SESPS trainer (national training)")
        GRM = "GRM", _("GRM (recruiting and placement)")

    BRANCH_ROLES = (Role.MC, Role.TRAINER, Role.SCHEDULER)
    NATIONAL_ROLES = (Role.SESPS, Role.GRM)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("branch"),
    )
    is_contact = models.BooleanField(
        _("shown to ALTs as a contact"),
        default=True,
        help_text=_("Listed on the ALTs' support team page."),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "branch"], condition=Q(branch__isnull=False), name="staffrole_unique_per_branch"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(branch__isnull=True), name="staffrole_unique_national"
            ),
            models.CheckConstraint(
                condition=(Q(role__in=["MC", "TRAINER", "SCHEDULER"], branch__isnull=False))
                | (Q(role__in=["SESPS", "GRM"], branch__isnull=True)),
                name="staffrole_branch_matches_role",
                violation_error_message=_("Branch roles need a branch; national roles (SESPS, GRM) have none."),
            ),
        ]

    def __str__(self):
        where = self.branch.name if self.branch_id else _("national")
        return f"{self.user} · {self.get_role_display()} · {where}"

    @property
    def is_national(self):
        return self.role in self.NATIONAL_ROLES


class OrientationTrack(models.TextChoices):
    """The initial orientation an ALT takes: the flagship track, or the alternate one (later arrivals)."""

    FLAGSHIP = "FLAGSHIP", _("Flagship")
    ALTERNATE = "ALTERNATE", _("Alternate")


class AltProfile(models.Model):
    """An ALT's place in the company: branch once confirmed, MC, GRM contact, travel dates, orientation track.

    Other apps read it and change it only through `contacts.services` (one owner for each fact).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alt_profile",
        verbose_name=_("user"),
        # Staff and superusers are never ALTs: a profile would show them to a branch as one of its ALTs.
        limit_choices_to={"is_staff": False, "is_superuser": False},
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alts",
        verbose_name=_("branch"),
        help_text=_("Set once the placement is confirmed."),
    )
    managing_consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consulted_alts",
        verbose_name=_("managing consultant"),
    )
    grm_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruited_alts",
        verbose_name=_("GRM contact"),
    )
    country = models.CharField(_("home country"), max_length=64, blank=True)
    # Where the ALT lives in Japan: safety checks after an earthquake or a typhoon are sent by prefecture.
    prefecture = models.CharField(
        _("prefecture"),
        max_length=2,
        choices=prefectures.CHOICES,
        blank=True,
        help_text=_("Where the ALT's home in Japan is."),
    )
    departure_date = models.DateField(_("departure date"), null=True, blank=True, validators=[validate_date_in_range])
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True, validators=[validate_date_in_range])
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True, validators=[validate_date_in_range])
    orientation_track = models.CharField(
        _("orientation track"),
        max_length=12,
        choices=OrientationTrack.choices,
        blank=True,
        default="",
        # Rows written without the ORM (the benchmark's COPY) get it too.
        db_default="",
        help_text=_("The initial orientation the ALT is offered. Set by GRM or SESPS; empty: not decided yet."),
    )
    # Every save bumps it (django-concurrency): an admin form loaded at an older version is refused
    # instead of overwriting someone else's change (core.adminsite.StaleEditAdminMixin).
    version = AutoIncVersionField()

    objects = VersionedManager()

    class Meta:
        verbose_name = _("ALT profile")
        verbose_name_plural = _("ALT profiles")
        indexes = [models.Index(fields=["departure_date"]), models.Index(fields=["arrival_date"])]

    def __str__(self):
        return str(self.user)

    @property
    def has_branch(self):
        return self.branch_id is not None

    @property
    def prefecture_name(self) -> str:
        return prefectures.prefecture_name(self.prefecture)


class Notification(models.Model):
    """The outbox: every email the portal sends is first a row here.

    The unique key makes a message idempotent (a task run twice writes one row);
    the status and claim make delivery at-most-once per worker and never lost
    when the broker is down.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        SENDING = "SENDING", _("Sending")
        SENT = "SENT", _("Sent")
        FAILED = "FAILED", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    kind = models.CharField(_("kind"), max_length=64)
    key = models.CharField(_("unique key"), max_length=255, unique=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    # Where a reply goes, when it is not the sender's address (a signed address that posts it to a thread).
    reply_to = models.EmailField(_("reply to"), max_length=254, blank=True, default="", db_default="")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=Q(status__in=["PENDING", "SENDING"]),
            ),
            models.Index(fields=["kind", "created"]),
        ]

    def __str__(self):
        # The subject may carry personal detail; the admin log keeps only this.
        return f"{self.kind} #{self.pk}"
