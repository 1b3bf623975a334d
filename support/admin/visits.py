"""A branch's visits by day: staff going with ALTs to the city hall, the bank, the doctor."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts.scoping import BranchScopedAdminMixin
from core.admin import LightChangelistMixin
from core.formats import format_datetime, format_time

from .. import selectors, services
from ..forms import VisitAdminForm
from ..models import Visit
from .filters import PeriodFilter


@admin.register(Visit)
class VisitAdmin(BranchScopedAdminMixin, LightChangelistMixin, admin.ModelAdmin):
    """Scheduled from a request ("Schedule a visit" on its page). Branch MCs and schedulers see their branch's
    visits; anyone else of a branch (a trainer) the visits they go on."""

    form = VisitAdminForm
    list_display = [
        "starts_display",
        "ends_display",
        "reference",
        "alt_name",
        "meeting_point",
        "staff",
        "status",
        "clash_display",
    ]
    list_display_links = ["starts_display"]
    list_filter = [PeriodFilter, "status", ("branch", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["support_request", "support_request__alt", "staff"]
    date_hierarchy = "starts_at"
    ordering = ["starts_at"]
    search_fields = ["support_request__reference", "meeting_point", "staff__first_name", "staff__last_name"]
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ["support_request"]
    readonly_fields = ["alt_answer", "created_by"]
    fieldsets = [
        (
            None,
            {"fields": ["support_request", "starts_at", "ends_at", "meeting_point", "staff", "status", "seen_version"]},
        ),
        (_("The ALT's answer"), {"fields": ["alt_answer", "created_by"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(has_clash=selectors.visit_clash_annotation())
        scope = self.branch_scope(request)
        if scope.all_branches or request.user.is_superuser:
            return queryset
        desks = scope.branches_for(selectors.QUEUE_ROLES)
        return queryset.filter(Q(branch_id__in=desks) | Q(staff_id=request.user.pk))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["support_request", "starts_at", "ends_at", "meeting_point", "staff"]})]
        return super().get_fieldsets(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("staff", request.user.pk)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "staff":
            # Of the people the user may see (the scoping), those who handle requests: who may go.
            field.queryset = field.queryset.filter(pk__in=selectors.support_handlers().values("pk")).order_by(
                "first_name", "last_name"
            )
        return field

    @admin.display(description=_("starts"), ordering="starts_at")
    def starts_display(self, obj):
        return format_datetime(obj.starts_at)

    @admin.display(description=_("ends"), ordering="ends_at")
    def ends_display(self, obj):
        return format_time(obj.ends_at)

    @admin.display(description=_("request"))
    def reference(self, obj):
        return obj.support_request.reference

    @admin.display(description=_("ALT"))
    def alt_name(self, obj):
        return obj.support_request.alt.display_name

    @admin.display(description=_("double booked"), boolean=False)
    def clash_display(self, obj):
        if getattr(obj, "has_clash", False):
            return format_html('<strong class="support-overdue">{}</strong>', _("another visit at the same time"))
        return ""

    @admin.display(description=_("the ALT's answer"))
    def alt_answer(self, obj):
        if obj.alt_answered_at is None:
            return "—"
        when = format_datetime(obj.alt_answered_at)
        return f"{when} · {obj.get_status_display()}" + (f" · {obj.alt_note}" if obj.alt_note else "")

    def save_model(self, request, obj, form, change):
        if change:
            services.visit_update(visit=obj, changed_fields=form.changed_data, by=request.user)
        else:
            created = services.visit_schedule(
                support_request=obj.support_request,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                meeting_point=obj.meeting_point,
                staff=obj.staff,
                by=request.user,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
        for clash in selectors.visit_clashes(
            staff_id=obj.staff_id, starts_at=obj.starts_at, ends_at=obj.ends_at, exclude_pk=obj.pk
        ):
            self.message_user(
                request,
                _("%(name)s has another visit at the same time: %(reference)s, %(start)s.")
                % {
                    "name": obj.staff.display_name,
                    "reference": clash.support_request.reference,
                    "start": format_datetime(clash.starts_at),
                },
                messages.WARNING,
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # Not yet rendered (a TemplateResponse): a message added now is shown on this page.
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and any(getattr(v, "has_clash", False) for v in changelist.result_list):
            self.message_user(
                request,
                _("Someone on this page has two visits at the same time (see “double booked”)."),
                messages.WARNING,
            )
        return response
