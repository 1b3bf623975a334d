"""'New reply' in a browser: staff answer in the admin; the ALT sees the mark on /support/, on the dashboard and
in the navigation; opening the request takes it away (the page marks itself read). Then the same the other
way round for staff. And the request form on a phone: the form first, what to have ready folded below it."""

import re

import pytest
from playwright.sync_api import expect

from testing.support import SupportRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def test_new_reply_appears_and_clears_on_both_sides(page, new_page, live_server, browser_login, alt_tokyo, staff_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Opening a bank account", assignee=staff_tokyo)
    reference = support_request.reference
    browser_login(page, "alt.tokyo@example.com")
    page.goto(f"{live_server.url}/support/")
    expect(page.get_by_role("row", name=re.compile("Opening a bank account"))).not_to_contain_text("New reply")
    expect(page.locator("#nav-new-replies")).to_have_text("")

    # Staff answer in the admin.
    staff = new_page()
    browser_login(staff, "staff.tokyo@example.com")
    staff.goto(f"{live_server.url}/admin/support/supportrequest/")
    staff.get_by_role("link", name=reference).click()
    staff.get_by_label("Reply or note").fill("The post office bank by the station is the easiest. Bring your card.")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".messagelist")).to_contain_text("Reply sent to the ALT")

    # The ALT sees it marked, with a count in the navigation, on the list and the dashboard.
    page.goto(f"{live_server.url}/support/")
    expect(page.get_by_role("row", name=re.compile("Opening a bank account"))).to_contain_text("New reply")
    expect(page.get_by_role("link", name=re.compile("Support requests"))).to_contain_text("1")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#support-card-recent")).to_contain_text("New reply")

    # Opening the request: the new message is marked there, and the page marks the request read by itself.
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text("The post office bank by the station")).to_be_visible()
    expect(page.locator("#thread")).to_contain_text("New reply")
    expect(page.locator("#mark-read")).to_have_count(0)
    expect(page.locator("#nav-new-replies")).to_have_text("")
    page.goto(f"{live_server.url}/support/")
    expect(page.get_by_role("row", name=re.compile("Opening a bank account"))).not_to_contain_text("New reply")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("New reply")).to_have_count(0)

    # The ALT answers: staff see it marked in their list, and under "ALT replied".
    page.goto(f"{live_server.url}/support/{support_request.pk}/")
    page.get_by_label("Message").fill("Thank you, I will go tomorrow morning.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Your message was sent.")).to_be_visible()
    staff.goto(f"{live_server.url}/admin/support/supportrequest/?alt_replied=new")
    expect(staff.get_by_role("row", name=re.compile(reference))).to_contain_text("New reply")
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_text("Thank you, I will go tomorrow morning.")).to_be_visible()
    expect(staff.locator("#mark-read")).to_have_count(0)
    staff.goto(f"{live_server.url}/admin/support/supportrequest/?alt_replied=new")
    expect(staff.get_by_role("link", name=reference)).to_have_count(0)


def test_without_javascript_the_alt_marks_it_read_with_the_button(
    new_page, live_server, browser_login, alt_tokyo, staff_tokyo
):
    from support.services import support_request_staff_save

    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Health insurance card")
    support_request_staff_save(
        support_request=support_request, changed_fields=[], by=staff_tokyo, expected_version=1, reply="It is posted."
    )
    page = new_page(java_script_enabled=False)
    browser_login(page, "alt.tokyo@example.com")
    page.goto(f"{live_server.url}/support/{support_request.pk}/")
    page.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    page.goto(f"{live_server.url}/support/")
    expect(page.get_by_role("row", name=re.compile("Health insurance card"))).not_to_contain_text("New reply")


def test_on_a_phone_the_form_comes_first_and_what_to_have_ready_folds_below_it(
    new_page, live_server, browser_login, alt_tokyo
):
    phone = new_page(**PHONE)
    browser_login(phone, "alt.tokyo@example.com")
    phone.goto(f"{live_server.url}/support/new/")
    guidance = phone.locator("#category-help")
    category = phone.get_by_label("Category")
    assert category.bounding_box()["y"] < phone.get_by_label("Subject").bounding_box()["y"]
    assert phone.get_by_role("button", name="Send request").bounding_box()["y"] < guidance.bounding_box()["y"]
    expect(guidance).not_to_have_attribute("open", "")
    category.select_option(label="Doctor or medical")
    expect(phone.get_by_text("health insurance card")).not_to_be_visible()
    guidance.locator("summary").click()
    expect(phone.get_by_text("health insurance card")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_laptop_what_to_have_ready_is_beside_the_form(page, live_server, browser_login, alt_tokyo):
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, "alt.tokyo@example.com")
    page.goto(f"{live_server.url}/support/new/")
    guidance = page.locator("#category-help")
    expect(guidance).to_have_attribute("open", "")
    assert guidance.bounding_box()["x"] > page.get_by_label("Subject").bounding_box()["x"]
    page.get_by_label("Category").select_option(label="Bank account")
    expect(page.get_by_text("personal seal (hanko)")).to_be_visible()
    expect(page.get_by_text("health insurance card")).not_to_be_visible()
