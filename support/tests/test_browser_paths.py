"""The paths the company runs support along, walked in a browser: the MC answers first and hands on; an
applicant's question answered by GRM; an urgent request at night with its escalation; a visit that lands in
the ALT's calendar feed."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Notification
from support.due import JAPAN
from support.models import Category, SupportRequest, UrgentAlert, Visit
from support.tasks import escalate_urgent_requests
from testing.support import OnCallShiftFactory, SupportRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _send_request(page, live_server, *, category, subject, details, urgency="Normal"):
    page.goto(f"{live_server.url}/support/new/")
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Details").fill(details)
    page.get_by_label("Urgency").select_option(label=urgency)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    return page.locator("#reference").inner_text().strip()


def test_the_mc_answers_first_and_hands_on_to_a_scheduler(
    page, new_page, live_server, browser_login, alt_tokyo, mc_tokyo, staff_tokyo
):
    browser_login(page, "alt.tokyo@example.com")
    reference = _send_request(
        page, live_server, category="Bank account", subject="Opening a bank account", details="Which bank is near?"
    )
    expect(page.locator("#handled-by")).to_contain_text(mc_tokyo.display_name)

    # The MC finds it among their own requests and hands it on, with a note for the scheduler.
    mc = new_page()
    browser_login(mc, "mc.tokyo@example.com")
    mc.goto(f"{live_server.url}/admin/support/supportrequest/?assignee=me")
    mc.get_by_role("link", name=reference).click()
    mc.get_by_label("Assigned to").select_option(label=f"{staff_tokyo.display_name} — Scheduler")
    mc.get_by_label("Note for the new handler").fill("She starts at Kudan school next week: the post office bank.")
    mc.get_by_role("button", name="Save", exact=True).click()
    expect(mc.locator(".messagelist")).to_contain_text(f"Handed on to {staff_tokyo.display_name}")

    # The scheduler has it now, with the note.
    scheduler = new_page()
    browser_login(scheduler, "staff.tokyo@example.com")
    scheduler.goto(f"{live_server.url}/admin/support/supportrequest/?assignee=me")
    scheduler.get_by_role("link", name=reference).click()
    expect(scheduler.get_by_text("She starts at Kudan school next week")).to_be_visible()

    # The ALT sees who handles it and in which role, never the note.
    page.goto(f"{live_server.url}/support/{SupportRequest.objects.get(reference=reference).pk}/")
    expect(page.locator("#handled-by")).to_contain_text(f"{staff_tokyo.display_name} (Scheduler)")
    expect(page.get_by_text("She starts at Kudan school")).to_have_count(0)


def test_an_applicants_question_is_answered_by_grm_and_branch_staff_never_see_it(
    page, new_page, live_server, browser_login, applicant, grm, staff_tokyo
):
    browser_login(page, "alt.applicant@example.com")
    page.goto(f"{live_server.url}/support/new/")
    expect(page.locator("#grm-note")).to_contain_text("recruiting team (GRM)")
    reference = _send_request(
        page,
        live_server,
        category="Visa and certificate of eligibility",
        subject="When does my certificate of eligibility arrive?",
        details="I sent my documents three weeks ago.",
    )
    expect(page.get_by_text("The recruiting team (GRM) aims to answer")).to_be_visible()

    staff = new_page()
    browser_login(staff, "grm@example.com")
    staff.goto(f"{live_server.url}/admin/support/supportrequest/")
    staff.get_by_role("link", name=reference).click()
    staff.get_by_label("Reply or note").fill(
        "Immigration takes one to three months; we will email you the day it comes."
    )
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff.locator(".messagelist")).to_contain_text("Reply sent to the ALT")

    branch = new_page()
    browser_login(branch, "staff.tokyo@example.com")
    branch.goto(f"{live_server.url}/admin/support/supportrequest/?q={reference}")
    expect(branch.get_by_text("0 results")).to_be_visible()

    page.goto(f"{live_server.url}/support/")
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text("Immigration takes one to three months")).to_be_visible()


def _a_coming_night() -> datetime:
    """22:00 Japan time a few days from now (the browser keeps its real clock: cookies must not expire)."""
    day = timezone.localdate() + timedelta(days=3)
    return datetime.combine(day, time(22, 0), tzinfo=JAPAN)


def test_an_urgent_request_at_night_calls_out_the_person_on_call_then_escalates(
    page, new_page, live_server, browser_login, time_machine, alt_tokyo, tokyo, mc_tokyo, staff_tokyo, sesps
):
    night = _a_coming_night()
    OnCallShiftFactory(
        branch=tokyo,
        person=mc_tokyo,
        starts_at=night - timedelta(hours=4),
        ends_at=night + timedelta(hours=11),
        phone="090-7777-0001",
    )
    OnCallShiftFactory(
        branch=tokyo, person=staff_tokyo, starts_at=night + timedelta(hours=20), ends_at=night + timedelta(hours=35)
    )
    time_machine.move_to(night, tick=True)

    browser_login(page, "alt.tokyo@example.com")
    _send_request(
        page,
        live_server,
        category="Housing",
        subject="Water pouring through the ceiling",
        details="The flat above is flooding into mine.",
        urgency="Urgent",
    )
    on_call = page.locator("#on-call")
    expect(on_call).to_contain_text(f"{mc_tokyo.display_name} is on call and has been alerted")
    expect(on_call).to_contain_text("090-7777-0001")
    expect(page.locator("#urgent-note")).to_contain_text("090-0000-1999")
    expect(page.locator("#urgent-note")).to_contain_text("119")
    assert Notification.objects.filter(kind="support.urgent_call_out", recipient=mc_tokyo).exists()

    # Nobody answers: half an hour later the scheduler (next on the rota) and SESPS are called.
    time_machine.move_to(night + timedelta(minutes=30, seconds=5), tick=True)
    assert escalate_urgent_requests() == 1
    assert escalate_urgent_requests() == 0
    escalations = Notification.objects.filter(kind="support.urgent_escalated")
    assert {n.recipient for n in escalations} == {staff_tokyo, sesps}

    # SESPS takes it from the link in the email, on a phone, without logging in.
    link = re.search(r"https?://\S+/support/urgent/\S+/", escalations.get(recipient=sesps).body).group(0)
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(live_server.url + urlparse(link).path)
    phone.get_by_role("button", name="I am on it: acknowledge").click()
    expect(phone.locator("#ack-status")).to_contain_text("Nobody else will be called")
    alert = UrgentAlert.objects.get()
    assert alert.acknowledged_by == sesps

    # The branch sees who took it.
    staff = new_page()
    browser_login(staff, "staff.tokyo@example.com")
    staff.goto(f"{live_server.url}/admin/support/supportrequest/{alert.support_request_id}/change/")
    expect(staff.get_by_text(f"acknowledged by {sesps.display_name}")).to_be_visible()


def test_a_visit_scheduled_by_staff_is_confirmed_and_lands_in_the_calendar_feed(
    page, new_page, live_server, browser_login, alt_tokyo, staff_tokyo
):
    support_request = SupportRequestFactory(
        alt=alt_tokyo, category=Category.CITY_HALL, subject="Registering my address", assignee=staff_tokyo
    )
    day = timezone.localdate() + timedelta(days=2)

    staff = new_page()
    browser_login(staff, "staff.tokyo@example.com")
    staff.goto(f"{live_server.url}/admin/support/supportrequest/{support_request.pk}/change/")
    staff.get_by_role("link", name="Schedule a visit").click()
    staff.locator("#id_starts_at_0").fill(f"{day:%Y-%m-%d}")
    staff.locator("#id_starts_at_1").fill("10:00:00")
    staff.locator("#id_ends_at_0").fill(f"{day:%Y-%m-%d}")
    staff.locator("#id_ends_at_1").fill("11:30:00")
    staff.get_by_label("Meeting point").fill("Ward office, main entrance")
    staff.get_by_label("Who goes").select_option(label=staff_tokyo.display_name)
    staff.locator('input[name="_save"]').click()
    expect(staff.locator(".messagelist")).to_contain_text("was added successfully")
    visit = Visit.objects.get()

    # The ALT sees it on the dashboard, opens it and confirms.
    browser_login(page, "alt.tokyo@example.com")
    card = page.locator("#support-card-visits")
    expect(card).to_contain_text("Ward office, main entrance")
    card.get_by_role("link").first.click()
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text(staff_tokyo.display_name)
    page.get_by_role("button", name="Confirm this time").click()
    expect(page.locator(f"#visit-{visit.pk} .visit-status")).to_have_text("Confirmed by the ALT")

    # Their calendar link carries it.
    page.goto(f"{live_server.url}/training/")
    page.get_by_role("button", name="Get my calendar link").click()
    feed_path = urlparse(page.locator("#feed-url").input_value()).path
    body = page.request.get(live_server.url + feed_path).text().replace("\r\n ", "")
    assert f"UID:support-visit-{visit.pk}@alt-portal" in body
    assert f"SUMMARY:Going with {staff_tokyo.display_name}: City hall registration" in body
    assert "STATUS:CONFIRMED" in body
