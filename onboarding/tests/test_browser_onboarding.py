"""GRM confirms an applicant with a branch in the admin; the ALT meets their new support team,
completes the course (failing the quiz once first) and sees the certificate."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import AltProfile
from onboarding.models import Placement, Stage, Task
from onboarding.tasks import send_elearning_invitations
from testing.onboarding import CourseFactory, ModuleFactory, PlacementFactory, TaskFactory, make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(db):
    course = CourseFactory(code="pre-departure", title_en="Before you fly", is_current=True)
    first = ModuleFactory(course=course, order=1, title_en="Life in Japan")
    TaskFactory(module=first, order=1, title_en="Everyday life", body_en="Carry some cash.", body_ja="現金を持ち歩く。")
    TaskFactory(
        module=first,
        order=2,
        kind=Task.Kind.ACKNOWLEDGEMENT,
        title_en="Professional conduct",
        body_en="I will be on time.",
    )
    second = ModuleFactory(course=course, order=2, title_en="Your first days")
    make_quiz(module=second, order=1, title="Check: your first days")
    return course


def test_grm_confirms_then_alt_completes_the_course(
    page, live_server, browser_login, applicant, grm, tokyo, mc_tokyo, staff_tokyo, course
):
    placement = PlacementFactory(
        alt=applicant, stage=Stage.PLACEMENT, owner=grm, departure_date=timezone.localdate() + timedelta(days=20)
    )

    # GRM, in the admin: PLACEMENT -> CONFIRMED with the Tokyo branch.
    browser_login(page, "grm@example.com")
    page.goto(f"{live_server.url}/admin/onboarding/placement/{placement.pk}/change/")
    page.locator("#id_stage").select_option("CONFIRMED")
    page.locator("#id_branch").select_option(label="Tokyo")
    page.locator("#id_note").fill("School confirmed by the board of education")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("Confirmed with Tokyo")
    assert Placement.objects.get(pk=placement.pk).stage == Stage.CONFIRMED
    assert AltProfile.objects.get(user=applicant).managing_consultant == mc_tokyo
    page.context.clear_cookies()

    # The daily task enrols and invites the ALT (departure within 30 days).
    assert send_elearning_invitations() == 1

    # The ALT: their support team is now the Tokyo branch.
    browser_login(page, "alt.applicant@example.com")
    page.goto(f"{live_server.url}/contacts/")
    expect(page.get_by_role("heading", name="My support team", level=1)).to_be_visible()
    expect(page.get_by_text("mc.tokyo@example.com")).to_be_visible()
    expect(page.get_by_text("staff.tokyo@example.com")).to_be_visible()
    expect(page.get_by_text("090-0000-1999").first).to_be_visible()

    # The course: a reading, an acknowledgement, then the quiz.
    page.goto(f"{live_server.url}/onboarding/")
    expect(page.get_by_test_id("stage")).to_have_text("Confirmed")
    expect(page.get_by_text("Overall: 0 of 3 tasks (0%)")).to_be_visible()
    page.get_by_role("link", name="Start: Everyday life").click()
    expect(page.get_by_role("heading", name="Everyday life", level=1)).to_be_visible()
    page.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_role("heading", name="Professional conduct", level=1)).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    page.get_by_label("I have read and understood this.").check()
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Check: your first days", level=1)).to_be_visible()
    page.get_by_label("Wrong").check()
    page.get_by_label("A", exact=True).check()
    page.get_by_label("C", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#quiz-result")).to_contain_text("Not passed yet: you scored 50%")
    # The answers given are still on the form; which one was wrong is not said.
    expect(page.get_by_label("Wrong")).to_be_checked()
    expect(page.get_by_label("A", exact=True)).to_be_checked()
    expect(page.get_by_label("C", exact=True)).to_be_checked()
    expect(page.get_by_text("2 attempts left today.")).to_be_visible()

    page.get_by_label("Right").check()
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", name="Certificate of completion")).to_be_visible()
    expect(page.get_by_text("You passed with 100%.")).to_be_visible()
    expect(page.locator(".certificate")).to_contain_text("Before you fly")
    expect(page.locator(".certificate")).to_contain_text(applicant.display_name)

    page.goto(f"{live_server.url}/onboarding/")
    expect(page.get_by_text("Overall: 3 of 3 tasks (100%)")).to_be_visible()


def test_grm_exports_placements_choosing_the_columns(page, live_server, browser_login, grm, alt_tokyo):
    # The "Select all" box works under the Content-Security-Policy (no inline handler).
    browser_login(page, "grm@example.com")
    page.goto(f"{live_server.url}/admin/onboarding/placement/export/")
    fields = page.locator('.selectable-field-export-row:visible input[type="checkbox"]:not(.select-toggle)')
    expect(fields.first).to_be_checked()
    page.get_by_label("Select all").first.uncheck()
    for index in range(fields.count()):
        expect(fields.nth(index)).not_to_be_checked()
    page.get_by_label("Select all").first.check()
    for index in range(fields.count()):
        expect(fields.nth(index)).to_be_checked()
