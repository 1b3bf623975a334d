"""At the door: the trainer shows the session's QR code on a laptop; an ALT reads it and checks in on
their phone (390 px); the trainer's roll shows them present."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from testing.training import RegistrationFactory, TrainingSessionFactory
from training.checkin import checkin_url
from training.models import Registration

from .test_browser_training import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"viewport": {"width": 1280, "height": 800}}


def test_an_alt_checks_in_with_the_qr_code_on_a_phone(
    browser, browser_context_args, live_server, browser_login, settings, tokyo, trainer_tokyo, alt_tokyo
):
    settings.SITE_URL = live_server.url  # the address the code encodes
    start = (timezone.now() + timedelta(minutes=15)).replace(microsecond=0)
    session = TrainingSessionFactory(
        branch=tokyo, trainer=trainer_tokyo, title="Door check-in", start=start, registration_deadline=None
    )
    RegistrationFactory(session=session, alt=alt_tokyo)

    # The trainer opens the session's QR code from the roll.
    trainer_context = browser.new_context(**browser_context_args, **LAPTOP)
    trainer = trainer_context.new_page()
    browser_login(trainer, trainer_tokyo.email)
    trainer.goto(f"{live_server.url}/training/staff/sessions/")
    trainer.get_by_role("link", name="Door check-in").first.click()
    trainer.get_by_role("link", name="Show the check-in QR code").click()
    code = trainer.locator("#checkin-qr svg")
    expect(code).to_be_visible()
    assert code.bounding_box()["width"] >= 250  # big enough to read across a doorway
    # What a phone's camera sees: the code as drawn on the screen.
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(code.screenshot())))
    assert [r.format for r in results] == [zxingcpp.BarcodeFormat.QRCode]
    address = results[0].text
    assert address == checkin_url(session)

    # The ALT's phone opens the address: log in first, then back to the check-in page.
    phone_context = browser.new_context(**browser_context_args, **PHONE)
    phone = phone_context.new_page()
    phone.goto(address)
    phone.get_by_label("Email").fill(alt_tokyo.email)
    phone.get_by_label("Password").fill("correct-horse-battery")
    phone.get_by_role("button", name="Log in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Door check-in")
    assert Registration.objects.get(session=session).status == "REGISTERED"  # opening it changed nothing
    button = phone.get_by_role("button", name="I'm here: check in")
    box = button.bounding_box()
    assert box["height"] >= 60 and box["width"] <= 390
    assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    button.tap()
    expect(phone.locator("#checked-in")).to_contain_text("You are checked in.")
    assert phone.url == address

    # The trainer's roll: present, by QR code.
    trainer.get_by_role("link", name="Back to attendance").click()
    row = trainer.locator("fieldset", has_text=alt_tokyo.email)
    expect(row).to_contain_text("checked in with the QR code at")
    expect(row.get_by_role("radio", name="Attended")).to_be_checked()
    trainer.get_by_role("link", name="Show the check-in QR code").click()
    expect(trainer.get_by_text("1 of 1 checked in or marked present.")).to_be_visible()
    phone_context.close()
    trainer_context.close()
