"""Admin base classes: changelists that stay fast on large tables, read-only admins and inlines.

`EstimatedCountPaginator`: Django's paginator counts every row of the list on
every page. Up to `exact_up_to` rows the count is exact (a capped count that
stops reading there); past that, PostgreSQL's planner estimate is shown, which
costs no table read. `LightChangelistMixin` renders the row checkbox as plain
HTML instead of through the form-widget templates, and links the rows from one
reversed URL instead of a `reverse()` per row and linked column.
"""

import json

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext

# Django's own admin string, translated by Django's catalogue: kept out of ours.
django_admin_text = gettext


class EstimatedCountPaginator(Paginator):
    exact_up_to = 1000

    @cached_property
    def count(self):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        capped = queryset.order_by()[: self.exact_up_to + 1].count()
        if capped <= self.exact_up_to:
            return capped
        plan = json.loads(queryset.order_by().explain(format="json"))
        return max(capped, int(plan[0]["Plan"]["Plan Rows"]))


class LightChangeList(ChangeList):
    # Cannot be a value of a primary key: admin's quote() escapes underscores.
    _PK_SLOT = "__pk__"

    @cached_property
    def _change_url(self):
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return reverse(name, args=(self._PK_SLOT,), current_app=self.model_admin.admin_site.name)

    def url_for_result(self, result):
        # What Django's does, reversed once for the page instead of once per link.
        return self._change_url.replace(self._PK_SLOT, str(quote(getattr(result, self.pk_attname))), 1)


class LightChangelistMixin:
    def get_changelist(self, request, **kwargs):
        return LightChangeList

    def action_checkbox(self, obj):
        # The markup of Django's CheckboxInput, without a template render per row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(django_admin_text("Select this object for an action - {}"), str(obj)),
        )


class ReadOnlyAdminMixin:
    """An admin of records that people read and never add, change or delete there (a handover, a link
    between two apps' rows): they change through the app's services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """An inline that shows rows and never adds, changes or deletes them: a history, a thread, a roll.

    Every listed field is read-only; the rows change through the app's services.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)
