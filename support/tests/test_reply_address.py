"""The signed reply address: one per request and person, fits an address, cannot be altered, expires."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from support.reply_address import (
    BRANCH_MAILBOX,
    ReplyTokenError,
    is_own_address,
    reply_address,
    reply_token,
    reply_token_in,
    reply_token_read,
)


def test_the_address_names_the_request_and_the_person_and_fits_an_email_address(settings):
    settings.REPLY_DOMAIN = "reply.portal.example.jp"
    address = reply_address(support_request_id=987654321, user_id=123456)
    local, domain = address.split("@")
    assert domain == "reply.portal.example.jp"
    assert len(local) <= 64 and local == local.lower() and ":" not in local
    token = reply_token_read(reply_token_in([address]))
    assert (token.support_request_id, token.user_id) == (987654321, 123456)


def test_the_branch_mailbox_has_a_token_of_its_own():
    token = reply_token_read(reply_token(support_request_id=5, user_id=None))
    assert token.user_id == BRANCH_MAILBOX


def test_a_mail_system_that_changes_the_case_does_not_break_it():
    token = reply_token(support_request_id=42, user_id=7)
    assert reply_token_read(token.upper()).support_request_id == 42


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # the signature changed
        lambda t: "2" + t,  # another request id
        lambda t: t.split("-", 1)[1],  # a part missing
        lambda t: "",
        lambda t: "not a token at all",
    ],
)
def test_an_altered_or_made_up_token_is_unknown(mangle):
    with pytest.raises(ReplyTokenError) as error:
        reply_token_read(mangle(reply_token(support_request_id=42, user_id=7)))
    assert error.value.code == "unknown"


def test_a_token_signed_for_another_purpose_is_unknown():
    value = "16-7-" + reply_token(support_request_id=42, user_id=7).split("-")[2]
    other = signing.Signer(salt="another.purpose").signature(value)
    with pytest.raises(ReplyTokenError):
        reply_token_read(f"{value}-{other[:24].lower()}")


def test_a_token_past_its_age_has_expired(settings):
    with time_machine.travel(timezone.now() - timedelta(days=settings.REPLY_TOKEN_MAX_AGE_DAYS, minutes=1)):
        token = reply_token(support_request_id=42, user_id=7)
    with pytest.raises(ReplyTokenError) as error:
        reply_token_read(token)
    assert error.value.code == "expired"


def test_a_token_made_with_the_previous_secret_key_still_reads(settings):
    token = reply_token(support_request_id=42, user_id=7)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"
    assert reply_token_read(token).support_request_id == 42


def test_only_addresses_at_the_reply_domain_with_the_prefix_are_read(settings):
    settings.REPLY_DOMAIN = "portal.example.jp"
    token = reply_token(support_request_id=42, user_id=7)
    assert reply_token_in(["alex@example.com", f"reply+{token}@elsewhere.example"]) is None
    assert reply_token_in(["alex@example.com", f"<REPLY+{token}@Portal.Example.JP>"]) == token


def test_the_portals_own_addresses_are_known(settings):
    settings.REPLY_DOMAIN = "portal.example.jp"
    settings.DEFAULT_FROM_EMAIL = "ALT Portal <portal@portal.example.jp>"
    assert is_own_address("portal@portal.example.jp")
    assert is_own_address("reply+anything@portal.example.jp")
    assert not is_own_address("staff.tokyo@portal.example.jp")  # staff may share the domain
