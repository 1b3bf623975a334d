"""The admin keeps each branch's rows to that branch, for every admin that holds branch data.

The admins are discovered (every registered ModelAdmin that is a
BranchScopedAdminMixin), so a new one joins these tests without being listed.
The data is the demo (`seed_demo`, which every app extends) plus a few rows it
lacks. "Osaka rows" of an admin are the rows Osaka staff see there and Tokyo
staff do not; each Tokyo staff member (MC, scheduler, trainer) then tries to
reach them through every door of the admin.
"""

import io
import re
from html.parser import HTMLParser
from unittest.mock import patch

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import ForeignKey, ManyToManyField
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import reverse

from contacts.models import Branch, StaffRole, User
from contacts.scoping import BranchScopedAdminMixin
from support.models import CannedReply, Category
from testing.contacts import UserFactory

from .conftest import client_as
from .pages import admin_urls
from .world import db_snapshot, snapshot_diff

TOKYO_STAFF = ["mc.tokyo@example.com", "staff.tokyo@example.com", "trainer.tokyo@example.com"]
OSAKA_STAFF = ["mc.osaka@example.com", "staff.osaka@example.com", "trainer.osaka@example.com"]
# Rows of each admin tried one by one (the changelist, autocomplete and actions take them all).
ROWS_PER_ADMIN = 3


def _scoped_admins():
    found = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, BranchScopedAdminMixin)
    ]
    return sorted(found, key=lambda pair: pair[0]._meta.label)


SCOPED = _scoped_admins()


def _ids(pairs):
    return [model._meta.label for model, _ in pairs]


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", force=True, stdout=io.StringIO())
    branches = {b.code: b for b in Branch.objects.all()}
    # What the demo lacks: a canned reply of each branch's own.
    for code, branch in branches.items():
        CannedReply.objects.create(category=Category.HOUSING, branch=branch, title=f"{code} landlord", body="...")
    return {"branches": branches, "people": {u.email: u for u in User.objects.all()}}


def _request(user, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = User.objects.get(pk=user.pk)  # a fresh object: no cached scope
    return request


def _visible(model_admin, user) -> set:
    return set(model_admin.get_queryset(_request(user)).values_list("pk", flat=True))


def _osaka_rows(model_admin, demo, tokyo_user) -> set:
    osaka = set().union(*(_visible(model_admin, demo["people"][e]) for e in OSAKA_STAFF))
    return osaka - _visible(model_admin, tokyo_user)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _changelist_pks(client, url, params=None) -> tuple[int, set]:
    """Every pk the changelist (all pages) shows; (status, pks)."""
    pks, page = set(), 0
    while True:
        response = client.get(url, {**(params or {}), "p": page + 1} if page else (params or {}))
        if response.status_code != 200:
            return response.status_code, pks
        changelist = response.context["cl"]
        pks |= {obj.pk for obj in changelist.result_list}
        page += 1
        if page >= changelist.paginator.num_pages:
            return 200, pks


# --- the doors, one admin at a time ---------------------------------------------------------


@pytest.mark.parametrize(("model", "model_admin"), SCOPED, ids=_ids(SCOPED))
def test_branch_staff_cannot_reach_another_branchs_rows(model, model_admin, demo):
    tried = 0
    for email in TOKYO_STAFF:
        attacker = demo["people"][email]
        osaka_rows = _osaka_rows(model_admin, demo, attacker)
        assert osaka_rows, (
            f"No {model._meta.label} row is Osaka's and hidden from {email}: add some to the app's demo "
            "(seed_demo) or to the `demo` fixture, so that this admin is really tested."
        )
        client = client_as(attacker)
        pk_name = model._meta.pk.attname

        # Lists: the changelist, a search, and the raw-id lookup popup.
        for params in ({}, {"q": ""}, {"_to_field": pk_name, "_popup": "1"}):
            status, shown = _changelist_pks(client, _url(model, "changelist"), params)
            assert status in (200, 403), (email, params, status)
            assert not shown & osaka_rows, (email, params)

        # One row at a time: change (GET and POST), history, delete (GET and POST), view on site.
        before = db_snapshot()
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        for pk in sorted(osaka_rows)[:ROWS_PER_ADMIN]:
            for method, view, data in [
                ("get", "change", None),
                ("post", "change", {"_save": "Save"}),
                ("get", "history", None),
                ("get", "delete", None),
                ("post", "delete", {"post": "yes"}),
            ]:
                response = getattr(client, method)(_url(model, view, pk), data)
                assert response.status_code == 404, (email, method, view, pk, response.status_code)
            response = client.get(reverse("admin:view_on_site", args=[content_type.pk, pk]))
            assert response.status_code == 404, (email, "view_on_site", pk, response.status_code)
            tried += 1

        # Bulk actions on Osaka's ids, confirmed where the action asks for it.
        # An action that answers with a file (a CSV export) carries a header line at most.
        actions = model_admin.get_actions(_request(attacker))
        for action in actions:
            response = client.post(
                _url(model, "changelist"),
                {"action": action, "_selected_action": sorted(osaka_rows), "index": 0, "post": "yes"},
            )
            if "attachment" in response.get("Content-Disposition", ""):
                lines = [line for line in response.content.decode("utf-8-sig").splitlines() if line.strip()]
                assert len(lines) <= 1, (email, action, lines[:3])
        assert not snapshot_diff(before, db_snapshot()), (email, list(actions))

        # Export (django-import-export), where the admin has it; allowed here even where the role may not
        # export, to show that the rows would be the branch's anyway.
        if hasattr(model_admin, "get_export_queryset"):
            with patch.object(type(model_admin), "has_export_permission", lambda self, request: True):
                exported = _export_text(client, model)
            own = model_admin.get_queryset(_request(attacker))
            assert set().union(*(_marks(o) for o in own)) <= set(re.findall(r"[\w.+-]+@[\w.-]+", exported))
            foreign = set().union(*(_marks(o) for o in model._default_manager.filter(pk__in=osaka_rows)))
            assert foreign and not {mark for mark in foreign if mark in exported}, (email, foreign)
    assert tried


@pytest.mark.parametrize(("model", "model_admin"), SCOPED, ids=_ids(SCOPED))
def test_form_choices_offer_only_the_staff_members_branch(model, model_admin, demo):
    """Foreign keys to Branch or to a scoped model: select boxes and raw-id inputs accept only what the user sees."""
    for email in TOKYO_STAFF:
        attacker = demo["people"][email]
        request = _request(attacker)
        visible = model_admin.get_queryset(request).first()
        if model_admin.has_add_permission(request):
            form_class = model_admin.get_form(request, None, change=False)
        elif visible is not None and model_admin.has_change_permission(request, visible):
            form_class = model_admin.get_form(request, visible, change=True)
        else:
            continue
        for name, form_field in form_class.base_fields.items():
            if not isinstance(form_field, ModelChoiceField):
                continue
            target = form_field.queryset.model
            target_admin = admin.site._registry.get(target)
            if target is Branch:
                foreign = {demo["branches"]["osaka"].pk}
            elif isinstance(target_admin, BranchScopedAdminMixin):
                foreign = _osaka_rows(target_admin, demo, attacker)
            else:
                continue
            offered = set(form_field.queryset.values_list("pk", flat=True))
            assert not offered & foreign, (email, model._meta.label, name)


def _autocomplete_fields():
    """(source admin, field) pairs whose autocomplete lists a scoped model."""
    pairs = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            field = model._meta.get_field(name)
            if isinstance(field, (ForeignKey, ManyToManyField)):
                target_admin = admin.site._registry.get(field.remote_field.model)
                if isinstance(target_admin, BranchScopedAdminMixin):
                    pairs.append((model, name, target_admin))
    return sorted(pairs, key=lambda p: (p[0]._meta.label, p[1]))


AUTOCOMPLETE = _autocomplete_fields()


@pytest.mark.parametrize(
    ("model", "field_name", "target_admin"),
    AUTOCOMPLETE,
    ids=[f"{m._meta.label}.{f}" for m, f, _ in AUTOCOMPLETE],
)
def test_autocomplete_offers_nothing_of_another_branch(model, field_name, target_admin, demo):
    for email in TOKYO_STAFF:
        attacker = demo["people"][email]
        foreign = {str(pk) for pk in _osaka_rows(target_admin, demo, attacker)}
        client = client_as(attacker)
        for term in ("", "a", "e", "osaka", "example"):
            page = 1
            while True:
                response = client.get(
                    reverse("admin:autocomplete"),
                    {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                     "field_name": field_name, "term": term, "page": page},
                )  # fmt: skip
                if response.status_code != 200:
                    assert response.status_code in (403, 404), response.status_code
                    break
                body = response.json()
                offered = {r["id"] for r in body["results"]}
                assert not offered & foreign, (email, term)
                if not body["pagination"]["more"]:
                    break
                page += 1


def test_every_scoped_admin_is_tested():
    """The discovery finds the admins we know of; new ones join by themselves."""
    labels = set(_ids(SCOPED))
    assert {
        "contacts.User",
        "contacts.AltProfile",
        "support.SupportRequest",
        "training.TrainingSession",
        "onboarding.Placement",
        "onboarding.Enrolment",
        "safety.SafetyCheck",
    } <= labels


# Admins without the branch scoping, and why that is safe: no role but the national ones (who see
# every branch anyway) holds a permission on them, or none at all (superusers only).
UNSCOPED = {
    "account.EmailAddress": "superusers only",
    "auth.Group": "superusers only",
    "contacts.Notification": "superusers only (the outbox)",
    "onboarding.Course": "national course content: SESPS and GRM",
    "onboarding.Module": "national course content: SESPS and GRM",
    "onboarding.Task": "national course content: SESPS and GRM",
    "onboarding.Question": "national course content: SESPS and GRM",
    "support.CounterCard": "national content (cards to show at a counter): SESPS and GRM",
}


def test_an_admin_without_the_branch_scoping_is_one_no_branch_role_can_open(db):
    """django-helpdesk's leak was an admin that forgot the scoping: a new admin cannot, without this list knowing."""
    from django.apps import apps

    from contacts.roles import collect_role_permissions

    granted = collect_role_permissions(apps.get_app_configs())
    national = {StaffRole.Role.SESPS, StaffRole.Role.GRM}
    unscoped = {}
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, BranchScopedAdminMixin):
            continue
        meta = model._meta
        codes = {f"{meta.app_label}.{action}_{meta.model_name}" for action in ("view", "add", "change", "delete")}
        unscoped[meta.label] = {role for role, perms in granted.items() if codes & set(perms)}
    assert set(unscoped) == set(UNSCOPED), "a new admin without BranchScopedAdminMixin: scope it, or list it here"
    for label, roles in unscoped.items():
        assert roles <= national, f"{label} is unscoped but {sorted(roles - national)} may open it"


def test_an_unknown_filter_in_the_export_url_is_not_a_server_error(demo):
    """A hand-made export URL used to answer 500 (django-import-export lets the lookup error through)."""
    grm = client_as(demo["people"]["grm@example.com"])
    response = grm.get(reverse("admin:onboarding_placement_export"), {"language": "ja"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert grm.get(reverse("admin:onboarding_placement_export")).status_code == 200


# --- people who must not be in the admin at all ------------------------------------------------


def _no_admin(client, urls) -> dict:
    wrong = {}
    for url in urls:
        if url.startswith(("/admin/login/", "/admin/logout/")):
            continue
        response = client.get(url, follow=True)
        if response.status_code != 404:
            wrong[url] = response.status_code
    return wrong


def test_alts_cannot_enter_the_admin(demo):
    urls = admin_urls()
    assert len(urls) > 40
    for email in ("alt.tokyo@example.com", "alt.applicant@example.com"):
        assert not _no_admin(client_as(demo["people"][email]), urls), email


def test_staff_without_a_branch_see_nothing(demo):
    """is_staff and every view permission, but no role: no admin page, and every scoped queryset is empty."""
    loner = UserFactory(email="loner@example.com", is_staff=True)
    loner.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    assert not StaffRole.objects.filter(user=loner).exists()
    assert not _no_admin(client_as(loner), admin_urls())
    for model, model_admin in SCOPED:
        assert not model_admin.get_queryset(_request(loner)).exists(), model._meta.label


# --- export -------------------------------------------------------------------------------


class _Form(HTMLParser):
    """The export form's fields as the browser would send them (every field checkbox ticked)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and self._select not in self.data:
            self.data[self._select] = [attrs.get("value", "")]  # the first choice: CSV, the first resource

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _export_text(client, model) -> str | None:
    """The changelist exported (django-import-export), or None when the page refuses."""
    url = _url(model, "export")
    page = client.get(url)
    if page.status_code != 200:
        return None
    form = _Form()
    form.feed(page.content.decode())
    response = client.post(url, form.data)
    assert "attachment" in response.get("Content-Disposition", ""), response.status_code
    return response.content.decode("utf-8-sig")


def _marks(obj) -> set[str]:
    """Addresses that name the person a row is about, as an export would show them."""
    marks = set()
    for path in ("email", "alt.email", "user.email", "enrolment.alt.email"):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
        if isinstance(value, str) and "@" in value:
            marks.add(value)
    return marks
