"""Every read the onboarding pages need, with the permission filter in one place.

An ALT reaches only their own placement, enrolment, tasks and certificate:
everything here starts from the logged-in user, and anything else is a 404.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, OrientationTrack, User
from contacts.selectors import Contact, alt_profile_for_user, branch_scope_for_user, support_team_summary_for_alt
from core.dates import add_days
from core.formats import format_date
from core.labels import choice_label, pick

from .checklist import STEPS, STEPS_BY_KIND, help_url_for
from .handover import HandoverSection, sections_from_other_apps
from .models import ChecklistItem, Course, Enrolment, Handover, Placement, QuizAttempt, Stage, Task, TaskCompletion
from .models.placement import BRANCH_STAGES, PIPELINE

# --- placement ------------------------------------------------------------------

NEXT_STEP = {
    Stage.APPLIED: _("We are reviewing your application and will contact you to arrange an interview."),
    Stage.INTERVIEWED: _("Thank you for your interview. We will email you the result."),
    Stage.OFFERED: _("You have an offer. Once you accept it, we look for the right branch and schools for you."),
    Stage.PLACEMENT: _("We are matching you with a branch and schools. You will be told as soon as it is confirmed."),
    Stage.CONFIRMED: _(
        "Your placement is confirmed and your branch team now looks after you. "
        "Complete the pre-departure course before you fly."
    ),
    Stage.PRE_DEPARTURE: _(
        "Get ready to fly: finish the pre-departure course before you leave. Your branch will meet you after arrival."
    ),
    Stage.ARRIVED: _("Welcome to Japan! Work through the arrival checklist with the help of your branch."),
    Stage.WITHDRAWN: _("Your application has been withdrawn. Your recruiting contact can answer any questions."),
}

STAGE_MEANING = {
    Stage.APPLIED: _("Application received"),
    Stage.INTERVIEWED: _("Interview done"),
    Stage.OFFERED: _("Offer made"),
    Stage.PLACEMENT: _("Finding your branch and schools"),
    Stage.CONFIRMED: _("Branch confirmed"),
    Stage.PRE_DEPARTURE: _("Preparing to fly"),
    Stage.ARRIVED: _("In Japan"),
}


@dataclass
class TimelineStep:
    stage: str
    label: str
    meaning: str
    state: str  # "done", "current" or "upcoming"


@dataclass
class Timeline:
    stage: str
    stage_label: str
    steps: list
    next_step: str
    withdrawn: bool


def placement_stage_for_alt(*, user: User) -> str | None:
    """The stage of the ALT's own placement, or None before GRM has opened one."""
    return Placement.objects.filter(alt=user).values_list("stage", flat=True).first()


def placement_timeline(*, stage: str) -> Timeline:
    """The stage as a timeline the ALT reads: done, current and upcoming steps and what happens next."""
    withdrawn = stage == Stage.WITHDRAWN
    position = PIPELINE.index(stage) if stage in PIPELINE else -1
    steps = []
    for index, step in enumerate(PIPELINE):
        if withdrawn:
            state = "upcoming"
        elif index < position:
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "upcoming"
        steps.append(TimelineStep(step, str(Stage(step).label), str(STAGE_MEANING[step]), state))
    return Timeline(
        stage=stage,
        stage_label=str(Stage(stage).label),
        steps=steps,
        next_step=str(NEXT_STEP[stage]),
        withdrawn=withdrawn,
    )


def who_to_ask(*, profile: AltProfile, stage: str | None) -> Contact | None:
    """Recruiting (GRM) until the branch is confirmed, then the MC (or the branch office)."""
    team = support_team_summary_for_alt(profile=profile)
    if stage in BRANCH_STAGES and profile.branch_id:
        if team.managing_consultant is not None:
            return team.managing_consultant
        branch = profile.branch
        return Contact(branch.name, str(_("Branch office")), branch.email, branch.phone, hours="")
    return team.grm[0] if team.grm else None


# --- e-learning -----------------------------------------------------------------------


def current_course() -> Course | None:
    return Course.objects.filter(is_current=True).first()


def enrolment_for_alt(*, user: User) -> Enrolment | None:
    """The ALT's enrolment in the current course (the latest one if the course changed since)."""
    return (
        Enrolment.objects.filter(alt=user)
        .select_related("course")
        .order_by(F("course__is_current").desc(), "-enrolled_at")
        .first()
    )


def _course_tasks_queryset(course: Course) -> QuerySet[Task]:
    return (
        Task.objects.filter(module__course=course, is_active=True, module__is_active=True)
        .select_related("module")
        .order_by("module__order", "module_id", "order", "id")
    )


def course_tasks(*, course: Course) -> list[Task]:
    """The tasks that count now, in the order the ALT takes them."""
    return list(_course_tasks_queryset(course))


def counted_completions_filter(prefix: str = "") -> Q:
    """Completions that count: an active task of the current version, done since the task last changed."""
    return Q(
        **{
            f"{prefix}task__is_active": True,
            f"{prefix}task__module__is_active": True,
            f"{prefix}course_version__gte": F(f"{prefix}task__version"),
        }
    )


@dataclass
class TaskState:
    task: "Task | TaskOutline"
    number: int
    done: bool
    locked: bool
    score: int | None = None
    completed_at: object = None
    marked_by_staff: bool = False


def day_with_weekday(day: date) -> str:
    """ "2026-12-22 (Tue)", the weekday in the active language."""
    return format_date(day)


def percent(done: int, total: int) -> int:
    """Whole percent done, never above 100 (a task counted twice, a course shrunk since)."""
    if not total:
        return 0
    return min(100, done * 100 // total)


class _Percent:
    """`percent` and the progress bar's width class over `self.done` and `self.total`."""

    @property
    def percent(self):
        return percent(self.done, self.total)

    @property
    def pct_class(self):
        return f"pct-{self.percent // 5 * 5}"


class _TaskTally(_Percent):
    """Done and total over `self.tasks` (counted once: a page reads them several times)."""

    @cached_property
    def done(self):
        return sum(1 for t in self.tasks if t.done)

    @property
    def total(self):
        return len(self.tasks)


@dataclass
class ModuleProgress(_TaskTally):
    module: object
    tasks: list = field(default_factory=list)


@dataclass
class CourseProgress(_TaskTally):
    enrolment: Enrolment
    course: Course
    modules: list
    tasks: list
    due_date: date | None

    @property
    def complete(self):
        return self.total > 0 and self.done == self.total

    @property
    def next_task(self):
        return next((t for t in self.tasks if not t.done), None)

    @property
    def completed_on(self):
        if not self.complete:
            return None
        return max(t.completed_at for t in self.tasks)

    @property
    def due_text(self) -> str:
        return day_with_weekday(self.due_date) if self.due_date else ""

    @property
    def certificate_number(self) -> str:
        return f"{self.course.code.upper()}-V{self.course.version}-{self.enrolment.pk:06d}"

    def state_of(self, task_id: int) -> TaskState | None:
        return next((t for t in self.tasks if t.task.pk == task_id), None)

    def after(self, task_id: int) -> TaskState | None:
        """The task that follows `task_id`, if any."""
        ids = [t.task.pk for t in self.tasks]
        if task_id not in ids or ids.index(task_id) + 1 >= len(ids):
            return None
        return self.tasks[ids.index(task_id) + 1]


def due_date_for(departure_date: date | None) -> date | None:
    """The course is due the day before departure (a departure saved out of range cannot overflow)."""
    return add_days(departure_date, -1) if departure_date else None


@dataclass(frozen=True, slots=True)
class ModuleOutline:
    pk: int
    title_en: str
    title_ja: str

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_ja)


@dataclass(frozen=True, slots=True)
class TaskOutline:
    """A task as the course's outline reads it: what it is called and whether it waits for the one
    before. Its texts and quiz settings are on its own page (`task_get_for_alt` loads the Task)."""

    pk: int
    module: ModuleOutline
    kind: str
    title_en: str
    title_ja: str
    requires_previous: bool
    version: int

    @property
    def module_id(self) -> int:
        return self.module.pk

    @property
    def title(self) -> str:
        return pick(self.title_en, self.title_ja)

    @property
    def kind_label(self) -> str:
        return choice_label(Task.Kind, self.kind)

    @property
    def is_quiz(self) -> bool:
        return self.kind == Task.Kind.QUIZ


def course_outline(*, course: Course) -> list[TaskOutline]:
    """The tasks that count now, in the order the ALT takes them, as rows rather than models (one query)."""
    modules, outline = {}, []
    rows = _course_tasks_queryset(course).values_list(
        "pk", "kind", "title_en", "title_ja", "requires_previous", "version",
        "module_id", "module__title_en", "module__title_ja",
    )  # fmt: skip
    for pk, kind, title_en, title_ja, requires_previous, version, module_id, module_en, module_ja in rows:
        if module_id not in modules:
            modules[module_id] = ModuleOutline(module_id, module_en, module_ja)
        outline.append(TaskOutline(pk, modules[module_id], kind, title_en, title_ja, requires_previous, version))
    return outline


def course_progress(*, enrolment: Enrolment, departure_date: date | None = None) -> CourseProgress:
    """Where the ALT stands in their course, in two queries whatever its size.

    A task is locked when it requires the one before it and that one is not
    done. Progress counts active tasks only, so it never goes above 100%.
    The tasks are outlines (`TaskOutline`), not models.
    """
    course = enrolment.course
    # Only the course's tasks are looked up: a completion of any other task is never read.
    completions = {
        task_id: (version, score, completed_at, marked_by_id)
        for task_id, version, score, completed_at, marked_by_id in TaskCompletion.objects.filter(
            enrolment=enrolment
        ).values_list("task_id", "course_version", "score", "completed_at", "marked_by_id")
    }
    states, modules, previous_done = [], [], True
    for number, task in enumerate(course_outline(course=course), 1):
        version, score, completed_at, marked_by_id = completions.get(task.pk, _NOT_DONE)
        done = version is not None and version >= task.version
        state = TaskState(
            task=task,
            number=number,
            done=done,
            locked=not done and task.requires_previous and not previous_done,
            score=score,
            completed_at=completed_at if done else None,
            marked_by_staff=marked_by_id is not None,
        )
        states.append(state)
        if not modules or modules[-1].module is not task.module:
            modules.append(ModuleProgress(module=task.module))
        modules[-1].tasks.append(state)
        previous_done = done
    return CourseProgress(
        enrolment=enrolment, course=course, modules=modules, tasks=states, due_date=due_date_for(departure_date)
    )


_NOT_DONE = (None, None, None, None)


@dataclass
class TaskPage:
    enrolment: Enrolment
    progress: CourseProgress
    state: TaskState


def task_get_for_alt(*, user: User, pk: int) -> TaskPage:
    """A task of the ALT's own course, with its state and its texts; 404 for anything else."""
    enrolment = enrolment_for_alt(user=user)
    if enrolment is None:
        raise Http404("Not enrolled")
    profile = alt_profile_for_user(user=user)
    progress = course_progress(enrolment=enrolment, departure_date=profile.departure_date if profile else None)
    state = progress.state_of(pk)
    if state is None:
        raise Http404("No such task")
    # The page's own task in full (its texts, its quiz settings); the others stay outlines.
    state.task = Task.objects.select_related("module").get(pk=pk)
    return TaskPage(enrolment=enrolment, progress=progress, state=state)


def quiz_questions(*, task: Task) -> list:
    """The quiz's whole pool of questions, with their choices, in the order staff gave them."""
    return list(task.questions.prefetch_related("choices").order_by("order", "id"))


# Attempts are counted per calendar day in Japan, wherever the ALT is when they take the quiz.
JAPAN = ZoneInfo("Asia/Tokyo")


def start_of_day_in_japan(now: datetime | None = None) -> datetime:
    day = (now or timezone.now()).astimezone(JAPAN).date()
    return datetime.combine(day, time.min, tzinfo=JAPAN)


def quiz_draw(*, enrolment_id: int, task: Task, number: int, pool: list) -> list:
    """The questions of the ALT's attempt `number` at `task`: `task.questions_per_attempt` of the pool.

    Derived, not stored, until the attempt is submitted: the same enrolment,
    task and attempt number always draw the same questions, so the page that
    shows them writes nothing and the grading sees the same draw. The next
    attempt draws afresh. Shown in the pool's order.
    """
    wanted = task.questions_per_attempt
    if not wanted or wanted >= len(pool):
        return list(pool)
    # A string seed is hashed with SHA-512: the same draw in every process, whatever PYTHONHASHSEED.
    drawn = {q.pk for q in random.Random(f"quiz:{enrolment_id}:{task.pk}:{number}").sample(pool, wanted)}
    return [q for q in pool if q.pk in drawn]


@dataclass
class QuizStatus:
    """Where the ALT stands with a quiz: the next attempt, its questions, what today's limit leaves."""

    number: int
    questions: list
    pool_size: int
    failed_today: int
    per_day: int
    last_score: int | None = None
    last_passed: bool | None = None
    last_answers: dict = field(default_factory=dict)

    @property
    def left_today(self) -> int | None:
        """Attempts left today; None when the quiz has no daily limit."""
        return max(0, self.per_day - self.failed_today) if self.per_day else None

    @property
    def limit_reached(self) -> bool:
        return self.left_today == 0

    @property
    def drawn_from_pool(self) -> bool:
        return len(self.questions) < self.pool_size

    def initial(self) -> dict:
        """The answers of a failed last attempt, for the questions asked again: the form shows them."""
        if self.last_passed is not False:
            return {}
        return {f"q{q.pk}": self.last_answers[str(q.pk)] for q in self.questions if str(q.pk) in self.last_answers}


def quiz_status(*, enrolment: Enrolment, task: Task, now: datetime | None = None) -> QuizStatus:
    """The ALT's next attempt at `task` and today's count, in four queries (two for the pool).

    Failed attempts at the task's current version count against the day's
    limit; the day starts at midnight in Japan.
    """
    attempts = QuizAttempt.objects.filter(enrolment=enrolment, task=task)
    counts = attempts.aggregate(
        last=Max("number"),
        failed_today=Count(
            "pk",
            filter=Q(passed=False, course_version__gte=task.version, created__gte=start_of_day_in_japan(now)),
        ),
    )
    number = (counts["last"] or 0) + 1
    pool = quiz_questions(task=task)
    status = QuizStatus(
        number=number,
        questions=quiz_draw(enrolment_id=enrolment.pk, task=task, number=number, pool=pool),
        pool_size=len(pool),
        failed_today=counts["failed_today"],
        per_day=task.attempts_per_day,
    )
    if counts["last"]:
        last = attempts.filter(number=counts["last"]).values("score", "passed", "answers").get()
        status.last_score, status.last_passed, status.last_answers = last["score"], last["passed"], last["answers"]
    return status


def certificate_for_alt(*, user: User) -> CourseProgress:
    """The ALT's own completed course; 404 until every task is done."""
    enrolment = enrolment_for_alt(user=user)
    if enrolment is None:
        raise Http404("Not enrolled")
    progress = course_progress(enrolment=enrolment)
    if not progress.complete:
        raise Http404("Course not complete")
    return progress


def certificate_get_for_user(*, user: User, pk: int) -> CourseProgress:
    """A completed course's certificate, for the ALT who completed it and the staff who may see them.

    Staff: those who see the ALT's enrolment in the admin (the permission, and
    the ALT's branch in their scope). Anyone else, and a course not complete
    (or no longer, after a new version), is a 404.
    """
    enrolment = Enrolment.objects.select_related("course", "alt", "alt__alt_profile").filter(pk=pk).first()
    if enrolment is None:
        raise Http404("No such enrolment")
    if enrolment.alt_id != user.pk:
        profile = getattr(enrolment.alt, "alt_profile", None)
        allowed = (
            user.is_staff
            and user.has_perm("onboarding.view_enrolment")
            and branch_scope_for_user(user=user).allows(profile.branch_id if profile else None)
        )
        if not allowed:
            raise Http404("No such enrolment")
    progress = course_progress(enrolment=enrolment)
    if not progress.complete:
        raise Http404("Course not complete")
    return progress


def enrolment_progress_queryset(queryset=None):
    """Enrolments annotated with `tasks_total` and `tasks_done` in one query (admin list, CSV, reminders)."""
    queryset = queryset if queryset is not None else Enrolment.objects.all()
    total = (
        Task.objects.filter(module__course=OuterRef("course_id"), is_active=True, module__is_active=True)
        .order_by()
        .values("module__course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        TaskCompletion.objects.filter(counted_completions_filter(), enrolment=OuterRef("pk"))
        .filter(task__module__course=OuterRef("course_id"))
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        tasks_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        tasks_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


# --- checklist --------------------------------------------------------------------------


@dataclass
class ChecklistRow:
    step: object
    done: bool
    done_at: object = None
    due_on: date | None = None
    past_due: bool = False
    help_url: str | None = None  # where "Ask for help" posts (set by the layer above), or None

    @property
    def due_text(self) -> str:
        return day_with_weekday(self.due_on) if self.due_on else ""


def checklist_for_alt(*, user: User) -> list[ChecklistRow]:
    """Every arrival step, with its due date and what the ALT has ticked off, in one query."""
    today = timezone.localdate()
    items = {kind: (due_on, done_at) for kind, due_on, done_at in _checklist_rows(user.pk)}
    rows = []
    for step in STEPS:
        due_on, done_at = items.get(step.kind, (None, None))
        rows.append(
            ChecklistRow(
                step=step,
                done=done_at is not None,
                done_at=done_at,
                due_on=due_on,
                past_due=done_at is None and due_on is not None and due_on < today,
                help_url=None if done_at is not None else help_url_for(step.kind),
            )
        )
    return rows


def _checklist_rows(alt_id: int) -> list[tuple]:
    return list(ChecklistItem.objects.filter(alt_id=alt_id).values_list("kind", "due_on", "done_at"))


def checklist_items_past_due_q(*, today: date | None = None) -> Q:
    """Steps not done whose due date has passed, of active ALTs who have arrived."""
    return Q(
        done_at__isnull=True,
        due_on__lt=today or timezone.localdate(),
        alt__is_active=True,
        alt__placement__stage=Stage.ARRIVED,
    )


def checklist_items_past_due_for_mc(*, user: User) -> QuerySet[ChecklistItem]:
    """The steps past due of the ALTs whose Managing Consultant `user` is, oldest due date first.

    The MC's worklist links to the admin list of these
    (`/admin/onboarding/checklistitem/?past_due=yes&mine=yes`).
    """
    return (
        ChecklistItem.objects.filter(checklist_items_past_due_q(), alt__alt_profile__managing_consultant=user)
        .select_related("alt")
        .order_by("due_on", "alt__last_name", "pk")
    )


# --- handover ---------------------------------------------------------------------------------


def _progress_line(alt_id: int) -> str:
    enrolment = latest_enrolment_progress(alt_id=alt_id)
    if enrolment is None:
        return gettext("Not enrolled yet (the course opens about 30 days before departure).")
    done, total = enrolment["tasks_done"], enrolment["tasks_total"]
    return gettext("%(done)s of %(total)s tasks (%(percent)s%%)") % {
        "done": done,
        "total": total,
        "percent": percent(done, total),
    }


def _day(value) -> str:
    return format_date(value) if value else gettext("not known yet")


def handover_sections(*, handover: Handover) -> list[HandoverSection]:
    """What the handover tells the MC, in the active language, read live (a handful of queries)."""
    placement = Placement.objects.select_related("alt__alt_profile").get(pk=handover.placement_id)
    profile = getattr(placement.alt, "alt_profile", None)
    track = profile.orientation_track if profile else ""
    sections = [
        HandoverSection(
            gettext("Arrival"),
            (
                gettext("Departure: %(day)s") % {"day": _day(profile.departure_date if profile else None)},
                gettext("Arrival: %(day)s") % {"day": _day(profile.arrival_date if profile else None)},
                gettext("Flight: %(flight)s") % {"flight": placement.arrival_flight or gettext("not known yet")},
            ),
        ),
        HandoverSection(gettext("Housing"), (str(placement.get_housing_status_display()),)),
        HandoverSection(gettext("Pre-departure course"), (_progress_line(placement.alt_id),)),
        HandoverSection(
            gettext("Orientation track"),
            (str(OrientationTrack(track).label) if track else gettext("Not decided yet"),),
        ),
        *sections_from_other_apps(alt_ids=[placement.alt_id]).get(placement.alt_id, []),
        HandoverSection(
            gettext("Notes from recruiting (staff only)"),
            tuple(placement.notes_for_mc.splitlines()) or (gettext("None"),),
        ),
    ]
    return sections


# --- dashboard ------------------------------------------------------------------------------


@dataclass
class DashboardCard(_Percent):
    timeline: Timeline | None
    progress_label: str = ""
    done: int = 0
    total: int = 0
    due_date: date | None = None
    kind: str = ""  # "course", "checklist" or ""
    past_due: list = field(default_factory=list)  # [(step, due_on)] of the checklist, oldest first


def latest_enrolment_progress(*, alt_id) -> dict | None:
    """{pk, tasks_done, tasks_total} of the ALT's current (else latest) enrolment, in one query."""
    return (
        enrolment_progress_queryset(Enrolment.objects.filter(alt_id=alt_id))
        .order_by(F("course__is_current").desc(), "-enrolled_at")
        .values("pk", "tasks_done", "tasks_total")
        .first()
    )


def onboarding_dashboard_card(*, profile: AltProfile) -> DashboardCard | None:
    """The stage timeline and e-learning progress, or checklist progress after arrival. Two queries."""
    placement = Placement.objects.filter(alt_id=profile.user_id).values("stage").first()
    if placement is None:
        return None
    stage = placement["stage"]
    card = DashboardCard(timeline=placement_timeline(stage=stage))
    if stage == Stage.ARRIVED:
        today = timezone.localdate()
        rows = _checklist_rows(profile.user_id)
        card.kind, card.done, card.total = "checklist", sum(1 for row in rows if row[2] is not None), len(STEPS)
        card.progress_label = str(_("Arrival checklist"))
        card.past_due = sorted(
            (
                (STEPS_BY_KIND[kind], due_on)
                for kind, due_on, done_at in rows
                if done_at is None and due_on is not None and due_on < today and kind in STEPS_BY_KIND
            ),
            key=lambda pair: pair[1],
        )
    elif stage in (Stage.CONFIRMED, Stage.PRE_DEPARTURE):
        enrolment = latest_enrolment_progress(alt_id=profile.user_id)
        if enrolment is not None:
            card.kind, card.done, card.total = "course", enrolment["tasks_done"], enrolment["tasks_total"]
            card.progress_label = str(_("Pre-departure course"))
            card.due_date = due_date_for(profile.departure_date)
    return card


# --- staff worklists (interac_portal.worklist) ----------------------------------------------------
# Each count is what the admin list the worklist links to shows: the same conditions, the same branches.

HANDOVER_WAITING = Q(acknowledged_at__isnull=True, cancelled_at__isnull=True)
# A placement in one of the stages GRM moves it through (before the branch is confirmed) longer than this is stuck.
STUCK_AFTER = timedelta(days=14)
STUCK_STAGES = (Stage.APPLIED, Stage.INTERVIEWED, Stage.OFFERED, Stage.PLACEMENT)


def _in_admin_branches(queryset: QuerySet, *, user: User, lookup: str) -> QuerySet:
    """`queryset` within the branches `user` sees in the admin (every branch for national roles)."""
    scope = branch_scope_for_user(user=user)
    return queryset if scope.all_branches else queryset.filter(**{f"{lookup}__in": scope.branch_ids})


def handovers_to_acknowledge_count(*, user: User) -> int:
    """Handovers handed to `user` (an MC) and not acknowledged yet: `?state=waiting&mine=received`. One query."""
    waiting = Handover.objects.filter(HANDOVER_WAITING, mc=user)
    return _in_admin_branches(waiting, user=user, lookup="branch").count()


def checklist_items_past_due_count_for_mc(*, user: User) -> int:
    """The number of steps past due of `user`'s ALTs: `?past_due=yes&mine=yes`. One query."""
    items = checklist_items_past_due_for_mc(user=user)
    return _in_admin_branches(items, user=user, lookup="alt__alt_profile__branch").count()


def placements_stuck_q(*, now: datetime | None = None) -> Q:
    """Placements in one of GRM's stages whose stage has not changed for more than 14 days."""
    return Q(stage__in=STUCK_STAGES, stage_changed_at__lt=(now or timezone.now()) - STUCK_AFTER)


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


@dataclass(frozen=True)
class PlacementPipeline:
    stages: list  # [StageCount] along the pipeline, then withdrawn
    stuck: int

    @property
    def total(self) -> int:
        return sum(stage.count for stage in self.stages)


def placement_pipeline_for_user(*, user: User, now: datetime | None = None) -> PlacementPipeline:
    """Placements by stage and how many are stuck, in the branches `user` sees (GRM: all). One query."""
    placements = _in_admin_branches(Placement.objects.all(), user=user, lookup="branch")
    rows = list(
        placements.order_by()
        .values("stage")
        .annotate(n=Count("pk"), stuck=Count("pk", filter=placements_stuck_q(now=now)))
    )
    counts = {row["stage"]: row["n"] for row in rows}
    stages = [StageCount(s, str(Stage(s).label), counts.get(s, 0)) for s in [*PIPELINE, Stage.WITHDRAWN]]
    return PlacementPipeline(stages=stages, stuck=sum(row["stuck"] for row in rows))
