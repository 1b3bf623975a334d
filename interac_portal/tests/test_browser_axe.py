"""Accessibility: axe-core (vendored in static/vendor/axe-core) finds no serious or critical violation on
the ALT pages, the login and password-reset pages, and the admin's index and main lists (demo data)."""

from io import StringIO

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .fit_pages import ADMIN_MAIN_LISTS, DEMO_PASSWORD, LAPTOP, alt_pages, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


def _walk(page, base: str, paths: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for name, path in paths.items():
        response = page.goto(base + path)
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            found[f"{name} {path}"] = violations
    return found


def _report(found: dict) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in found.items())


def test_no_serious_violation_on_the_login_and_password_reset_pages(demo, new_page, live_server):
    alt = get_user_model().objects.get(email="alt.tokyo@example.com")
    key = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(alt), "key": default_token_generator.make_token(alt)},
    )
    page = new_page(viewport=LAPTOP, bypass_csp=True)
    found = _walk(
        page,
        live_server.url,
        {
            "login": reverse("account_login"),
            "reset": reverse("account_reset_password"),
            "reset-done": reverse("account_reset_password_done"),
            "reset-key": key,  # redirects to the form that sets the new password
        },
    )
    assert found == {}, _report(found)


def test_no_serious_violation_on_the_alt_pages(demo, new_page, live_server, browser_login):
    page = browser_login(new_page(viewport=LAPTOP, bypass_csp=True), "alt.tokyo@example.com", DEMO_PASSWORD)
    found = _walk(page, live_server.url, alt_pages())
    assert found == {}, _report(found)


def test_no_serious_violation_on_the_admin_index_and_main_lists(demo, new_page, live_server, browser_login):
    page = browser_login(new_page(viewport=LAPTOP, bypass_csp=True), "admin@example.com", DEMO_PASSWORD)
    paths = {"index": reverse("admin:index")} | {name: reverse(name) for name in ADMIN_MAIN_LISTS}
    found = _walk(page, live_server.url, paths)
    assert found == {}, _report(found)


def test_the_navigation_marks_the_current_page(demo, new_page, live_server, browser_login):
    page = browser_login(new_page(viewport=LAPTOP), "alt.tokyo@example.com", DEMO_PASSWORD)
    navigation = page.get_by_role("navigation", name="Main")
    for path, link in [("/", "Home"), ("/training/past/", "Training"), ("/support/new/", "Support requests")]:
        page.goto(live_server.url + path)
        current = navigation.locator('[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_contain_text(link)
    page.goto(live_server.url + reverse("contacts:profile"))
    expect(navigation.locator('[aria-current="page"]')).to_have_count(0)
