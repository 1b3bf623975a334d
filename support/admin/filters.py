"""List filters the support admins share."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
