"""An ALT logs in, reads their support team, switches to Japanese and logs out."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alt_reads_support_team_switches_language_and_logs_out(
    page, live_server, browser_login, alt_tokyo, staff_tokyo, trainer_tokyo, sesps
):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    browser_login(page, "alt.tokyo@example.com")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_text("Your branch: Tokyo")).to_be_visible()
    team_card = page.locator("section", has=page.get_by_role("heading", name="My support team"))
    expect(team_card).to_contain_text("090-0000-1999")

    page.get_by_role("link", name="My support team").first.click()
    expect(page.get_by_role("heading", name="My support team", level=1)).to_be_visible()
    expect(page.get_by_text("staff.tokyo@example.com")).to_be_visible()
    expect(page.get_by_text("sesps@example.com")).to_be_visible()

    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="サポートチーム", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/**")
    page.goto(live_server.url + "/contacts/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/contacts/")
