"""Screens and accessibility, on the demo data (seed_demo), each page visited once:

- every admin list shows all its columns on a 1280 px laptop; on a 390 px phone the main lists scroll
  inside their own box, never the page;
- no ALT page scrolls sideways on a phone, nor breaks a phone number over two lines, in English and Japanese;
- axe-core (vendored in static/vendor/axe-core) finds no serious or critical violation on the ALT pages, the
  login and password-reset pages, and the admin's index and main lists;
- the navigation marks the current page (aria-current).

Screenshots go to pytest-playwright's output folder (--output, test-results/ by default): admin-1280/,
admin-390/, alt-1280-en/, alt-1280-ja/, alt-390-en/, alt-390-ja/. Look at them after a change of layout."""

from io import StringIO

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .fit_pages import (
    ADMIN_MAIN_LISTS,
    DEMO_PASSWORD,
    LAPTOP,
    PHONE,
    admin_changelists,
    alt_pages,
    axe_violations,
    result_table_overflow,
    screenshot_dir,
    sideways_overflow,
    wrapped_phone_numbers,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=StringIO())
    settings.DEBUG = False


# Full pages as JPEG: Chromium takes about twice as long over a long page's PNG, and the screenshots are for
# people to look at.
SHOT = {"full_page": True, "type": "jpeg", "quality": 80}


def _report(found: dict) -> str:
    return "\n".join(f"{page}: {problems}" for page, problems in found.items())


def test_admin_lists_fit_a_laptop_scroll_in_their_box_on_a_phone_and_pass_axe(
    demo, new_page, live_server, browser_login, pytestconfig
):
    # bypass_csp: axe-core is added to the page as a script of its own.
    page = browser_login(new_page(viewport=LAPTOP, bypass_csp=True), "admin@example.com", DEMO_PASSWORD)
    main_lists = {reverse(name) for name in ADMIN_MAIN_LISTS}
    found = {}
    page.goto(live_server.url + reverse("admin:index"))
    if violations := axe_violations(page):
        found["/admin/"] = violations

    folder = screenshot_dir(pytestconfig, "admin-1280")
    for name, path in admin_changelists().items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(path=folder / f"{name}.jpg", **SHOT)
        overflow = result_table_overflow(page)
        if overflow["scroll"] > 0 or overflow["table"] > 0:
            found[path] = overflow
        if path in main_lists and (violations := axe_violations(page)):
            found[f"{path} (axe)"] = violations
    assert found == {}, _report(found)

    # On a phone the main lists scroll inside their own box; the page itself does not move sideways.
    folder = screenshot_dir(pytestconfig, "admin-390")
    page.set_viewport_size(PHONE)
    for name in ADMIN_MAIN_LISTS:
        page.goto(live_server.url + reverse(name))
        page.screenshot(path=folder / f"{name.removeprefix('admin:')}.jpg", **SHOT)
        assert result_table_overflow(page)["scroll"] == 0, name
        box = page.locator("#changelist-form .results")
        assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_alt_pages_fit_a_phone_keep_phone_numbers_whole_and_pass_axe(
    demo, new_page, live_server, browser_login, pytestconfig, language
):
    """Each page at 1280 px (a screenshot; in English axe-core too: the laptop shows the navigation's links,
    folded into the menu on a phone), then at 390 px (sideways scroll, phone numbers, a screenshot)."""
    page = browser_login(
        new_page(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True),
        "alt.tokyo@example.com",
        DEMO_PASSWORD,
    )
    if language == "ja":  # from the phone's menu
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="日本語").click()
        expect(page.locator("html")).to_have_attribute("lang", "ja")
    laptop = screenshot_dir(pytestconfig, f"alt-1280-{language}")
    phone = screenshot_dir(pytestconfig, f"alt-390-{language}")
    found = {}
    for name, path in alt_pages().items():
        page.set_viewport_size(LAPTOP)
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=laptop / f"{name}.jpg", **SHOT)
        if language == "en" and (violations := axe_violations(page)):
            found[f"{path} (axe)"] = violations
        page.set_viewport_size(PHONE)
        page.screenshot(path=phone / f"{name}.jpg", **SHOT)
        overflow = sideways_overflow(page)
        if overflow["scroll"] > 0 or overflow["past"]:
            found[path] = overflow
        if wrapped := wrapped_phone_numbers(page):
            found[f"{path} (phone numbers over two lines)"] = wrapped
    assert found == {}, _report(found)


def test_no_serious_violation_on_the_login_and_password_reset_pages(new_page, live_server, alt_tokyo):
    key = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(alt_tokyo), "key": default_token_generator.make_token(alt_tokyo)},
    )
    page = new_page(viewport=LAPTOP, bypass_csp=True)
    found = {}
    for path in [
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("account_reset_password_done"),
        key,
    ]:
        response = page.goto(live_server.url + path)  # the key redirects to the form that sets the new password
        assert response.status == 200, path
        if violations := axe_violations(page):
            found[path] = violations
    assert found == {}, _report(found)


def test_the_navigation_marks_the_current_page(new_page, live_server, browser_login, alt_tokyo):
    page = browser_login(new_page(viewport=LAPTOP), "alt.tokyo@example.com")
    navigation = page.get_by_role("navigation", name="Main")
    for path, link in [("/", "Home"), ("/training/past/", "Training"), ("/support/new/", "Support requests")]:
        page.goto(live_server.url + path)
        current = navigation.locator('[aria-current="page"]')
        expect(current).to_have_count(1)
        expect(current).to_contain_text(link)
    page.goto(live_server.url + reverse("contacts:profile"))
    expect(navigation.locator('[aria-current="page"]')).to_have_count(0)
