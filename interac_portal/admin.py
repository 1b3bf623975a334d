"""The checklist steps ALTs asked help with, each beside the support request it led to."""

from django.contrib import admin
from django.db.models import Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts.scoping import BranchScopedAdminMixin
from core.admin import ReadOnlyAdminMixin

from .models import ChecklistHelp
from .selectors import request_for_ask


@admin.register(ChecklistHelp)
class ChecklistHelpAdmin(BranchScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    branch_lookup = "item__alt__alt_profile__branch"
    list_display = ["alt", "step", "asked_at", "support_request", "step_done"]
    list_select_related = ["item__alt"]
    list_filter = ["item__kind"]
    search_fields = ["item__alt__email", "item__alt__last_name"]
    ordering = ["-asked_at", "-id"]
    show_full_result_count = False
    list_per_page = 50
    fields = ["alt", "step", "category", "subject", "asked_at", "support_request"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(request_pk=Subquery(request_for_ask()), request_reference=Subquery(request_for_ask("reference")))
        )

    @admin.display(description=_("ALT"), ordering="item__alt__last_name")
    def alt(self, obj):
        return obj.item.alt

    @admin.display(description=_("step"), ordering="item__kind")
    def step(self, obj):
        return obj.item.get_kind_display()

    @admin.display(description=_("step done"), boolean=True)
    def step_done(self, obj):
        return obj.item.done_at is not None

    @admin.display(description=_("support request"))
    def support_request(self, obj):
        pk = getattr(obj, "request_pk", None)
        if pk is None:
            return "—"
        url = reverse("admin:support_supportrequest_change", args=[pk])
        return format_html('<a href="{}">{}</a>', url, obj.request_reference)
