"""Staff start safety checks here and follow the answers; well-being check-ins show as branch averages only.

SESPS and superusers start checks for any scope, a branch's MCs and schedulers
for their own branch (the Branches field offers only theirs, and one must be
chosen). A check's change page is its live view: per branch safe / need help /
no answer, the lists, refreshed every SAFETY_LIVE_REFRESH_SECONDS (htmx), the CSV, closing.
"""

import csv

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts.scoping import BranchScopedAdminMixin
from core.formats import format_datetime

from . import selectors, services
from .forms import SafetyCheckAdminForm
from .models import SafetyCheck

# A cell a spreadsheet would read as a formula starts with one of these; it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WELLBEING_PERMISSION = "safety.view_wellbeingcheckin"


def csv_cell(value) -> str:
    """`value` as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """csv.writer writes a row here, and the row comes back as the streamed chunk."""

    def write(self, value):
        return value


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("safety check", "Open")), ("closed", pgettext_lazy("safety check", "Closed"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


@admin.register(SafetyCheck)
class SafetyCheckAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    form = SafetyCheckAdminForm
    list_display = ["title", "reason", "scope_display", "started_at", "started_by_name", "state"]
    list_filter = [OpenFilter, "reason"]
    list_select_related = ["started_by"]
    search_fields = ["title", "title_ja"]
    fieldsets = [
        (None, {"fields": ["title", "message", "reason", "branches", "prefectures"]}),
        (_("In Japanese, for ALTs who read the portal in Japanese"), {"fields": ["title_ja", "message_ja"]}),
    ]
    actions = None
    change_list_template = "admin/safety/safetycheck/change_list.html"

    # --- scope ---

    def scope_filter(self, scope):
        return selectors.safety_checks_scope_filter(scope=scope)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("started_by").prefetch_related("branches")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    # --- starting a check: the add page ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.scope = self.branch_scope(request)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = self.branch_scope(request)
        if not scope.all_branches and len(scope.branch_ids) == 1:
            initial.setdefault("branches", list(scope.branch_ids))
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied  # a started check is not edited; the change page is its live view
        data = form.cleaned_data
        check = services.safety_check_start(
            by=request.user,
            title=data["title"],
            title_ja=data.get("title_ja", ""),
            message=data["message"],
            message_ja=data.get("message_ja", ""),
            reason=data["reason"],
            branches=data["branches"],
            prefectures=data["prefectures"],
        )
        # The admin goes on with `obj` (its log, the redirect): make it the started check.
        obj.pk = check.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the service set the branches

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("The safety check “%s” is started: every ALT in scope is being emailed now.") % obj.title,
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("change", obj.pk))

    # --- the list ---

    @admin.display(description=_("scope"))
    def scope_display(self, obj):
        branches = ", ".join(branch.name for branch in obj.branches.all()) or gettext("every branch")
        places = ", ".join(obj.prefecture_names) or gettext("every prefecture")
        return f"{branches} · {places}"

    @admin.display(description=_("started by"), ordering="started_by__last_name")
    def started_by_name(self, obj):
        return obj.started_by.display_name if obj.started_by_id else "—"

    @admin.display(description=_("state"), ordering="closed_at")
    def state(self, obj):
        return pgettext("safety check", "Open") if obj.is_open else pgettext("safety check", "Closed")

    # --- the live view ---

    def _url(self, view: str, *args) -> str:
        return reverse(f"admin:safety_safetycheck_{view}", args=args, current_app=self.admin_site.name)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("wellbeing/", wrap(self.wellbeing_view), name="safety_safetycheck_wellbeing"),
            path("<path:object_id>/status/", wrap(self.status_view), name="safety_safetycheck_status"),
            path("<path:object_id>/answers.csv", wrap(self.csv_view), name="safety_safetycheck_csv"),
            path("<path:object_id>/close/", wrap(self.close_view), name="safety_safetycheck_close"),
            *super().get_urls(),
        ]

    def _status_context(self, request, check) -> dict:
        scope = self.branch_scope(request)
        try:
            branch_id = int(request.GET["branch"])
        except (KeyError, ValueError):
            branch_id = None
        return {
            "check": check,
            "status": selectors.safety_check_status(check=check, scope=scope, branch_id=branch_id),
            "status_url": self._url("status", check.pk),
            "change_url": self._url("change", check.pk),
            "csv_url": self._url("csv", check.pk),
            "now": timezone.now(),
            "refresh_seconds": settings.SAFETY_LIVE_REFRESH_SECONDS,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        check = self.get_object(request, unquote(object_id))  # 404 outside the user's scope
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        scope = self.branch_scope(request)
        context = {
            **self.admin_site.each_context(request),
            **self._status_context(request, check),
            "opts": self.opts,
            "title": check.title,
            "original": check,
            "may_close": check.is_open
            and self.has_change_permission(request, check)
            and selectors.safety_check_may_close(scope=scope, check=check),
            "close_url": self._url("close", check.pk),
            "history_url": self._url("history", check.pk),
        }
        return TemplateResponse(request, "admin/safety/safetycheck/status.html", context)

    def status_view(self, request, object_id):
        """The live part of the page alone, for the refresh every few seconds."""
        check = self.get_object(request, unquote(object_id))
        return TemplateResponse(request, "safety/_status_panel.html", self._status_context(request, check))

    def csv_view(self, request, object_id):
        """Everyone the check asked that the user sees, with their answer: a file for a spreadsheet."""
        check = self.get_object(request, unquote(object_id))
        answers = selectors.safety_answers_for_export(check=check, scope=self.branch_scope(request))
        header = [
            gettext("branch"),
            gettext("name"),
            gettext("email"),
            gettext("phone"),
            gettext("prefecture"),
            gettext("Managing Consultant"),
            gettext("answer"),
            gettext("note"),
            gettext("answered"),
            gettext("answered through"),
            gettext("support request"),
        ]

        def lines():
            writer = csv.writer(_Echo())
            yield "\ufeff"  # a spreadsheet then reads the file as UTF-8 (Japanese names)
            yield writer.writerow(header)
            for answer in answers:
                profile = getattr(answer.alt, "alt_profile", None)
                mc = profile.managing_consultant if profile is not None else None
                answered = format_datetime(answer.answered_at) if answer.answered_at else ""
                row = [
                    answer.branch.name,
                    answer.alt.display_name,
                    answer.alt.email,
                    answer.alt.phone,
                    answer.prefecture_name,
                    mc.display_name if mc else "",
                    answer.get_status_display(),
                    answer.note,
                    answered,
                    answer.get_channel_display() if answer.channel else "",
                    answer.support_request.reference if answer.support_request_id else "",
                ]
                yield writer.writerow([csv_cell(value) for value in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="safety-check-{check.pk}.csv"'
        return response

    def close_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        check = self.get_object(request, unquote(object_id))
        scope = self.branch_scope(request)
        if not (
            self.has_change_permission(request, check) and selectors.safety_check_may_close(scope=scope, check=check)
        ):
            self.message_user(
                request,
                gettext("This check covers other branches too: it is closed by whoever started it or national staff."),
                messages.ERROR,
            )
        elif services.safety_check_close(check=check, by=request.user):
            self.log_change(request, check, [{"changed": {"fields": ["closed"]}}])
            self.message_user(request, gettext("The safety check is closed. Its links no longer answer."))
        else:
            self.message_user(request, gettext("The safety check was already closed."), messages.INFO)
        return HttpResponseRedirect(self._url("change", check.pk))

    # --- well-being check-ins ---

    def wellbeing_view(self, request):
        """Check-in averages per branch: never a name, no figure for fewer than WELLBEING_MIN_ANSWERS answers."""
        if not request.user.has_perm(WELLBEING_PERMISSION) or self.branch_scope(request).is_empty:
            raise Http404("Not found")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Well-being check-ins"),
            "rows": selectors.wellbeing_summary(scope=self.branch_scope(request)),
            "minimum": settings.WELLBEING_MIN_ANSWERS,
            "months": settings.WELLBEING_CHECKIN_MONTHS,
        }
        return TemplateResponse(request, "admin/safety/safetycheck/wellbeing.html", context)

    def changelist_view(self, request, extra_context=None):
        extra = {"wellbeing_url": self._url("wellbeing") if request.user.has_perm(WELLBEING_PERMISSION) else ""}
        return super().changelist_view(request, {**extra, **(extra_context or {})})
