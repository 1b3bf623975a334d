"""The admin's history pages (django-simple-history) as a person reads them, in their language.

simple_history shows each change as the stored values: "NEW → URGENT", "None",
a raw timestamp. `ReadableHistoryMixin` (before SimpleHistoryAdmin in an admin's
bases) shows the choice's label ("New" / "新規"), "—" for nothing, dates in the
portal's format (core.formats), yes/no for a box, and the related record by name.
The list's own words come from templates/simple_history/ (the project's catalogue:
simple_history ships no Japanese).
"""

from datetime import date, datetime
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext
from simple_history.template_utils import HistoricalRecordContextHelper

from core.formats import format_date, format_datetime

NOTHING = "—"


def readable(field, value: Any) -> Any:
    """A stored value as a person reads it: the choice's label, "—" for nothing, a date in the portal's format."""
    if value is None or value == "":
        return NOTHING
    if getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return value


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        return readable(self.model._meta.get_field(change.field), value)


class ReadableHistoryMixin:
    """For a SimpleHistoryAdmin: changes shown with labels, not stored values."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The columns of `history_list_display` too, as labels (the template shows `readable_columns`).
        fields = [self.model._meta.get_field(name) for name in self.get_history_list_display(request)]
        for record in historical_records:
            record.readable_columns = [
                readable(field, getattr(record, field.name) if field.is_relation else getattr(record, field.attname))
                for field in fields
            ]
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)

    def render_history_view(self, request, template, context, **kwargs):
        labels = [capfirst(self.model._meta.get_field(name).verbose_name) for name in context["history_list_display"]]
        context["history_column_labels"] = labels
        return super().render_history_view(request, template, context, **kwargs)

    def history_view_title(self, request, obj):
        # Django's own words (translated in its catalogue), not simple_history's "View history".
        return gettext("Change history: %s") % obj
