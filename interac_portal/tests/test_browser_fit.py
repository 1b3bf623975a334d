"""Screens: every admin list shows all its columns on a 1280 px laptop; on a 390 px phone an admin list
scrolls inside its own box and no ALT page scrolls sideways, in English and in Japanese. Screenshots
go to pytest-playwright's output folder (test-results/fit/ by default)."""

from io import StringIO

import pytest
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


def test_every_admin_list_shows_all_its_columns_on_a_laptop_and_scrolls_in_its_box_on_a_phone(
    demo, new_page, live_server, browser_login, pytestconfig
):
    folder = screenshot_dir(pytestconfig, "admin-1280")
    page = browser_login(new_page(viewport=LAPTOP), "admin@example.com", DEMO_PASSWORD)
    too_wide = {}
    for name, path in admin_changelists().items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        overflow = result_table_overflow(page)
        if overflow["scroll"] > 0 or overflow["table"] > 0:
            too_wide[path] = overflow
    assert too_wide == {}, "\n".join(f"{path}: {overflow}" for path, overflow in too_wide.items())

    # On a phone the widest lists scroll inside their own box; the page itself does not move sideways.
    folder = screenshot_dir(pytestconfig, "admin-390")
    page.set_viewport_size(PHONE)
    for name in ADMIN_MAIN_LISTS:
        page.goto(live_server.url + reverse(name))
        page.screenshot(path=folder / f"{name.removeprefix('admin:')}.png", full_page=True)
        assert result_table_overflow(page)["scroll"] == 0, name
        box = page.locator("#changelist-form .results")
        assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_alt_page_scrolls_sideways_on_a_phone_nor_breaks_a_phone_number(
    demo, new_page, live_server, browser_login, pytestconfig, language
):
    folder = screenshot_dir(pytestconfig, f"alt-390-{language}")
    page = browser_login(
        new_page(viewport=PHONE, is_mobile=True, has_touch=True), "alt.tokyo@example.com", DEMO_PASSWORD
    )
    if language == "ja":  # from the phone's menu
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="日本語").click()
        page.wait_for_url(lambda url: True)
        expect(page.locator("html")).to_have_attribute("lang", "ja")
    sideways = {}
    for name, path in alt_pages().items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        page.screenshot(path=folder / f"{name}.png", full_page=True)
        overflow = sideways_overflow(page)
        if overflow["scroll"] > 0 or overflow["past"]:
            sideways[path] = overflow
        if wrapped := wrapped_phone_numbers(page):
            sideways[path] = {"phone numbers over two lines": wrapped}
    assert sideways == {}
