"""A SESPS trainer creates a flagship orientation with 2 places in the admin; three ALTs register
(the third is waitlisted); one withdraws; the third gets the place and an email; the trainer
takes attendance on the staff page; the ALT sees it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Flagship orientation, browser intake"


def _local(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def test_orientation_waiting_list_and_attendance_journey(
    page, browser, browser_context_args, live_server, browser_login, sesps, alt_tokyo, alt_osaka, tokyo, mailoutbox
):
    third = make_alt(branch=tokyo, email="alt.third@example.com")
    third.first_name, third.last_name = "Tara", "Third"
    third.save()

    # The SESPS trainer creates the session in the admin.
    browser_login(page, "sesps@example.com")
    page.goto(f"{live_server.url}/admin/training/trainingsession/add/")
    page.get_by_label("Kind").select_option("INITIAL_ORIENTATION")
    page.get_by_label("Track").select_option("FLAGSHIP")
    page.locator("#id_title").fill(TITLE)  # "Title", not "Title (Japanese)"
    now = timezone.now().replace(second=0, microsecond=0)
    for field, moment in (
        ("start", now + timedelta(hours=3)),
        ("end", now + timedelta(hours=6)),
        ("registration_deadline", now + timedelta(hours=2)),
    ):
        day, time = _local(moment)
        page.locator(f"#id_{field}_0").fill(day)
        page.locator(f"#id_{field}_1").fill(time)
    page.get_by_label("Place").fill("Head office training room")
    page.get_by_label("Capacity").fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    session = TrainingSession.objects.get(title=TITLE)
    assert (session.branch, session.capacity, session.trainer) == (None, 2, sesps)

    # Three ALTs register; the third is offered the waiting list.
    alt_pages, contexts = {}, []
    for user in (alt_tokyo, alt_osaka, third):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        alt_page = context.new_page()
        browser_login(alt_page, user.email)
        alt_page.goto(f"{live_server.url}/training/")
        card = alt_page.locator("article", has_text=TITLE)
        if user is third:
            expect(card.get_by_text("This session is full.")).to_be_visible()
            card.get_by_role("button", name="Join the waiting list").click()
            expect(alt_page.get_by_role("alert")).to_contain_text("number 1 on the waiting list")
            expect(alt_page.locator("article", has_text=TITLE)).to_contain_text("On the waiting list (#1)")
        else:
            card.get_by_role("button", name="Register").click()
            expect(alt_page.get_by_role("alert")).to_contain_text(f"You are registered for {TITLE}.")
            expect(alt_page.locator("article", has_text=TITLE)).to_contain_text("Registered")
        alt_pages[user.email] = alt_page

    # The first ALT withdraws; the third gets the place and an email.
    first_page = alt_pages[alt_tokyo.email]
    first_page.locator("article", has_text=TITLE).get_by_role("button", name="Withdraw").click()
    expect(first_page.get_by_role("alert")).to_contain_text("has been given up")
    third_page = alt_pages[third.email]
    third_page.reload()
    expect(third_page.locator("article", has_text=TITLE)).to_contain_text("Registered")
    promoted = [m for m in mailoutbox if m.to == [third.email]]
    assert [m.subject for m in promoted] == [f"A place is yours: {TITLE}"]

    # The trainer takes attendance from the admin's link, on the staff page.
    page.goto(f"{live_server.url}/admin/training/trainingsession/")
    page.get_by_role("row", name=TITLE).get_by_role("link", name="Take attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.locator("fieldset", has_text=third.email).get_by_text("Attended", exact=True).click()
    page.locator("fieldset", has_text=alt_osaka.email).get_by_text("Excused", exact=True).click()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("Attendance saved (2 changed)")
    assert dict(Registration.objects.filter(session=session).values_list("alt__email", "status")) == {
        third.email: "ATTENDED",
        alt_osaka.email: "EXCUSED",
    }

    # The ALT sees it.
    third_page.reload()
    expect(third_page.locator("article", has_text=TITLE)).to_contain_text("Attended")
    for context in contexts:
        context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}


def test_a_trainer_takes_attendance_on_a_phone(browser, browser_context_args, live_server, browser_login, tokyo,
                                               trainer_tokyo, alt_tokyo):  # fmt: skip
    """The attendance page fits a phone's width, its choices and button are big enough to tap, and it saves."""
    start = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    session = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Phone check", start=start,
                                     registration_deadline=None)  # fmt: skip
    others = [make_alt(branch=tokyo, email=f"phone{n}@example.com") for n in range(4)]
    for alt in [alt_tokyo, *others]:
        RegistrationFactory(session=session, alt=alt)
    context = browser.new_context(**browser_context_args, **PHONE)
    page = context.new_page()
    browser_login(page, trainer_tokyo.email)
    page.goto(f"{live_server.url}/training/staff/sessions/")
    page.get_by_role("link", name="Phone check").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone check")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    choice = page.locator("fieldset", has_text=alt_tokyo.email).get_by_text("Attended", exact=True)
    assert choice.bounding_box()["height"] >= 40  # a finger's size
    choice.tap()
    save = page.get_by_role("button", name="Save attendance")
    assert save.bounding_box()["height"] >= 40 and save.bounding_box()["width"] <= 390
    save.tap()
    expect(page.get_by_role("alert")).to_contain_text("Attendance saved (1 changed)")
    assert Registration.objects.get(session=session, alt=alt_tokyo).status == "ATTENDED"
    context.close()
