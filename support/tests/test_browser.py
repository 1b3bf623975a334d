"""An ALT sends an urgent request with a PDF; Tokyo staff reply and resolve it in the admin;
the ALT sees the reply and the status; Osaka staff cannot find it."""

import re

import pytest
from playwright.sync_api import expect

from support.models import SupportRequest

from .factories import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_urgent_request_with_a_pdf_is_answered_and_resolved_by_its_branch_only(
    page, new_page, live_server, browser_login, alt_tokyo, staff_tokyo, staff_osaka
):
    # The ALT asks for help.
    browser_login(page, "alt.tokyo@example.com")
    page.goto(f"{live_server.url}/support/new/")
    page.get_by_label("Category").select_option(label="Doctor or medical")
    expect(page.get_by_text("health insurance card")).to_be_visible()
    page.get_by_label("Subject").fill("High fever, need a clinic")
    page.get_by_label("Details").fill("I have had a fever of 39 degrees since last night.")
    page.get_by_label("Urgency").select_option(label="Urgent")
    expect(page.locator("#urgent-note")).to_contain_text("090-0000-1999")
    page.get_by_label("Attachment").set_input_files(
        files=[{"name": "referral.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"SR-\d{4}-\d{6}", reference)
    expect(page.get_by_role("alert")).to_contain_text("090-0000-1999")
    support_request = SupportRequest.objects.get(reference=reference)
    assert support_request.attachments.get().original_name == "referral.pdf"

    # Tokyo staff find it at the top of their list, reply and resolve it.
    staff = new_page()
    browser_login(staff, "staff.tokyo@example.com")
    staff.goto(f"{live_server.url}/admin/support/supportrequest/")
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("link", name="referral.pdf")).to_be_visible()
    staff.get_by_label("Reply or note").fill("Please go to Kudan Clinic today; they speak English. Take your card.")
    staff.get_by_label("Status").select_option(label="Resolved")
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".messagelist")).to_contain_text("Reply sent to the ALT")

    # The ALT sees the reply and the status.
    page.goto(f"{live_server.url}/support/{support_request.pk}/")
    expect(page.get_by_text("Please go to Kudan Clinic today")).to_be_visible()
    expect(page.locator("#request-status")).to_contain_text("Resolved")
    expect(page.get_by_role("button", name="Reopen this request")).to_be_visible()

    # Osaka staff can neither find nor open it.
    osaka = new_page()
    browser_login(osaka, "staff.osaka@example.com")
    osaka.goto(f"{live_server.url}/admin/support/supportrequest/?q={reference}")
    expect(osaka.get_by_text("0 results")).to_be_visible()
    expect(osaka.get_by_role("link", name=reference)).to_have_count(0)
    response = osaka.goto(f"{live_server.url}/admin/support/supportrequest/{support_request.pk}/change/")
    assert response.status == 404
    response = osaka.goto(
        f"{live_server.url}/support/{support_request.pk}/files/{support_request.attachments.get().pk}/"
    )
    assert response.status == 404


def test_staff_open_a_request_for_an_alt_who_phoned(page, new_page, live_server, browser_login, alt_tokyo, staff_tokyo):
    # Tokyo staff take the call and open the request in the admin.
    browser_login(page, "staff.tokyo@example.com")
    page.goto(f"{live_server.url}/admin/support/supportrequest/add/")
    page.get_by_label("ALT").select_option(value=str(alt_tokyo.pk))
    page.get_by_label("Category").select_option(label="Housing")
    page.get_by_label("Subject").fill("No hot water")
    page.get_by_label("Details").fill("Called at 9: the water heater shows error 12.")
    page.locator('input[name="_save"]').click()
    support_request = SupportRequest.objects.get()
    expect(page.locator(".messagelist")).to_contain_text(support_request.reference)
    expect(page).to_have_url(re.compile(rf"/admin/support/supportrequest/{support_request.pk}/change/$"))

    # The ALT finds it in the portal, opened for them.
    alt_page = new_page()
    browser_login(alt_page, "alt.tokyo@example.com")
    alt_page.goto(f"{live_server.url}/support/")
    expect(alt_page.get_by_role("row", name=re.compile("No hot water"))).to_be_visible()
    alt_page.get_by_role("link", name=support_request.reference).click()
    expect(alt_page.locator("#opened-by")).to_contain_text("opened for you by")
