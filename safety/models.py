"""Safety checks after a disaster, and well-being check-ins in the first months in Japan."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts import prefectures as prefecture_names
from contacts.models import Branch
from core.versions import VersionedManager


def _japanese_active() -> bool:
    return (get_language() or "en").startswith("ja")


class Reason(models.TextChoices):
    EARTHQUAKE = "EARTHQUAKE", _("Earthquake")
    TYPHOON = "TYPHOON", _("Typhoon")
    HEAVY_RAIN = "HEAVY_RAIN", _("Heavy rain or flood")
    OTHER = "OTHER", _("Other")


class SafetyCheck(models.Model):
    """ "Are you safe?" asked of every arrived ALT in a scope: branches and/or prefectures.

    Saving one in the admin starts it (services.safety_check_start): one
    SafetyAnswer row per ALT in scope, written with the emails by a task.
    """

    # In context: other apps' "title" and "message" are not the English version of a check.
    title = models.CharField(pgettext_lazy("safety check, the English version", "title"), max_length=200)
    # Labelled in Japanese in every language: they hold what Japanese-reading ALTs see.
    title_ja = models.CharField(
        "件名（日本語）",
        max_length=200,
        blank=True,
        help_text=_("For ALTs who read the portal in Japanese. Empty: they get the English title."),
    )
    message = models.TextField(pgettext_lazy("safety check, the English version", "message"), max_length=5000)
    message_ja = models.TextField(
        "本文（日本語）",
        max_length=5000,
        blank=True,
        help_text=_("For ALTs who read the portal in Japanese. Empty: they get the English message."),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, default=Reason.OTHER)
    branches = models.ManyToManyField(
        Branch,
        blank=True,
        related_name="safety_checks",
        verbose_name=_("branches"),
        help_text=_("None chosen means every branch."),
    )
    # JIS codes ("13"); empty means every prefecture. A list: a handful of codes, read whole.
    prefectures = models.JSONField(
        _("prefectures"),
        default=list,
        blank=True,
        help_text=_("None chosen means every prefecture. ALTs who have not given theirs are asked only then."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    # Set once every ALT in scope has an answer row and an email in the outbox (the fan-out task).
    fanned_out_at = models.DateTimeField(_("everyone asked"), null=True, blank=True, editable=False)
    recipients = models.PositiveIntegerField(_("ALTs asked"), default=0, editable=False)
    # Rounds of reminders sent to those who have not answered (services.safety_reminders_send).
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("safety check")
        verbose_name_plural = _("safety checks")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["started_at"], name="safety_check_open", condition=Q(closed_at__isnull=True))]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def localized_title(self) -> str:
        return self.title_ja if _japanese_active() and self.title_ja else self.title

    @property
    def localized_message(self) -> str:
        return self.message_ja if _japanese_active() and self.message_ja else self.message

    @property
    def prefecture_names(self) -> list[str]:
        return [prefecture_names.prefecture_name(code) for code in self.prefectures]


class AnswerStatus(models.TextChoices):
    NO_ANSWER = "NO_ANSWER", _("No answer")
    SAFE = "SAFE", _("Safe")
    NEED_HELP = "NEED_HELP", _("Needs help")


class Channel(models.TextChoices):
    EMAIL_LINK = "EMAIL_LINK", _("Email link")
    DASHBOARD = "DASHBOARD", _("Portal")


class SafetyAnswer(models.Model):
    """One ALT asked by one check: written when the check starts, answered (and changed) until it closes.

    The branch and prefecture are those of the ALT when the check started:
    the staff view counts and lists from this table alone.
    """

    safety_check = models.ForeignKey(
        SafetyCheck, on_delete=models.CASCADE, related_name="answers", verbose_name=_("safety check")
    )
    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_answers", verbose_name=_("ALT")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    prefecture = models.CharField(_("prefecture"), max_length=2, blank=True)
    status = models.CharField(_("answer"), max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.NO_ANSWER)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    channel = models.CharField(_("answered through"), max_length=16, choices=Channel.choices, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The urgent request "I need help" opened (support app).
    support_request = models.ForeignKey(
        "support.SupportRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("support request"),
    )
    created = models.DateTimeField(_("asked"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("safety answer")
        verbose_name_plural = _("safety answers")
        constraints = [models.UniqueConstraint(fields=["safety_check", "alt"], name="safety_answer_once_per_alt")]
        indexes = [
            # The staff view: counts per branch and status, and the lists, of one check.
            models.Index(fields=["safety_check", "branch", "status"], name="safety_answer_check_branch"),
            # The ALT's dashboard: open checks not answered yet.
            models.Index(fields=["alt", "status"], name="safety_answer_alt_status"),
        ]

    def __str__(self):
        name = self.alt.display_name if self.alt_id else ""
        title = self.safety_check.title if self.safety_check_id else ""
        return f"{name} · {title}"

    @property
    def prefecture_name(self) -> str:
        return prefecture_names.prefecture_name(self.prefecture)


class SafetyAnswerChange(models.Model):
    """Every answer given, in order: a changed answer keeps what was said before."""

    answer = models.ForeignKey(SafetyAnswer, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(_("answer"), max_length=16, choices=AnswerStatus.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    channel = models.CharField(_("answered through"), max_length=16, choices=Channel.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("safety answer change")
        verbose_name_plural = _("safety answer changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.answer}: {self.get_status_display()}"


class Score(models.IntegerChoices):
    VERY_HARD = 1, _("1 · very hard")
    HARD = 2, _("2 · hard")
    OKAY = 3, _("3 · okay")
    GOOD = 4, _("4 · good")
    VERY_GOOD = 5, _("5 · very good")


class WellbeingCheckin(models.Model):
    """A short, confidential check-in at 1, 3 and 6 months after arrival.

    Staff never see a row: only branch averages where enough ALTs answered
    (selectors.wellbeing_summary). "Contact me" opens a well-being request with
    the ALT's consent.
    """

    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wellbeing_checkins", verbose_name=_("ALT")
    )
    # The branch when invited: the averages are per branch.
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    month = models.PositiveSmallIntegerField(_("months after arrival"))
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    work = models.PositiveSmallIntegerField(_("work"), choices=Score.choices, null=True, blank=True)
    daily_life = models.PositiveSmallIntegerField(_("daily life"), choices=Score.choices, null=True, blank=True)
    health = models.PositiveSmallIntegerField(_("health"), choices=Score.choices, null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    contact_requested = models.BooleanField(_("asked to be contacted"), default=False)
    support_request = models.ForeignKey(
        "support.SupportRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("support request"),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("well-being check-in")
        verbose_name_plural = _("well-being check-ins")
        constraints = [
            models.UniqueConstraint(fields=["alt", "month"], name="wellbeing_checkin_once_per_month"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(work__gte=1, work__lte=5, daily_life__gte=1, daily_life__lte=5, health__gte=1, health__lte=5),
                name="wellbeing_checkin_scores_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["branch", "answered_at"], name="wellbeing_checkin_branch")]

    def __str__(self):
        name = self.alt.display_name if self.alt_id else ""
        return ngettext(
            "%(name)s: check-in %(months)s month after arrival",
            "%(name)s: check-in %(months)s months after arrival",
            self.month,
        ) % {"name": name, "months": self.month}

    @property
    def scores(self) -> list[int]:
        return [score for score in (self.work, self.daily_life, self.health) if score is not None]

    @property
    def is_low(self) -> bool:
        """A low answer: the counselling line is shown at once."""
        return any(score <= settings.WELLBEING_LOW_SCORE for score in self.scores)
