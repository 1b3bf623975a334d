"""Browser journeys: GRM confirms a placement and the MC acknowledges the handover; an ALT's
checklist step past due appears on the MC's list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import AltProfile
from onboarding.models import ChecklistItem, Handover, Stage
from onboarding.services import checklist_create_for_alt
from testing.contacts import make_alt
from testing.onboarding import PlacementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grm_confirms_a_placement_and_the_mc_acknowledges_the_handover(
    page, live_server, browser_login, applicant, grm, tokyo, mc_tokyo
):
    placement = PlacementFactory(
        alt=applicant, stage=Stage.PLACEMENT, owner=grm, departure_date=timezone.localdate() + timedelta(days=40)
    )

    # GRM: what the MC needs to know, then PLACEMENT -> CONFIRMED with Tokyo.
    browser_login(page, "grm@example.com")
    page.goto(f"{live_server.url}/admin/onboarding/placement/{placement.pk}/change/")
    page.locator("#id_arrival_flight").fill("NH 10, Narita, 15:20")
    page.locator("#id_housing_status").select_option("ARRANGING")
    page.locator("#id_orientation_track").select_option("ALTERNATE")
    page.locator("#id_notes_for_mc").fill("Vegetarian. Would like a school near a station.")
    page.locator("#id_stage").select_option("CONFIRMED")
    page.locator("#id_branch").select_option(label="Tokyo")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("the MC received the handover")
    assert AltProfile.objects.get(user=applicant).orientation_track == "ALTERNATE"

    # GRM sees the handover waiting.
    page.goto(f"{live_server.url}/admin/onboarding/handover/")
    page.locator("#changelist-filter").get_by_role("link", name="Waiting for acknowledgement").click()
    expect(page.locator("#result_list")).to_contain_text("alt.applicant@example.com")
    page.context.clear_cookies()

    # The MC: the handover is in their list; they read it and acknowledge it.
    browser_login(page, "mc.tokyo@example.com")
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Handovers to the MC").first.click()
    page.locator("#changelist-filter").get_by_role("link", name="Handed to me").click()
    page.locator("#result_list").get_by_role("link", name="alt.applicant@example.com").click()
    expect(page.get_by_text("NH 10, Narita, 15:20")).to_be_visible()
    expect(page.get_by_text("Vegetarian. Would like a school near a station.")).to_be_visible()
    expect(page.locator(".field-details")).to_contain_text("Alternate")
    page.get_by_role("button", name="Acknowledge the handover").click()
    expect(page.locator(".messagelist")).to_contain_text("Handover acknowledged")
    expect(page.get_by_role("button", name="Acknowledge the handover")).to_have_count(0)
    handover = Handover.objects.get(placement=placement)
    assert handover.acknowledged_by == mc_tokyo
    page.context.clear_cookies()

    # GRM: no longer waiting.
    browser_login(page, "grm@example.com")
    page.goto(f"{live_server.url}/admin/onboarding/handover/?state=waiting")
    expect(page.locator("#changelist")).not_to_contain_text("alt.applicant@example.com")


def test_a_step_past_due_appears_on_the_mcs_list(page, live_server, browser_login, tokyo, mc_tokyo):
    alt = make_alt(branch=tokyo, mc=mc_tokyo, email="new.tokyo@example.com")
    someone_else = make_alt(branch=tokyo, email="other.tokyo@example.com")
    for person, days_ago in ((alt, 20), (someone_else, 20)):
        PlacementFactory(
            alt=person,
            stage=Stage.ARRIVED,
            branch=tokyo,
            arrival_date=timezone.localdate() - timedelta(days=days_ago),
        )
        checklist_create_for_alt(alt_id=person.pk)
    ChecklistItem.objects.filter(alt=alt, kind="MEET_MC").update(done_at=timezone.now())

    # The ALT sees it on their dashboard.
    browser_login(page, "new.tokyo@example.com", password="correct-horse-battery")
    expect(page.get_by_test_id("checklist-past-due")).to_contain_text("Register your address at city hall")
    page.context.clear_cookies()

    # The MC filters the checklist to their ALTs' steps past due.
    browser_login(page, "mc.tokyo@example.com")
    page.goto(f"{live_server.url}/admin/onboarding/checklistitem/")
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name="Past due").click()
    filters.get_by_role("link", name="My ALTs").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="Register your address at city hall")).to_contain_text("new.tokyo@example.com")
    expect(page.locator("#result_list")).not_to_contain_text("other.tokyo@example.com")
    expect(page.locator("#result_list")).not_to_contain_text("Meet your Managing Consultant")
    expect(rows.first).to_contain_text("Past due")
