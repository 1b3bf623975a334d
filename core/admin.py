"""Admin base classes: changelists that stay fast on large tables, read-only admins and inlines.

`EstimatedCountPaginator`: Django's paginator counts every row of the list on
every page. Up to `exact_up_to` rows the count is exact (a capped count that
stops reading there); past that, PostgreSQL's planner estimate is shown, which
costs no table read. `LightChangelistMixin` renders the row checkbox as plain
HTML instead of through the form-widget templates, and links the rows from one
reversed URL instead of a `reverse()` per row and linked column.
`KeptChangelistMixin` keeps a list's content (its filters, rows and pages)
under version tokens (core.versions) while no row it may show was written.
"""

import hashlib
import json

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from . import versions
from .jinja2 import mark_csrf, with_csrf

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


# Around the content of a list as rendered to be kept (templates/admin/change_list.html); taken out after.
KEPT_START, KEPT_END = "<!--kept-changelist-->", "<!--/kept-changelist-->"


class _KeptChangeList:
    """What the page around a kept list reads of the changelist (its breadcrumbs: `cl.opts`)."""

    formset = None

    def __init__(self, opts):
        self.opts = opts


class KeptChangelistMixin:
    """A changelist whose content (search, filters, rows, pages, actions) is kept while no row it may show changed.

    `kept_list_models` names, as labels ("support.SupportRequest"), every model
    whose rows the list shows or filters by: the content is kept under their
    tokens (`core.versions.model_token`, renewed by any write of one of their
    rows), everyone's and the staff token (users, roles, groups, permissions),
    per viewer, language, time zone and query string, and for at most the
    clock's step (what the clock alone changes, an overdue request, shows
    within five minutes). The page around it (header, messages, footer) is
    rendered at each request, with the request's own CSRF field; the
    permission to view the list is checked at each request too. A list that
    answers anything but its page (a redirect for a bad filter) is never kept.
    `changelist_extra(cl)`: more context for the list's template, given before
    it is rendered (and kept with it).
    """

    kept_list_models: tuple[str, ...] = ()

    def changelist_extra(self, changelist) -> dict:
        return {}

    def changelist_view(self, request, extra_context=None):
        if not self._keeps_list(request, extra_context):
            return self._built_changelist(request, extra_context)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        built = {}

        def build():
            built["response"] = response = self._built_changelist(request, {"kept_marks": True})
            return _take_kept_content(response)

        part = versions.kept(self._kept_list_tokens(), self._kept_list_key(request), build)
        if "response" in built:
            return built["response"]
        if part is None:
            return self._built_changelist(request, extra_context)
        return self._kept_changelist(request, part)

    def _built_changelist(self, request, extra_context):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) and response.context_data.get("cl")
        if isinstance(changelist, ChangeList):
            response.context_data.update(self.changelist_extra(changelist))
        return response

    def _keeps_list(self, request, extra_context) -> bool:
        return (
            bool(self.kept_list_models)
            and versions.enabled()
            and request.method == "GET"
            and extra_context is None
            and IS_POPUP_VAR not in request.GET
            and TO_FIELD_VAR not in request.GET
        )

    def _kept_list_tokens(self) -> list[str]:
        names = [versions.EVERYONE, "staff", *(versions.model_token(label) for label in self.kept_list_models)]
        return [versions.token_key(name) for name in names]

    def _kept_list_key(self, request) -> str:
        shape = "|".join(
            (
                str(request.user.pk),
                get_language(),
                timezone.get_current_timezone_name(),
                request.GET.urlencode(),
            )
        )
        # A digest: the query string may be of any length.
        return f"admin-list:{self.opts.label_lower}:{hashlib.sha256(shape.encode()).hexdigest()[:32]}"

    def _kept_changelist(self, request, part: dict):
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            **part["context"],
            "opts": self.opts,
            "cl": _KeptChangeList(self.opts),
            "is_popup": False,
            "to_field": None,
            "media": {name: mark_safe(media) for name, media in part["media"].items()},  # noqa: S308 (as rendered)
            "kept_changelist": with_csrf(request, part["content"]),
        }
        app_label, model_name = self.opts.app_label, self.opts.model_name
        return TemplateResponse(
            request,
            self.change_list_template
            or [
                f"admin/{app_label}/{model_name}/change_list.html",
                f"admin/{app_label}/change_list.html",
                "admin/change_list.html",
            ],
            context,
        )


def _take_kept_content(response) -> dict | None:
    """The content of a rendered list, to be kept (its CSRF field marked), taken out of `response`'s marks."""
    if not isinstance(response, TemplateResponse) or response.status_code != 200:
        return None
    response.render()
    html = response.content.decode(response.charset)
    start, end = html.find(KEPT_START), html.find(KEPT_END)
    if start < 0 or end < start:
        return None
    content = html[start + len(KEPT_START) : end]
    response.content = (html[:start] + content + html[end + len(KEPT_END) :]).encode(response.charset)
    context = response.context_data
    media = context.get("media")
    return {
        "content": mark_csrf(content),
        # What the page around the content reads (its title, styles and scripts).
        "context": {
            "title": str(context.get("title") or ""),
            "subtitle": str(context["subtitle"]) if context.get("subtitle") else None,
            "module_name": str(context.get("module_name") or ""),
            "action_form": bool(context.get("action_form")),
            "actions_on_top": context.get("actions_on_top"),
            "actions_on_bottom": context.get("actions_on_bottom"),
            # django-import-export's list template extends the admin's own, named here.
            "ie_base_change_list_template": context.get("ie_base_change_list_template"),
        },
        "media": {"css": str(media["css"]), "js": str(media["js"])} if media is not None else {"css": "", "js": ""},
    }


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
