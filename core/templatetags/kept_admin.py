"""`{% kept_result_list cl %}`: the admin's `{% result_list cl %}`, each row's cells kept (core.versions).

Django's changelist renders each cell of each row with its own lookups and
formatting, most of a list page's time. A ModelAdmin whose rows belong to an
ALT names the lookup of that ALT's id (`kept_rows_by = "alt_id"`): each row's
cells are then kept under the ALT's token (any write of the row or of what it
shows of that ALT renews it), everyone's and the staff token (names of staff),
per viewer, language, columns and the list's filters (the links carry them).
The rows themselves are still read on every request.
"""

import hashlib

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, items_for_result, result_headers, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils.translation import get_language

from core import versions

register = template.Library()


def _kept_rows(cl, user_id) -> list | None:
    lookup = getattr(cl.model_admin, "kept_rows_by", None)
    if cl.formset or lookup is None or not versions.enabled():
        return None
    shape = "|".join(
        (
            get_language(),
            str(user_id),
            ",".join(map(str, cl.list_display)),
            ",".join(map(str, cl.list_display_links or ())),
            cl.preserved_filters or "",
            str(cl.is_popup),
            str(cl.to_field or ""),
        )
    )
    # A digest: the filters come from the address, of any length.
    shape = hashlib.sha256(shape.encode()).hexdigest()[:32]
    label = cl.opts.label_lower
    return versions.kept_each(
        cl.result_list,
        tokens=[versions.token_key(versions.EVERYONE), versions.token_key("staff")],
        tokens_of=lambda row: [versions.token_key(versions.alt(getattr(row, lookup)))],
        key_of=lambda row: f"admin-row:{label}:{row.pk}:{shape}",
        build=lambda row: list(items_for_result(cl, row, None)),
    )


def kept_result_list(context, cl):
    rows = _kept_rows(cl, context["request"].user.pk)
    if rows is None:
        return result_list(cl)
    # What Django's result_list gives its template (no formset here), with the rows' cells as kept.
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": [ResultList(None, cells) for cells in rows],
    }


@register.tag(name="kept_result_list")
def kept_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=kept_result_list, template_name="change_list_results.html", takes_context=True
    )
