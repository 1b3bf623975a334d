"""The arrival checklist in the admin: each ALT's steps, and the MC's list of steps past due."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.scoping import BranchScopedAdminMixin

from ..checklist import REMIND_DAYS_BEFORE
from ..models import ChecklistItem
from ..selectors import checklist_items_past_due_q


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "past_due"

    def lookups(self, request, model_admin):
        return [("yes", _("Past due")), ("soon", _("Due in the next 3 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(checklist_items_past_due_q(today=today))
        if self.value() == "soon":
            return queryset.filter(
                done_at__isnull=True, due_on__gte=today, due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE)
            )
        return queryset


class MyAltsFilter(admin.SimpleListFilter):
    title = _("managing consultant")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("My ALTs"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(alt__alt_profile__managing_consultant=request.user)
        return queryset


@admin.register(ChecklistItem)
class ChecklistItemAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    """Read-only: the ALT ticks their own steps. `?past_due=yes&mine=yes` is an MC's list of steps past due."""

    branch_lookup = "alt__alt_profile__branch"
    list_display = ["alt", "alt_email", "kind", "due_on", "due_state", "done_at"]
    list_filter = [
        DueFilter,
        MyAltsFilter,
        "kind",
        ("done_at", admin.EmptyFieldListFilter),
        ("alt__alt_profile__branch", RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["alt"]
    search_fields = ["alt__email", "alt__first_name", "alt__last_name"]
    ordering = ["due_on", "alt__last_name", "id"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("email"), ordering="alt__email")
    def alt_email(self, obj):
        return obj.alt.email

    @admin.display(description=_("state"))
    def due_state(self, obj):
        if obj.done_at:
            return gettext("Done")
        if obj.is_past_due:
            return format_html('<strong class="checklist-past-due">{}</strong>', gettext("Past due"))
        return gettext("Open")
