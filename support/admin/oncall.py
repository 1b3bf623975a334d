"""Each branch's on-call rota: who answers urgent requests out of office hours."""

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import Branch
from contacts.scoping import BranchScopedAdminMixin
from core.admin import LightChangelistMixin
from core.formats import format_datetime

from .. import selectors, services
from ..forms import OnCallShiftAdminForm
from ..models import OnCallShift
from .filters import PeriodFilter

# The changelist warns about the nights and weekends nobody covers in this window.
GAP_WINDOW = timedelta(days=14)
GAPS_SHOWN = 5


@admin.register(OnCallShift)
class OnCallShiftAdmin(BranchScopedAdminMixin, LightChangelistMixin, admin.ModelAdmin):
    form = OnCallShiftAdminForm
    list_display = ["starts_display", "ends_display", "person", "phone", "branch"]
    list_display_links = ["starts_display"]
    list_filter = [PeriodFilter, ("branch", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["person", "branch"]
    date_hierarchy = "starts_at"
    ordering = ["starts_at"]
    search_fields = ["person__first_name", "person__last_name", "person__email", "phone"]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=pgettext_lazy("on-call shift", "from"), ordering="starts_at")
    def starts_display(self, obj):
        return format_datetime(obj.starts_at)

    @admin.display(description=pgettext_lazy("on-call shift", "to"), ordering="ends_at")
    def ends_display(self, obj):
        return format_datetime(obj.ends_at)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "person":
            # Of the people the user may see (the scoping), the MCs and schedulers of their branches.
            scope = self.branch_scope(request)
            candidates = selectors.on_call_candidates(branch_ids=None if scope.all_branches else scope.branch_ids)
            field.queryset = field.queryset.filter(pk__in=candidates.values("pk")).order_by("first_name", "last_name")
        return field

    def save_model(self, request, obj, form, change):
        # The form checked under the branch's lock, held until this save commits (the admin saves in a
        # transaction): the service's own check finds the same.
        services.on_call_shift_save(shift=obj)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self._warn_about_gaps(request)
        return super().changelist_view(request, extra_context)

    def _warn_about_gaps(self, request) -> None:
        scope = self.branch_scope(request)
        if scope.is_empty:
            return
        now = timezone.now()
        branch_ids = Branch.objects.values("pk") if scope.all_branches else scope.branch_ids
        for branch, gaps in selectors.rota_gaps(branch_ids=branch_ids, start=now, end=now + GAP_WINDOW):
            shown = ", ".join(f"{format_datetime(begin)}–{format_datetime(end)}" for begin, end in gaps[:GAPS_SHOWN])
            more = len(gaps) - GAPS_SHOWN
            text = _("%(branch)s: nobody is on call out of hours in the next 14 days at %(gaps)s.") % {
                "branch": branch.name,
                "gaps": shown + (f" (+{more})" if more > 0 else ""),
            }
            self.message_user(request, text, messages.WARNING)
