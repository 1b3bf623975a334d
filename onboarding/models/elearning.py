from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.labels import choice_label, pick
from core.versions import VersionedManager


class Course(models.Model):
    """A pre-departure course. Bump `version` when a revision must be redone.

    Only tasks that are active now count towards progress, and a completion
    counts only when it is at least as new as the task's own version, so
    progress always reads against the current version of the course.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(
        _("current course"),
        default=False,
        help_text=_("New ALTs are enrolled in the current course. Only one course is current."),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="course_one_current"),
        ]

    def __str__(self):
        return self.title_en

    @property
    def title(self):
        return pick(self.title_en, self.title_ja)

    @property
    def summary(self):
        return pick(self.summary_en, self.summary_ja)


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "order"], name="module_unique_order")]

    def __str__(self):
        return self.title_en

    @property
    def title(self):
        return pick(self.title_en, self.title_ja)


class Task(models.Model):
    class Kind(models.TextChoices):
        READING = "READING", _("Reading")
        VIDEO = "VIDEO", _("Video")
        ACKNOWLEDGEMENT = "ACKNOWLEDGEMENT", _("Acknowledgement")
        QUIZ = "QUIZ", _("Quiz")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("module"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.READING)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_ja = models.TextField(_("text (Japanese)"), blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    requires_previous = models.BooleanField(
        _("requires the task before"), default=True, help_text=_("Locked until the task before it is complete.")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    attempts_per_day = models.PositiveSmallIntegerField(
        _("attempts a day"),
        default=3,
        help_text=_("For quizzes: failed attempts allowed each day, counted in Japan time. 0 for no limit."),
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        default=0,
        help_text=_(
            "For quizzes: each attempt draws this many of the quiz's questions. 0 (or more than the quiz has) "
            "asks them all."
        ),
    )
    version = models.PositiveIntegerField(
        _("changed in course version"),
        default=1,
        help_text=_("Completions from an older course version than this do not count: the ALT redoes the task."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["module__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["module", "order"], name="task_unique_order")]

    def __str__(self):
        return self.title_en

    def clean(self):
        # A completion records the course's version: a task newer than its course could never be done.
        if self.module_id and self.version > self.module.course.version:
            raise ValidationError(
                {"version": _("Raise the course's version first: a task cannot be newer than its course.")}
            )

    @property
    def video_href(self) -> str:
        """The video link if it is a web address. The form allows nothing else, but a row written another
        way (the shell, a data migration) must not put a `javascript:` link on the ALT's page."""
        return self.video_url if self.video_url.lower().startswith(("https://", "http://")) else ""

    @property
    def title(self):
        return pick(self.title_en, self.title_ja)

    @property
    def body(self):
        return pick(self.body_en, self.body_ja)

    @property
    def is_quiz(self):
        return self.kind == self.Kind.QUIZ

    @property
    def kind_label(self) -> str:
        return choice_label(self.Kind, self.kind)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "SINGLE", _("One answer")
        MULTIPLE = "MULTIPLE", _("Several answers")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="questions", verbose_name=_("task"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    text_en = models.TextField(_("question (English)"))
    text_ja = models.TextField(_("question (Japanese)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    explanation_ja = models.TextField(_("explanation (Japanese)"), blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["task", "order", "id"]

    def __str__(self):
        return f"Q{self.pk}"

    @property
    def text(self):
        return pick(self.text_en, self.text_ja)

    @property
    def explanation(self):
        return pick(self.explanation_en, self.explanation_ja)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.CharField(_("answer (English)"), max_length=300)
    text_ja = models.CharField(_("answer (Japanese)"), max_length=300, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "order", "id"]

    def __str__(self):
        return self.text_en

    @property
    def text(self):
        return pick(self.text_en, self.text_ja)


class Enrolment(models.Model):
    """An ALT in a course. Written by the invitation task; one per ALT and course."""

    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("ALT")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course"))
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    last_nudged_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        permissions = [("export_progress", _("Can export e-learning progress"))]
        ordering = ["-enrolled_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alt", "course"], name="enrolment_unique_per_course")]
        indexes = [models.Index(fields=["course", "completed_at"], name="enrolment_course_idx")]

    def __str__(self):
        return f"E-{self.pk:06d}" if self.pk else "E-new"


class TaskCompletion(models.Model):
    """A task done by an ALT (or marked done by staff, with who and why)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="completions", verbose_name=_("enrolment")
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completions", verbose_name=_("task"))
    course_version = models.PositiveIntegerField(_("course version"))
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked complete by"),
        help_text=_("Staff who marked the task complete for the ALT."),
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("task completion")
        verbose_name_plural = _("task completions")
        ordering = ["enrolment", "completed_at"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "task"], name="completion_unique_per_task")]

    def __str__(self):
        return f"C-{self.pk}"


class QuizAttempt(models.Model):
    """Every quiz submission, graded on the server; the score, the answers and the questions drawn are kept.

    `number` counts the ALT's attempts at the task (1, 2, ...): the questions of
    attempt n are drawn from it (selectors.quiz_draw), so the page that showed
    them and the grading agree without the page writing anything.
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("enrolment")
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("task"))
    number = models.PositiveIntegerField(_("attempt number"))
    course_version = models.PositiveIntegerField(_("course version"))
    questions = models.JSONField(_("questions asked"), default=list)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    answers = models.JSONField(_("answers"), default=dict)
    created = models.DateTimeField(_("submitted"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrolment", "task", "number"]
        indexes = [models.Index(fields=["enrolment", "task"], name="attempt_enrolment_task_idx")]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "task", "number"], name="attempt_unique_number"),
        ]

    def __str__(self):
        return f"A-{self.pk}"
