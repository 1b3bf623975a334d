"""Every read the onboarding pages need, with the permission filter in one place.

An ALT reaches only their own placement, enrolment, tasks and certificate:
everything here starts from the logged-in user, and anything else is a 404.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, User
from contacts.selectors import Contact, support_team_summary_for_alt
from core.dates import add_days

from .checklist import STEPS
from .models import ChecklistItem, Course, Enrolment, Placement, Stage, Task, TaskCompletion
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


def placement_for_alt(*, user: User) -> Placement | None:
    """The ALT's own placement, or None before GRM has opened one."""
    return Placement.objects.filter(alt=user).first()


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


def course_tasks(*, course: Course) -> list[Task]:
    """The tasks that count now, in the order the ALT takes them."""
    return list(
        Task.objects.filter(module__course=course, is_active=True, module__is_active=True)
        .select_related("module")
        .order_by("module__order", "module_id", "order", "id")
    )


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
    task: Task
    number: int
    done: bool
    locked: bool
    score: int | None = None
    completed_at: object = None
    marked_by_staff: bool = False


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
    """Done and total over `self.tasks`."""

    @property
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


def course_progress(*, enrolment: Enrolment, departure_date: date | None = None) -> CourseProgress:
    """Where the ALT stands in their course, in two queries whatever its size.

    A task is locked when it requires the one before it and that one is not
    done. Progress counts active tasks only, so it never goes above 100%.
    """
    course = enrolment.course
    tasks = course_tasks(course=course)
    completions = {
        c["task_id"]: c
        for c in TaskCompletion.objects.filter(enrolment=enrolment, task__module__course=course).values(
            "task_id", "course_version", "score", "completed_at", "marked_by_id"
        )
    }
    states, modules, previous_done = [], [], True
    for number, task in enumerate(tasks, 1):
        completion = completions.get(task.pk)
        done = completion is not None and completion["course_version"] >= task.version
        state = TaskState(
            task=task,
            number=number,
            done=done,
            locked=not done and task.requires_previous and not previous_done,
            score=completion["score"] if completion else None,
            completed_at=completion["completed_at"] if done else None,
            marked_by_staff=bool(completion and completion["marked_by_id"]),
        )
        states.append(state)
        if not modules or modules[-1].module.pk != task.module_id:
            modules.append(ModuleProgress(module=task.module))
        modules[-1].tasks.append(state)
        previous_done = done
    return CourseProgress(
        enrolment=enrolment, course=course, modules=modules, tasks=states, due_date=due_date_for(departure_date)
    )


@dataclass
class TaskPage:
    enrolment: Enrolment
    progress: CourseProgress
    state: TaskState


def task_get_for_alt(*, user: User, pk: int) -> TaskPage:
    """A task of the ALT's own course, with its state; 404 for anything else."""
    enrolment = enrolment_for_alt(user=user)
    if enrolment is None:
        raise Http404("Not enrolled")
    departure = AltProfile.objects.filter(user=user).values_list("departure_date", flat=True).first()
    progress = course_progress(enrolment=enrolment, departure_date=departure)
    state = progress.state_of(pk)
    if state is None:
        raise Http404("No such task")
    return TaskPage(enrolment=enrolment, progress=progress, state=state)


def quiz_questions(*, task: Task) -> list:
    return list(task.questions.prefetch_related("choices").order_by("order", "id"))


def certificate_for_alt(*, user: User) -> CourseProgress:
    """The ALT's own completed course; 404 until every task is done."""
    enrolment = enrolment_for_alt(user=user)
    if enrolment is None:
        raise Http404("Not enrolled")
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


def checklist_for_alt(*, user: User) -> list[ChecklistRow]:
    """Every arrival step, with what the ALT has ticked off, in one query."""
    done = dict(ChecklistItem.objects.filter(alt=user, done_at__isnull=False).values_list("kind", "done_at"))
    return [ChecklistRow(step=step, done=step.kind in done, done_at=done.get(step.kind)) for step in STEPS]


# --- dashboard ------------------------------------------------------------------------------


@dataclass
class DashboardCard(_Percent):
    timeline: Timeline | None
    progress_label: str = ""
    done: int = 0
    total: int = 0
    due_date: date | None = None
    kind: str = ""  # "course", "checklist" or ""


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
        done = ChecklistItem.objects.filter(alt_id=profile.user_id, done_at__isnull=False).count()
        card.kind, card.done, card.total = "checklist", done, len(STEPS)
        card.progress_label = str(_("Arrival checklist"))
    elif stage in (Stage.CONFIRMED, Stage.PRE_DEPARTURE):
        enrolment = latest_enrolment_progress(alt_id=profile.user_id)
        if enrolment is not None:
            card.kind, card.done, card.total = "course", enrolment["tasks_done"], enrolment["tasks_total"]
            card.progress_label = str(_("Pre-departure course"))
            card.due_date = due_date_for(profile.departure_date)
    return card
