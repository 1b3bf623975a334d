"""Each staff role logs in through the real login form and lands on its worklist, on a phone (390 px) and a
laptop (1280 px); a line opens the filtered admin list; the admin's header fetches the counts after the page."""

import pytest
from playwright.sync_api import expect

from .worklist_world import build_world, everyone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}

# The section headings each role sees (and none of the others).
SECTIONS = {
    "mc_tokyo": ["Support requests", "My ALTs"],
    "staff_tokyo": ["Support requests"],
    "trainer_tokyo": ["My training sessions"],
    "grm": ["Support requests", "Recruiting and placement"],
    "sesps": ["Initial orientation"],
}
ALL_SECTIONS = {
    "Support requests",
    "My ALTs",
    "My training sessions",
    "Recruiting and placement",
    "Initial orientation",
}


@pytest.fixture
def world(request, tokyo, osaka, grm, sesps, applicant):
    return build_world(tokyo=tokyo, osaka=osaka, people=everyone(request), grm=grm, applicant=applicant)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("person", list(SECTIONS))
def test_each_role_lands_on_its_worklist(request, new_page, live_server, browser_login, world, person):
    user = request.getfixturevalue(person)
    for screen in (PHONE, LAPTOP):
        page = new_page(**screen)
        browser_login(page, user.email)
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
        headings = page.get_by_role("heading", level=2)
        expect(headings).to_have_text(SECTIONS[person])
        for other in ALL_SECTIONS - set(SECTIONS[person]):
            expect(page.get_by_role("heading", name=other, exact=True)).to_have_count(0)
        assert fits_the_screen(page), screen["viewport"]


def test_the_mc_opens_a_line_and_finds_its_rows_in_the_admin(new_page, live_server, browser_login, world, mc_tokyo):
    page = new_page(**PHONE)
    browser_login(page, mc_tokyo.email)
    rows = world.branches["tokyo"]
    [reference] = rows.assigned_mc
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    page.get_by_role("link", name="Unassigned in my branch").click()
    expect(page).to_have_url(f"{live_server.url}/admin/support/supportrequest/?assignee=none&desk=branch&state=open")
    table = page.locator("#result_list tbody")
    expect(table.locator("tr")).to_have_count(len(rows.unassigned))
    for unassigned in rows.unassigned:
        expect(table).to_contain_text(unassigned)
    # Back in the admin, the header has the counts too, fetched after the page.
    nav = page.locator(".worklist-nav")
    expect(nav).to_contain_text("Unassigned 2")
    expect(nav).to_contain_text("Handovers 1")
    assert fits_the_screen(page)
    nav.get_by_role("link", name="Overdue 1").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(rows.overdue[0])
    page.locator(".worklist-nav").get_by_role("link", name="My worklist").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_the_trainer_takes_the_roll_of_todays_session_from_the_worklist(
    new_page, live_server, browser_login, world, trainer_tokyo
):
    page = new_page(**PHONE)
    browser_login(page, trainer_tokyo.email)
    today = page.locator('[data-line="sessions_today"]')
    expect(today).to_contain_text(world.branches["tokyo"].sessions_today[0])
    today.get_by_role("link", name="Take attendance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.branches["tokyo"].sessions_today[0])


def test_the_worklist_in_japanese(new_page, live_server, browser_login, world, grm):
    page = new_page(**LAPTOP)
    browser_login(page, grm.email)
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("業務リスト")
    expect(page.get_by_role("heading", level=2)).to_have_text(["生活サポート", "採用・配属"])
    expect(page.get_by_text("同じステージで14日を超えて止まっている配属（応募〜配属調整中）")).to_be_visible()
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator(".worklist-nav")).to_contain_text("停滞中の配属 1")


def test_without_javascript_the_admin_header_links_the_worklist(
    browser, browser_context_args, live_server, browser_login, world, staff_tokyo
):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False}, **LAPTOP)
    try:
        page = context.new_page()
        browser_login(page, staff_tokyo.email)
        page.goto(f"{live_server.url}/admin/")
        nav = page.locator(".worklist-nav")
        expect(nav).to_have_text("My worklist")
        nav.get_by_role("link", name="My worklist").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
    finally:
        context.close()
