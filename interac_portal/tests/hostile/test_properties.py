"""Property-based tests: generated values in every admin form (add and change), both CSV imports, every admin
list filter and the ALT's forms. Whatever is sent: no answer of 500 or more, a refused form saves nothing,
and what is saved keeps to the portal's rules (dates in range, no NUL characters).

The admins are discovered (every registered ModelAdmin), so a new one is tried without being listed here.
Example counts and seeds come from the Hypothesis profile in the root conftest.py (few, and always the same).
"""

import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from contacts.models import AltProfile, User
from core.adminsite import FORM_KEY, version_field_name
from core.dates import in_range
from onboarding.models import Placement, PlacementEvent
from support.models import Message, SupportRequest
from testing.forms import posted_version
from training.models import Registration

from .forms_data import form_data, hostile_date, hostile_text, hostile_value

PROJECT_APPS = {"core", "contacts", "onboarding", "training", "support"}
ADMINS = sorted(f"{m._meta.label}" for m in admin.site._registry)


def _counts() -> dict:
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS | {"auth", "account"} and not m._meta.proxy
    }


def _saved_rows_keep_the_rules(model) -> list[str]:
    """Rows of `model` with a date out of range or a NUL character in a text: what no form may save.
    (Read in Python: SQLite's LIKE stops at a NUL, and PostgreSQL refuses one in a query.)"""
    fields = [
        f
        for f in model._meta.concrete_fields
        if (isinstance(f, models.DateField) and f.editable) or isinstance(f, models.CharField | models.TextField)
    ]
    problems = []
    for row in model._base_manager.values_list(*[f.attname for f in fields]):
        for field, value in zip(fields, row, strict=True):
            if isinstance(value, str) and "\x00" in value:
                problems.append(f"{field}: a NUL character")
            elif isinstance(field, models.DateField) and value is not None and not in_range(value):
                problems.append(f"{field}: {value}")
    return problems


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    return request


def _inline_management(model_admin, request, obj) -> dict:
    data = {}
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        initial = formset(instance=obj, prefix=prefix).initial_form_count() if obj is not None else 0
        data.update({f"{prefix}-TOTAL_FORMS": str(initial), f"{prefix}-INITIAL_FORMS": str(initial)})
        for index, instance in enumerate(formset(instance=obj, prefix=prefix).get_queryset()[:initial]):
            data[f"{prefix}-{index}-id"] = str(instance.pk)
            data[f"{prefix}-{index}-{formset.fk.name}"] = str(obj.pk)
    return data


def _known_ids(form_class) -> dict:
    """For each choice of a row: a few ids that exist, so that some examples pick real rows."""
    from django import forms

    return {
        name: [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:4]]
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None
    }


def _failure(response) -> str:
    exc = getattr(response, "exc_info", None)
    return f"{response.status_code}: {exc[1]!r}" if exc else str(response.status_code)


# --- every admin form ----------------------------------------------------------------------------------


def _check_posts(client, url, model, strategy, *, extra, obj=None):
    """Post each generated form: never 500; refused, nothing saved (nor `obj` changed); saved, the rules hold."""

    @given(data=strategy, key=st.uuids())
    def post(data, key):
        with transaction.atomic():
            counts = _counts()
            row = model_to_dict(model._base_manager.get(pk=obj.pk)) if obj is not None else None
            response = client.post(url, {**data, **extra(key)})
            assert response.status_code < 500, _failure(response)
            if response.status_code != 302:
                assert _counts() == counts, "a refused form saved something"
                if obj is not None:
                    assert model_to_dict(model._base_manager.get(pk=obj.pk)) == row, "a refused form changed the row"
            assert _saved_rows_keep_the_rules(model) == []
            transaction.set_rollback(True)

    post()


@pytest.mark.parametrize("label", ADMINS)
def test_an_admin_add_form_saves_or_refuses_and_never_fails(label, rows, superuser):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    client = _client(superuser)
    request = _request(superuser)
    if not model_admin.has_add_permission(request):
        counts = _counts()
        assert client.post(url, {}).status_code == 403
        assert _counts() == counts
        return
    form_class = model_admin.get_form(request, None)
    fields = {name: field for name, field in form_class.base_fields.items() if name != FORM_KEY}
    fixed = _inline_management(model_admin, request, None)
    strategy = form_data(fields, choices=_known_ids(form_class), fixed=fixed)
    _check_posts(client, url, model, strategy, extra=lambda key: {FORM_KEY: str(key)})


@pytest.mark.parametrize("label", ADMINS)
def test_an_admin_change_form_saves_or_refuses_and_never_fails(label, rows, superuser):
    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    request = _request(superuser)
    obj = model_admin.get_queryset(request).order_by("pk").first()
    assert obj is not None, f"give the world a {label} row to change"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    client = _client(superuser)
    if not model_admin.has_change_permission(request, obj):
        row = model_to_dict(obj)
        assert client.post(url, {}).status_code == 403
        assert model_to_dict(model._base_manager.get(pk=obj.pk)) == row
        return
    form_class = model_admin.get_form(request, obj, change=True)
    version = version_field_name(model)
    fields = {name: field for name, field in form_class.base_fields.items() if name != version}
    fixed = _inline_management(model_admin, request, obj)
    strategy = form_data(fields, choices=_known_ids(form_class), fixed=fixed)
    _check_posts(client, url, model, strategy, obj=obj, extra=lambda key: posted_version(obj) if version else {})


# --- every list filter ---------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ADMINS)
def test_an_admin_list_answers_a_page_or_a_400_whatever_its_filters_are_given(label, rows, superuser):
    model = apps.get_model(label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client = _client(superuser)
    page = client.get(url)
    if page.status_code != 200:
        return
    changelist = page.context_data["cl"]
    names = ["q", "o", "p"] + [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if changelist.date_hierarchy:
        names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]

    @given(params=st.dictionaries(st.sampled_from(names), hostile_value, min_size=1, max_size=3))
    def get(params):
        response = client.get(url, params)
        assert response.status_code < 500, _failure(response)

    get()


# --- the CSV imports -----------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    "email", "first_name", "last_name", "preferred_language", "phone", "country", "stage", "branch", "owner",
    "departure_date", "arrival_date", "note",
]  # fmt: skip
FITTING_CELLS = {
    "email": st.emails().map(str.lower),
    "preferred_language": st.sampled_from(["en", "ja", ""]),
    "stage": st.sampled_from(["APPLIED", "OFFERED", "CONFIRMED", "ARRIVED", ""]),
    "branch": st.sampled_from(["tokyo", "osaka", ""]),
    "owner": st.sampled_from(["grm@example.com", ""]),
    "departure_date": hostile_date,
    "arrival_date": hostile_date,
}


def _cell(column) -> st.SearchStrategy[str]:
    return st.one_of(FITTING_CELLS.get(column, hostile_text), hostile_text, hostile_value)


def _csv_text(rows: list[dict]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("resource", ["0", "1"], ids=["placements", "alt-accounts"])
def test_an_import_saves_a_good_file_and_nothing_of_a_bad_one(resource, world, grm):
    client = _client(grm)
    row = st.fixed_dictionaries({column: _cell(column) for column in IMPORT_COLUMNS})

    @given(rows=st.lists(row, min_size=1, max_size=3))
    def upload(rows):
        with transaction.atomic():
            before = _counts()
            file = SimpleUploadedFile("file.csv", _csv_text(rows).encode("utf-8", "surrogatepass"), "text/csv")
            response = client.post(
                reverse("admin:onboarding_placement_import"), {"resource": resource, "format": "0", "import_file": file}
            )
            assert response.status_code < 500, _failure(response)
            assert _counts() == before, "the preview saved something"
            context = response.context or {}
            if response.status_code == 200 and context.get("confirm_form") is not None:
                form = context["confirm_form"]
                confirmed = client.post(
                    reverse("admin:onboarding_placement_process_import"),
                    {name: form.initial.get(name, "") for name in form.fields},
                )
                assert confirmed.status_code < 500, _failure(confirmed)
            for model in (User, AltProfile, Placement, PlacementEvent):
                assert _saved_rows_keep_the_rules(model) == []
            transaction.set_rollback(True)

    upload()


# --- the ALT's own forms -------------------------------------------------------------------------------


def test_the_alts_forms_save_or_refuse_and_never_fail(world):
    from support.forms import ReplyForm, SupportRequestForm
    from training.forms import WithdrawForm

    alt = world.people["owner"]
    client = _client(alt)
    forms_to_try = [
        (reverse("support:new"), SupportRequestForm.base_fields, {}),
        (reverse("support:reply", args=[world.request.pk]), ReplyForm.base_fields, {}),
        (reverse("training:withdraw", args=[world.registered_session.pk]), WithdrawForm.base_fields, {}),
    ]

    for url, fields, fixed in forms_to_try:
        _alt_form_property(client, url, fields, fixed)()


def _alt_form_property(client, url, fields, fixed):
    @given(data=form_data(dict(fields), fixed=fixed), token=st.uuids())
    def post(data, token):
        with transaction.atomic():
            before = _counts()
            response = client.post(url, {**data, "submit_token": data.get("submit_token") or str(token)})
            assert response.status_code < 500, _failure(response)
            if response.status_code >= 400:
                assert _counts() == before, f"{url}: a refused form saved something"
            for model in (SupportRequest, Message, Registration):
                assert _saved_rows_keep_the_rules(model) == []
            transaction.set_rollback(True)

    return post


def test_the_uuid_key_of_an_add_form_is_new_each_time(client_for, superuser):
    url = reverse("admin:contacts_branch_add")
    pages = [client_for(superuser).get(url).content.decode() for _ in range(2)]
    keys = [page.split(f'name="{FORM_KEY}" value="')[1].split('"')[0] for page in pages]
    assert keys[0] != keys[1] and all(uuid.UUID(key) for key in keys)
