"""List filters the support admins share."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts.models import StaffRole
from contacts.selectors import branch_scope_for_user

from .. import selectors


class PeriodFilter(admin.SimpleListFilter):
    """From now on by default (rows whose `ends_at` is to come): the past fills up, the list starts with today."""

    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("past", _("Past")), ("all", _("All"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("From now on"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        if self.value() == "all":
            return queryset
        return queryset.filter(ends_at__gt=now)


# --- the worklist's lines (support.selectors.worklist counts the same rows) -------------------------


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", pgettext_lazy("support request", "Open")),
            ("waiting_long", _("Waiting on the ALT for more than 5 days")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(selectors.open_q())
        if self.value() == "waiting_long":
            return queryset.filter(selectors.waiting_on_alt_long_q(now=timezone.now()))
        return queryset


class DeskFilter(admin.SimpleListFilter):
    """Whose queue: the branches where the user is MC or scheduler, or GRM's desk. Offered by role."""

    title = _("desk")
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        scope = branch_scope_for_user(user=request.user)
        choices = []
        if scope.branches_for(selectors.QUEUE_ROLES) or request.user.is_superuser:
            choices.append(("branch", _("My branch's queue")))
        if StaffRole.Role.GRM in scope.roles or request.user.is_superuser:
            choices.append(("grm", _("GRM's desk (asked before a branch was confirmed)")))
        return choices

    def queryset(self, request, queryset):
        if self.value() == "branch":
            return queryset.filter(selectors.branch_queue_q(user=request.user))
        if self.value() == "grm":
            return queryset.filter(selectors.grm_desk_q())
        return queryset
