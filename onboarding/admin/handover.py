"""Handovers from GRM to the MC: the MC reads and acknowledges them (one click); GRM sees which wait."""

from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contacts.scoping import BranchScopedAdminMixin
from core.admin import ReadOnlyAdminMixin
from core.formats import format_datetime

from ..models import Handover
from ..selectors import HANDOVER_WAITING as WAITING
from ..selectors import handover_sections
from ..services import HandoverRefused, handover_acknowledge, handover_may_acknowledge


class HandoverStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting for acknowledgement")),
            ("overdue", _("Waiting past due")),
            ("acknowledged", _("Acknowledged")),
            ("called_off", _("Called off")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "waiting":
            return queryset.filter(WAITING)
        if value == "overdue":
            return queryset.filter(WAITING, due_at__lt=timezone.now())
        if value == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        if value == "called_off":
            return queryset.filter(cancelled_at__isnull=False)
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("mine")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("received", _("Handed to me")), ("given", _("Handed over by me"))]

    def queryset(self, request, queryset):
        if self.value() == "received":
            return queryset.filter(mc=request.user)
        if self.value() == "given":
            return queryset.filter(grm_owner=request.user)
        return queryset


@admin.register(Handover)
class HandoverAdmin(BranchScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A record, not a form: it changes only by the MC's acknowledgement (`acknowledge_view`)."""

    branch_lookup = "branch"
    change_form_template = "admin/onboarding/handover/change_form.html"
    list_display = ["reference", "alt_name", "branch", "mc", "grm_owner", "created", "due_at", "state"]
    list_display_links = ["reference", "alt_name"]
    list_filter = [HandoverStateFilter, MineFilter, ("branch", RelatedOnlyFieldListFilter)]
    list_select_related = ["placement__alt", "branch", "mc", "grm_owner"]
    search_fields = ["placement__alt__email", "placement__alt__first_name", "placement__alt__last_name"]
    ordering = ["-created", "-id"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    fields = [
        "placement_link",
        "alt_name",
        "branch",
        "mc",
        "grm_owner",
        "created",
        "due_at",
        "state",
        "acknowledged_by",
        "acknowledged_at",
        "details",
    ]
    readonly_fields = fields

    def get_urls(self):
        return [
            path(
                "<path:object_id>/acknowledge/",
                self.admin_site.admin_view(self.acknowledge_view),
                name="onboarding_handover_acknowledge",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["may_acknowledge"] = (
            obj is not None and obj.is_waiting and handover_may_acknowledge(handover=obj, user=request.user)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def acknowledge_view(self, request, object_id):
        return require_POST(self._acknowledge)(request, object_id)

    def _acknowledge(self, request, object_id):
        handover = self.get_object(request, unquote(object_id))  # 404 outside the user's branches
        change_url = reverse("admin:onboarding_handover_change", args=[handover.pk])
        try:
            acknowledged = handover_acknowledge(handover=handover, by=request.user)
        except HandoverRefused as refused:
            messages.error(request, refused.args[0] if refused.args else gettext("Not allowed."))
            return HttpResponseRedirect(change_url)
        if acknowledged:
            messages.success(request, gettext("Handover acknowledged. GRM can see it."))
        else:
            # A second click (or a colleague's): nothing changes, and no error.
            messages.info(
                request,
                gettext("Already acknowledged by %(person)s on %(when)s.")
                % {
                    "person": handover.acknowledged_by.display_name if handover.acknowledged_by else "—",
                    "when": format_datetime(handover.acknowledged_at),
                },
            )
        return HttpResponseRedirect(change_url)

    @admin.display(description=_("reference"), ordering="id")
    def reference(self, obj):
        return str(obj)

    @admin.display(description=_("ALT"), ordering="placement__alt__last_name")
    def alt_name(self, obj):
        alt = obj.placement.alt
        # The address on a line of its own: the list keeps all its columns on a laptop.
        return format_html("{}<br>&lt;{}&gt;", alt.display_name, alt.email)

    @admin.display(description=_("placement"))
    def placement_link(self, obj):
        url = reverse("admin:onboarding_placement_change", args=[obj.placement_id])
        return format_html('<a href="{}">{}</a>', url, obj.placement)

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.cancelled_at:
            return gettext("Called off")
        if obj.acknowledged_at:
            return gettext("Acknowledged")
        if obj.is_overdue:
            return format_html('<strong class="handover-overdue">{}</strong>', gettext("Waiting, past due"))
        return gettext("Waiting")

    @admin.display(description=_("what is handed over"))
    def details(self, obj):
        sections = handover_sections(handover=obj)
        return format_html_join(
            "",
            '<h3 class="handover-section">{}</h3><ul>{}</ul>',
            (
                (section.title, format_html_join("", "<li>{}</li>", ((line,) for line in section.lines)))
                for section in sections
            ),
        )
