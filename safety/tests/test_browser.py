"""The journey: branch staff start a check in the admin; one ALT answers from the email link on a phone,
another taps "I need help" on the dashboard; the staff view shows it without a reload, and the urgent
request is in the branch's list."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import User
from testing.contacts import make_alt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_staff_start_a_check_one_alt_answers_by_email_on_a_phone_another_asks_for_help_on_the_dashboard(
    page, new_page, live_server, browser_login, settings, mailoutbox, alt_tokyo, tokyo, mc_tokyo, staff_tokyo
):
    settings.SAFETY_LIVE_REFRESH_SECONDS = 1
    second = make_alt(branch=tokyo, mc=mc_tokyo, email="alt2.tokyo@example.com", prefecture="13")
    User.objects.filter(pk=second.pk).update(first_name="Nadia", last_name="Second")

    # Tokyo's scheduler starts the check in the admin.
    staff = page
    errors = []  # a script or style refused by the Content Security Policy shows here
    staff.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_login(staff, "staff.tokyo@example.com")
    staff.goto(f"{live_server.url}/admin/safety/safetycheck/add/")
    staff.get_by_label("Title").fill("Earthquake in Tokyo")
    staff.get_by_label("Message").fill("A strong earthquake hit Tokyo at 10:02. Are you safe?")
    expect(staff.get_by_label("Branches")).to_have_values([str(tokyo.pk)])
    staff.locator('input[name="_save"]').click()
    expect(staff.locator(".messagelist")).to_contain_text("is started")
    expect(staff.locator("#safety-counts")).to_contain_text("Tokyo")
    expect(staff.locator("#no-answer")).to_contain_text("Nadia Second")

    # The first ALT answers from the email's link, on a phone, without logging in.
    (email,) = [m for m in mailoutbox if m.to == [alt_tokyo.email]]
    link = re.search(r"http://\S+/safety/a/\S+/", email.body).group(0)
    phone = new_page(**PHONE)
    phone.goto(live_server.url + link.split("8000", 1)[1])
    expect(phone.get_by_role("heading", name="Earthquake in Tokyo")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    phone.get_by_role("button", name="I'm safe").tap()
    expect(phone.locator("#answer")).to_contain_text("Your answer: I'm safe")

    # The second ALT taps "I need help" on the dashboard.
    alt = new_page()
    browser_login(alt, "alt2.tokyo@example.com")
    expect(alt.get_by_role("heading", name="Earthquake in Tokyo")).to_be_visible()
    alt.get_by_label("Note (optional)").fill("My door is jammed; I am on the 5th floor.")
    alt.get_by_role("button", name="I need help").click()
    expect(alt.get_by_role("alert").first).to_contain_text("Your branch has been told that you need help")
    expect(alt.get_by_role("heading", name="Earthquake in Tokyo")).to_have_count(0)

    # The staff view, never reloaded, shows both answers.
    expect(staff.locator("#need-help")).to_contain_text("Nadia Second", timeout=10_000)
    expect(staff.locator("#need-help")).to_contain_text("My door is jammed")
    expect(staff.locator("#no-answer")).to_have_count(0)
    expect(staff.locator("#safety-counts tbody tr").first).to_contain_text("1")
    assert errors == []

    # The urgent request is in the branch's admin list, at the top.
    staff.goto(f"{live_server.url}/admin/support/supportrequest/")
    first_row = staff.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("I need help: Earthquake in Tokyo")
    expect(first_row).to_contain_text("Urgent")
    expect(first_row).to_contain_text("Nadia Second")
