"""The course content, each ALT's progress, staff marking a task complete, the progress CSV."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.inlines import ReadOnlyInlineMixin
from contacts.scoping import BranchScopedAdminMixin
from core.exports import csv_writer

from ..models import ChecklistItem, Choice, Course, Enrolment, Module, Question, Task, TaskCompletion
from ..selectors import course_progress, enrolment_progress_queryset
from ..selectors import percent as progress_percent
from ..services import TaskRefused, task_completion_mark, task_completion_mark_problem

# --- course content -------------------------------------------------------------------


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "title_en", "title_ja", "is_active"]
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title_en", "code", "version", "is_current"]
    fields = ["code", "title_en", "title_ja", "summary_en", "summary_ja", "version", "is_current"]
    inlines = [ModuleInline]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["order", "kind", "title_en", "requires_previous", "version", "is_active"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title_en", "course", "order", "is_active"]
    list_filter = ["course"]
    list_select_related = ["course"]
    inlines = [TaskInline]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "text_en", "text_ja", "explanation_en", "explanation_ja"]
    show_change_link = True


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title_en", "module", "kind", "order", "version", "is_active"]
    # A link typed without a scheme is taken as https (Django 6's default, set now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["module__course", "kind", "is_active"]
    list_select_related = ["module"]
    search_fields = ["title_en", "title_ja"]
    fieldsets = [
        (None, {"fields": ["module", "order", "kind", "title_en", "title_ja", "requires_previous", "is_active"]}),
        (_("Content"), {"fields": ["body_en", "body_ja", "video_url"]}),
        (_("Quiz"), {"fields": ["pass_mark", "max_attempts"]}),
        (_("Versions"), {"fields": ["version"]}),
    ]
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "text_en", "text_ja", "is_correct"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "task", "kind", "order"]
    list_select_related = ["task"]
    fields = ["task", "order", "kind", "text_en", "text_ja", "explanation_en", "explanation_ja"]
    inlines = [ChoiceInline]


# --- progress -------------------------------------------------------------------------------


class CompletionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TaskCompletion
    fields = ["task", "completed_at", "score", "course_version", "marked_by", "reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("task", "marked_by")


@admin.register(Enrolment)
class EnrolmentAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    """Each ALT's progress; written by the invitation task, read here."""

    branch_lookup = "alt__alt_profile__branch"
    list_display = ["__str__", "alt", "alt_branch", "course", "progress", "invited_at", "completed_at"]
    list_filter = ["course", ("alt__alt_profile__branch", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["alt", "alt__alt_profile__branch", "course"]
    search_fields = ["alt__email", "alt__first_name", "alt__last_name"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    readonly_fields = [
        "alt",
        "course",
        "enrolled_at",
        "invited_at",
        "last_nudged_at",
        "completed_at",
        "progress_detail",
    ]
    fields = readonly_fields
    inlines = [CompletionInline]
    actions = ["export_progress_csv"]

    def get_queryset(self, request):
        return enrolment_progress_queryset(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("branch"))
    def alt_branch(self, obj):
        profile = getattr(obj.alt, "alt_profile", None)
        return profile.branch.name if profile and profile.branch_id else "—"

    @admin.display(description=_("progress"))
    def progress(self, obj):
        total = obj.tasks_total
        percent = progress_percent(obj.tasks_done, total)
        return f"{obj.tasks_done}/{total} ({percent}%)"

    @admin.display(description=_("tasks"))
    def progress_detail(self, obj):
        departure = getattr(getattr(obj.alt, "alt_profile", None), "departure_date", None)
        progress = course_progress(enrolment=obj, departure_date=departure)
        rows = []
        for module in progress.modules:
            for state in module.tasks:
                if state.done:
                    status = gettext("done (marked by staff)") if state.marked_by_staff else gettext("done")
                else:
                    status = gettext("locked") if state.locked else gettext("to do")
                score = f"{state.score}%" if state.score is not None else ""
                rows.append((module.module.title_en, state.task.title_en, status, score))
        table = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        mark_url = reverse("admin:onboarding_taskcompletion_add") + f"?enrolment={obj.pk}"
        return format_html(
            '<p>{} {}/{} ({}%) · {} {}</p><table class="progress-table">{}</table><p><a href="{}">{}</a></p>',
            gettext("Overall:"),
            progress.done,
            progress.total,
            progress.percent,
            gettext("due"),
            progress.due_date or "—",
            table,
            mark_url,
            gettext("Mark a task complete for this ALT"),
        )

    @admin.action(description=_("Export progress as CSV"), permissions=["export_progress"])
    def export_progress_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="elearning-progress-{stamp}.csv"'
        writer = csv_writer(response)  # cells a spreadsheet would run as formulas are escaped
        writer.writerow(
            ["email", "name", "branch", "course", "course_version", "tasks_done", "tasks_total", "percent",
             "departure_date", "invited_at", "completed_at"]
        )  # fmt: skip
        rows = queryset.select_related("alt", "alt__alt_profile__branch", "course").order_by("alt__email")
        for e in rows:
            profile = getattr(e.alt, "alt_profile", None)
            percent = progress_percent(e.tasks_done, e.tasks_total)
            writer.writerow(
                [
                    e.alt.email,
                    e.alt.get_full_name(),
                    profile.branch.code if profile and profile.branch_id else "",
                    e.course.code,
                    e.course.version,
                    e.tasks_done,
                    e.tasks_total,
                    percent,
                    profile.departure_date.isoformat() if profile and profile.departure_date else "",
                    timezone.localtime(e.invited_at).isoformat() if e.invited_at else "",
                    timezone.localtime(e.completed_at).isoformat() if e.completed_at else "",
                ]
            )
        return response

    def has_export_progress_permission(self, request):
        return request.user.has_perm("onboarding.export_progress")


class MarkCompleteForm(forms.ModelForm):
    class Meta:
        model = TaskCompletion
        fields = ["enrolment", "task", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The change page shows a saved completion read-only: these fields are not on its form.
        if "reason" in self.fields:
            self.fields["reason"].required = True
        if "task" in self.fields:
            self.fields["task"].queryset = Task.objects.filter(is_active=True).select_related("module__course")

    def clean(self):
        cleaned = super().clean()
        enrolment, task = cleaned.get("enrolment"), cleaned.get("task")
        if enrolment and task:
            problem = task_completion_mark_problem(enrolment=enrolment, task=task)
            if problem is not None:
                raise ValidationError({"task": problem})
        return cleaned

    def _get_validation_exclusions(self):
        # One row per ALT and task (a constraint on both): a completion made before the task
        # changed (a redo) is updated by the service rather than refused as a duplicate; a
        # current one is refused above.
        return super()._get_validation_exclusions() | {"task"}


@admin.register(TaskCompletion)
class TaskCompletionAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    """Completed tasks; staff add one here to mark a task complete for an ALT, saying why."""

    branch_lookup = "enrolment__alt__alt_profile__branch"
    form = MarkCompleteForm
    list_display = ["__str__", "alt", "task", "completed_at", "score", "marked_by"]
    list_filter = ["task__module__course"]
    list_select_related = ["enrolment__alt", "task", "marked_by"]
    search_fields = ["enrolment__alt__email"]
    raw_id_fields = ["enrolment"]
    show_full_result_count = False

    @admin.display(description=_("ALT"))
    def alt(self, obj):
        return obj.enrolment.alt

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["enrolment", "task", "course_version", "completed_at", "score", "marked_by", "reason"]
        return []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["enrolment", "task", "reason"]
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = task_completion_mark(
                enrolment=data["enrolment"], task=data["task"], by=request.user, reason=data["reason"]
            )
        except TaskRefused as refused:  # checked by the form already; a race at most
            raise ValidationError(refused.messages) from None
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    branch_lookup = "alt__alt_profile__branch"
    list_display = ["alt", "kind", "done_at"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    list_select_related = ["alt"]
    search_fields = ["alt__email"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
