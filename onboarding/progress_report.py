"""The e-learning progress report for trainers and SESPS: reads only, with the permission filter.

Each ALT of the trainer's branch (SESPS: of every branch) enrolled in a
course, module by module, those behind before their departure first. A page
costs the same number of queries whatever the number of ALTs; the CSV reads
every row in the same few queries.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from contacts.models import Branch, StaffRole, User
from contacts.selectors import branch_scope_for_user

from .models import Course, Enrolment, Module, Task, TaskCompletion
from .selectors import counted_completions_filter, enrolment_progress_queryset, percent

# Behind: departing within this many days with less than this share of the course done.
BEHIND_WITHIN_DAYS = 14
BEHIND_BELOW_PERCENT = 80
PAGE_SIZE = 50


class Show:
    """Which ALTs the report lists."""

    DEPARTING = "departing"  # not yet departed (or no date yet): the default
    BEHIND = "behind"
    ALL = "all"


def progress_report_scope(*, user: User) -> Q | None:
    """The enrolments `user` may see in the report, or None: not for them (a 404).

    SESPS (national trainers) and superusers see every ALT; a branch trainer
    the ALTs of the branches they train for. Everyone else: None.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    scope = branch_scope_for_user(user=user)
    if user.is_superuser or StaffRole.Role.SESPS in scope.roles:
        return Q()
    if StaffRole.Role.TRAINER not in scope.roles:
        return None
    trainer_branches = StaffRole.objects.filter(user=user, role=StaffRole.Role.TRAINER).values("branch_id")
    return Q(alt__alt_profile__branch_id__in=trainer_branches)


def progress_report_branches(*, user: User) -> QuerySet[Branch]:
    """The branches the report can be narrowed to, for the filter."""
    scope = progress_report_scope(user=user)
    if scope is None:
        return Branch.objects.none()
    if not scope:
        return Branch.objects.order_by("code")
    return Branch.objects.filter(
        pk__in=StaffRole.objects.filter(user=user, role=StaffRole.Role.TRAINER).values("branch_id")
    ).order_by("code")


@dataclass
class ModuleCell:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class ReportRow:
    enrolment: Enrolment
    alt: User
    branch: Branch | None
    departure_date: date | None
    done: int
    total: int
    behind: bool
    modules: list[ModuleCell] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)

    @property
    def pct_class(self) -> str:
        return f"pct-{self.percent // 5 * 5}"

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def departed(self) -> bool:
        return self.departure_date is not None and self.departure_date < timezone.localdate()

    @property
    def days_to_departure(self) -> int | None:
        return (self.departure_date - timezone.localdate()).days if self.departure_date else None

    @property
    def status(self) -> str:
        """One word for the row: complete, behind, departed (without finishing) or on track."""
        if self.complete:
            return "complete"
        if self.behind:
            return "behind"
        return "departed" if self.departed else "on_track"


@dataclass
class ProgressReport:
    course: Course | None
    modules: list[Module]
    rows: list[ReportRow]
    page: Page | None = None


def _rows_queryset(*, scope: Q, course: Course, branch: Branch | None, show: str) -> QuerySet[Enrolment]:
    today = timezone.localdate()
    queryset = Enrolment.objects.filter(scope, course=course)
    if branch is not None:
        queryset = queryset.filter(alt__alt_profile__branch=branch)
    if show in (Show.DEPARTING, Show.BEHIND):
        queryset = queryset.filter(
            Q(alt__alt_profile__departure_date__gte=today) | Q(alt__alt_profile__departure_date__isnull=True)
        )
    departing_soon = Q(
        alt__alt_profile__departure_date__gte=today,
        alt__alt_profile__departure_date__lte=today + timedelta(days=BEHIND_WITHIN_DAYS),
    )
    queryset = (
        enrolment_progress_queryset(queryset)
        .annotate(
            done_percent=Case(When(tasks_total=0, then=Value(0)), default=F("tasks_done") * 100 / F("tasks_total"))
        )
        .annotate(behind=ExpressionWrapper(departing_soon & Q(done_percent__lt=BEHIND_BELOW_PERCENT), BooleanField()))
        .select_related("alt", "alt__alt_profile__branch")
    )
    if show == Show.BEHIND:
        queryset = queryset.filter(behind=True)
    return queryset.order_by(
        F("behind").desc(),
        F("alt__alt_profile__departure_date").asc(nulls_last=True),
        "alt__last_name",
        "alt__first_name",
        "pk",
    )


def _report_modules(course: Course) -> tuple[list[Module], dict[int, int]]:
    modules = list(Module.objects.filter(course=course, is_active=True).order_by("order", "id"))
    totals = dict(
        Task.objects.filter(module__course=course, module__is_active=True, is_active=True)
        .order_by()
        .values_list("module_id")
        .annotate(n=Count("pk"))
    )
    return modules, totals


def _rows(enrolments, *, modules, totals, done_filter: Q) -> list[ReportRow]:
    done: dict[tuple[int, int], int] = {
        (e, m): n
        for e, m, n in TaskCompletion.objects.filter(counted_completions_filter(), done_filter)
        .order_by()
        .values_list("enrolment_id", "task__module_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    for enrolment in enrolments:
        profile = getattr(enrolment.alt, "alt_profile", None)
        rows.append(
            ReportRow(
                enrolment=enrolment,
                alt=enrolment.alt,
                branch=profile.branch if profile else None,
                departure_date=profile.departure_date if profile else None,
                done=enrolment.tasks_done,
                total=enrolment.tasks_total,
                behind=bool(enrolment.behind),
                modules=[ModuleCell(done.get((enrolment.pk, m.pk), 0), totals.get(m.pk, 0)) for m in modules],
            )
        )
    return rows


def progress_report(
    *, user: User, course: Course | None, branch: Branch | None = None, show: str = Show.DEPARTING, page=1
) -> ProgressReport:
    """One page of the report: a fixed number of queries for any number of ALTs. 404 for those not allowed."""
    scope = progress_report_scope(user=user)
    if scope is None:
        raise Http404("Not a trainer")
    if course is None:
        return ProgressReport(course=None, modules=[], rows=[])
    modules, totals = _report_modules(course)
    paginator = Paginator(_rows_queryset(scope=scope, course=course, branch=branch, show=show), PAGE_SIZE)
    page_obj = paginator.get_page(page)
    enrolments = list(page_obj.object_list)
    rows = _rows(
        enrolments,
        modules=modules,
        totals=totals,
        done_filter=Q(enrolment_id__in=[e.pk for e in enrolments], task__module__course=course),
    )
    return ProgressReport(course=course, modules=modules, rows=rows, page=page_obj)


def progress_report_all(*, user: User, course: Course, branch: Branch | None = None, show: str = Show.DEPARTING):
    """Every row of the report (the CSV), in four queries."""
    scope = progress_report_scope(user=user)
    if scope is None:
        raise Http404("Not a trainer")
    modules, totals = _report_modules(course)
    queryset = _rows_queryset(scope=scope, course=course, branch=branch, show=show)
    rows = _rows(
        list(queryset),
        modules=modules,
        totals=totals,
        done_filter=Q(enrolment__in=queryset.values("pk"), task__module__course=course),
    )
    return ProgressReport(course=course, modules=modules, rows=rows)
