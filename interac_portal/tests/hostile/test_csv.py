"""Every CSV the portal writes is data to a spreadsheet: a cell that begins with = + - or @ is escaped.

The exports are found, not listed: every admin's django-import-export formats, and every admin action
whose answer is a CSV file (run over rows whose names were typed to be run as formulas).
"""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse

from core.spreadsheet import FORMULA_STARTS, SafeCSV
from core.spreadsheet import spreadsheet_cell as safe_cell
from onboarding.models import Stage
from testing.contacts import make_alt
from testing.onboarding import EnrolmentFactory, PlacementFactory, make_course

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTab"]


@pytest.fixture
def hostile_alts(tokyo, grm):
    course = make_course(tasks_per_module=(1,), with_quiz=False)
    alts = []
    for n, formula in enumerate(FORMULAS):
        alt = make_alt(branch=tokyo, email=f"=cmd{n}@example.com", country=formula)
        alt.first_name, alt.last_name = formula, formula
        alt.save()
        PlacementFactory(alt=alt, stage=Stage.ARRIVED, branch=tokyo, owner=grm)
        EnrolmentFactory(alt=alt, course=course)
        alts.append(alt)
    return alts


def _cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def _unescaped(cells) -> list[str]:
    return [cell for cell in cells if cell.startswith(FORMULA_STARTS)]


def test_a_cell_a_spreadsheet_would_run_is_escaped_and_others_are_not():
    assert [safe_cell(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [safe_cell(v) for v in ["Ana", "2031-04-01", "a=b", 3, None]] == ["Ana", "2031-04-01", "a=b", 3, ""]


def test_every_import_export_admin_exports_through_the_escaping_format():
    with_export = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model_admin, "get_export_formats")
    ]
    assert with_export, "no admin exports with django-import-export any more: drop this test"
    for model, model_admin in with_export:
        assert all(issubclass(f, SafeCSV) for f in model_admin.get_export_formats()), model._meta.label


def test_the_placement_export_escapes_formulas(client_for, grm, hostile_alts):
    fields = ["email", "first_name", "last_name", "preferred_language", "phone", "country", "stage", "branch", "owner"]
    response = client_for(grm).post(
        reverse("admin:onboarding_placement_export"),
        {"format": "0", "resource": "0", **{f"placementresource_{c}": "on" for c in fields}},
    )
    cells = _cells(response.content)
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'=cmd0@example.com" in cells
    assert _unescaped(cells) == []


def test_every_admin_action_that_answers_a_csv_file_escapes_formulas(superuser, hostile_alts):
    csv_answers = 0
    for model, model_admin in admin.site._registry.items():
        rows = list(model_admin.get_queryset(_request(superuser)).values_list("pk", flat=True)[:50])
        for name, (func, _name, _description) in model_admin.get_actions(_request(superuser)).items():
            if name == "delete_selected":
                continue
            request = _request(superuser, method="post", data={"action": name, ACTION_CHECKBOX_NAME: rows})
            response = func(model_admin, request, model_admin.get_queryset(request).filter(pk__in=rows))
            if response is not None and response.get("Content-Type", "").startswith("text/csv"):
                csv_answers += 1
                assert _unescaped(_cells(response.content)) == [], f"{model._meta.label}.{name}"
    assert csv_answers >= 1  # the e-learning progress export


def _request(user, method="get", data=None):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = getattr(RequestFactory(), method)("/admin/", data or {})
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request
