"""Password reset as a person sees it: "Cancel" is not the primary button, and both "done" pages lead
back to the login, where the new password works."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reset_pages_lead_back_to_the_login_and_cancel_is_not_primary(page, live_server, browser_login, alt_tokyo):
    page.goto(live_server.url + reverse("account_reset_password"))
    page.get_by_label("Email").fill("alt.tokyo@example.com")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("We have sent you an email.")).to_be_visible()
    page.get_by_role("link", name="Back to log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    key = default_token_generator.make_token(alt_tokyo)
    page.goto(
        live_server.url
        + reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(alt_tokyo), "key": key})
    )
    change = page.get_by_role("button", name="Change Password")
    cancel = page.get_by_role("button", name="Cancel")
    expect(change).to_have_class(re.compile(r"\bbtn-primary\b"))
    expect(cancel).not_to_have_class(re.compile(r"\bbtn-primary\b"))
    page.locator("#id_password1").fill("a-new-long-passphrase-2026")
    page.locator("#id_password2").fill("a-new-long-passphrase-2026")
    change.click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    browser_login(page, "alt.tokyo@example.com", "a-new-long-passphrase-2026")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
