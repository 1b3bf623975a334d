"""Training sessions (orientation, branch training, ALT meetings) and who comes to them.

Times are stored in UTC (USE_TZ) and shown in Japan time. Every state change
goes through training.services, which locks the session row so that capacity
holds when many ALTs sign up at once.
"""

import secrets
from datetime import timedelta

from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, Branch, OrientationTrack
from core.formats import format_datetime
from core.labels import choice_label, pick
from core.validators import validate_date_in_range
from core.versions import VersionedManager

from .display import SessionTime, date_text, date_time_text, session_time

# A trainer can take the roll from this long before the start (on the day, on a phone).
ATTENDANCE_OPENS_BEFORE = timedelta(hours=24)
# ALTs check themselves in with the QR code at the door from this long before the start until the end.
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)


class TrainingSession(models.Model):
    """One session: initial orientation (national), branch training or an ALT meeting."""

    class Kind(models.TextChoices):
        INITIAL_ORIENTATION = "INITIAL_ORIENTATION", _("Initial orientation")
        BRANCH_TRAINING = "BRANCH_TRAINING", _("Branch training")
        ALT_MEETING = "ALT_MEETING", _("ALT meeting")

    # The ALT's track lives on their profile (contacts); the session uses the same choices.
    Track = OrientationTrack

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED", _("Scheduled")
        CANCELLED = "CANCELLED", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    track = models.CharField(
        _("track"),
        max_length=12,
        choices=Track.choices,
        blank=True,
        help_text=_("Initial orientation only: the flagship track, or the alternate one for later arrivals."),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_ja = models.CharField(
        _("title (Japanese)"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Shown to readers of the Japanese pages."),
    )
    description = models.TextField(_("description"), blank=True)
    # db_default: rows written without them (a bulk COPY) read as "no Japanese text".
    description_ja = models.TextField(_("description (Japanese)"), blank=True, default="", db_default="")
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("branch"),
        help_text=_("Empty for a national session (initial orientation run by SESPS)."),
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions_led",
        verbose_name=_("trainer"),
    )
    start = models.DateTimeField(_("start"), validators=[validate_date_in_range])
    end = models.DateTimeField(_("end"), validators=[validate_date_in_range])
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    required = models.BooleanField(
        _("required"),
        default=False,
        help_text=_("Required sessions invite every ALT they apply to when saved."),
    )
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        null=True,
        blank=True,
        help_text=_("ALTs can register and withdraw until then. Empty: until the start."),
        validators=[validate_date_in_range],
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    arrival_from = models.DateField(
        _("for ALTs arriving from"),
        null=True,
        blank=True,
        help_text=_("Initial orientation: the arrival dates of the ALTs it is for (both ends included)."),
        validators=[validate_date_in_range],
    )
    arrival_until = models.DateField(
        _("for ALTs arriving until"), null=True, blank=True, validators=[validate_date_in_range]
    )
    # Cancellations, reinstatements and moves announced so far: part of each announcement's
    # outbox key, so that every change is emailed once, even one back to an earlier state.
    announced_changes = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # Every save bumps it (django-concurrency): an admin form loaded at an older version is refused
    # instead of overwriting someone else's change (core.adminsite.StaleEditAdminMixin).
    version = AutoIncVersionField()

    objects = VersionedManager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["-start"], name="training_session_start_idx"),
            models.Index(fields=["branch", "-start"], name="training_session_branch_idx"),
            models.Index(fields=["status", "start"], name="training_session_status_idx"),
            models.Index(fields=["kind", "-start"], name="training_session_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="training_session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(registration_deadline__isnull=True) | Q(registration_deadline__lte=F("start")),
                name="training_session_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=(Q(kind="INITIAL_ORIENTATION") & ~Q(track=""))
                | (~Q(kind="INITIAL_ORIENTATION") & Q(track="", branch__isnull=False)),
                name="training_session_track_and_branch_match_kind",
                violation_error_message=_(
                    "An initial orientation needs a track; branch training and ALT meetings need a branch and no track."
                ),
            ),
            models.CheckConstraint(
                condition=Q(arrival_from__isnull=True, arrival_until__isnull=True)
                | Q(arrival_from__isnull=False, arrival_until__isnull=False, arrival_from__lte=F("arrival_until")),
                name="training_session_arrival_window",
                violation_error_message=_("Give both ends of the arrival window, the first on or before the last."),
            ),
        ]

    def __str__(self):
        return f"{self.display_title} · {format_datetime(self.start)}"

    def get_absolute_url(self):
        return reverse("training:index") + f"#session-{self.pk}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language: the Japanese one for a Japanese reader when there is one."""
        title = pick(self.title, self.title_ja)
        if title:
            return title
        if self.kind == self.Kind.INITIAL_ORIENTATION and self.track:
            return f"{self.kind_label} ({self.track_label})"
        return self.kind_label

    @property
    def display_description(self) -> str:
        """The description in the reader's language, the English one when it has no Japanese."""
        return pick(self.description, self.description_ja)

    @property
    def kind_label(self) -> str:
        return choice_label(self.Kind, self.kind)

    @property
    def track_label(self) -> str:
        return choice_label(self.Track, self.track) if self.track else ""

    @property
    def when(self) -> SessionTime:
        """Start and end in Japan time as the pages show them (rendered as a <time> element)."""
        return session_time(self.start, self.end)

    @property
    def start_date_text(self) -> str:
        return date_text(self.start)

    @property
    def deadline_text(self) -> str:
        """The registration deadline in Japan time, or "" without one."""
        return date_time_text(self.registration_deadline) if self.registration_deadline else ""

    @property
    def online_url(self) -> str:
        """The online link if it is a web address. The form allows nothing else, but a row written
        another way (an import, the shell) must not put a `javascript:` link on the ALT's page."""
        return self.online_link if self.online_link.lower().startswith(("https://", "http://")) else ""

    @property
    def is_national(self) -> bool:
        return self.branch_id is None

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_arrival_window(self) -> bool:
        return self.arrival_from is not None

    @property
    def deadline(self):
        """Until when ALTs can register and withdraw: the deadline, or the start."""
        return self.registration_deadline or self.start

    def is_open(self, now=None) -> bool:
        """Whether ALTs can still register or withdraw."""
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and now < self.deadline

    def attendance_open(self, now=None) -> bool:
        return self.status == self.Status.SCHEDULED and (now or timezone.now()) >= self.start - ATTENDANCE_OPENS_BEFORE

    @property
    def checkin_opens(self):
        return self.start - CHECKIN_OPENS_BEFORE

    def checkin_open(self, now=None) -> bool:
        """Whether ALTs can check in with the QR code now: from 30 minutes before the start until the end."""
        now = now or timezone.now()
        return self.status == self.Status.SCHEDULED and self.checkin_opens <= now < self.end

    def has_started(self, now=None) -> bool:
        """Absent can be marked from here on: before it, whoever is not there yet may still come."""
        return (now or timezone.now()) >= self.start


class Registration(models.Model):
    """An ALT's place at a session (or on its waiting list), then their attendance."""

    class Status(models.TextChoices):
        REGISTERED = "REGISTERED", _("Registered")
        WAITLISTED = "WAITLISTED", _("On the waiting list")
        ATTENDED = "ATTENDED", _("Attended")
        ABSENT = "ABSENT", _("Absent")
        EXCUSED = "EXCUSED", _("Excused")

    # Statuses that hold one of the session's places.
    HOLDS_PLACE = (Status.REGISTERED, Status.ATTENDED, Status.ABSENT)
    ATTENDANCE = (Status.ATTENDED, Status.ABSENT, Status.EXCUSED)

    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_registrations",
        verbose_name=_("ALT"),
    )
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("session")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    invited = models.BooleanField(
        _("invited"), default=False, help_text=_("Invited because the session is required for this ALT.")
    )
    answered_at = models.DateTimeField(
        _("answered"), null=True, blank=True, help_text=_("When the ALT confirmed or declined the invitation.")
    )
    note = models.CharField(_("reason given"), max_length=500, blank=True)
    waitlist_position = models.PositiveIntegerField(_("waiting list position"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance taken by"),
    )
    checked_in_at = models.DateTimeField(
        _("checked in"), null=True, blank=True, help_text=_("When the ALT checked in with the session's QR code.")
    )
    # The session start each reminder was sent for: a moved session is reminded again.
    reminded_7d_for = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_1d_for = models.DateTimeField(null=True, blank=True, editable=False)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["session", "status", "waitlist_position", "created"]
        constraints = [
            models.UniqueConstraint(fields=["alt", "session"], name="registration_one_per_alt_and_session"),
            models.CheckConstraint(
                condition=Q(status="WAITLISTED", waitlist_position__isnull=False)
                | (~Q(status="WAITLISTED") & Q(waitlist_position__isnull=True)),
                name="registration_waitlist_position_iff_waitlisted",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "waitlist_position"], name="registration_session_idx"),
            models.Index(fields=["alt", "status"], name="registration_alt_idx"),
        ]

    def __str__(self):
        alt = self.alt.display_name if self.alt_id else ""
        session = str(self.session) if self.session_id else ""
        return gettext("%(alt)s at %(session)s") % {"alt": alt, "session": session}

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    @property
    def awaits_answer(self) -> bool:
        """An invitation to a required session that the ALT has neither confirmed nor declined."""
        return (
            self.invited
            and self.answered_at is None
            and self.status
            in (
                self.Status.REGISTERED,
                self.Status.WAITLISTED,
            )
        )


class CalendarFeed(models.Model):
    """The secret token of an ALT's private iCalendar feed. Resetting it retires the old link."""

    alt = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_calendar", verbose_name=_("ALT")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        name = self.alt.display_name if self.alt_id else ""
        return gettext("Calendar feed of %(name)s") % {"name": name}

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class AltTrainingRecord(AltProfile):
    """The training record of an ALT: a view of AltProfile for MCs and trainers in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("ALT training record")
        verbose_name_plural = _("ALT training records")
        permissions = [("set_orientation_track", _("Can set ALTs' orientation track"))]
