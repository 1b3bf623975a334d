"""Replies by email: every email about a request has a signed reply address; real MIME replies posted
through Mailgun's signed inbound webhook land in the thread as the web reply does, or get a polite bounce."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail
from django.utils import timezone

from contacts.models import Language, Notification
from contacts.outbox import notification_deliver
from support.inbound.parse import inbound_mail_from_message
from support.models import Attachment, InboundEmail, Message, Status
from support.reply_address import reply_address, reply_token_in, reply_token_read
from support.services import message_post_by_alt, support_request_staff_save
from support.services.inbound import inbound_email_receive
from testing.concurrency import run_at_once
from testing.inbound import QUOTE_EN, mailgun_post, reply_email, reply_to_of
from testing.support import PDF_BYTES, SupportRequestFactory


@pytest.fixture
def waiting_request(alt_tokyo, mc_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo, status=Status.WAITING_ON_ALT)


def _alt_address(support_request):
    return reply_address(support_request_id=support_request.pk, user_id=support_request.alt_id)


def _post(client, django_capture_on_commit_callbacks, message, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return mailgun_post(client, message, **kwargs)


def _bounces():
    return [m for m in django_mail.outbox if "could not be added" in m.subject or "追加できません" in m.subject]


# --- the reply address on every email -------------------------------------------------------------


def test_a_staff_reply_email_carries_the_alts_signed_reply_address_and_goes_once(
    waiting_request, mc_tokyo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        support_request_staff_save(
            support_request=waiting_request,
            changed_fields=(),
            by=mc_tokyo,
            expected_version=waiting_request.version,
            reply="Please bring your passport.",
        )
    notification = Notification.objects.get(kind="support.reply")
    [sent] = mailoutbox
    assert sent.reply_to == [reply_to_of(notification)]
    assert sent.reply_to[0].endswith(f"@{settings.REPLY_DOMAIN}")
    assert sent.extra_headers["Message-ID"].startswith(f"<notification.{notification.pk}.")
    assert "replying to this email" in sent.body
    assert notification_deliver(notification_id=notification.pk) is False  # the sweep again: still one email
    assert len(mailoutbox) == 1


def test_the_alts_web_reply_tells_staff_with_the_staff_members_own_reply_address(waiting_request, alt_tokyo, mc_tokyo):
    message_post_by_alt(support_request=waiting_request, author=alt_tokyo, body="Here you are.")
    to_mc = Notification.objects.get(kind="support.alt_reply", recipient=mc_tokyo)
    token = reply_token_read(reply_token_in([reply_to_of(to_mc)]))
    assert (token.support_request_id, token.user_id) == (waiting_request.pk, mc_tokyo.pk)


# --- the ALT answers by email ---------------------------------------------------------------------


def test_alts_emailed_reply_lands_in_the_thread_without_the_quote_and_staff_are_told(
    client, waiting_request, alt_tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    email = reply_email(
        to=_alt_address(waiting_request),
        sender="ALT.Tokyo@example.com",
        text="I went to the city hall today.\n\n-- \nAlex\n\n" + QUOTE_EN,
    )
    response = _post(client, django_capture_on_commit_callbacks, email)
    assert response.status_code == 200
    [message] = Message.objects.filter(support_request=waiting_request)
    assert message.body == "I went to the city hall today."
    assert message.author == alt_tokyo and not message.from_staff and not message.is_internal
    waiting_request.refresh_from_db()
    assert waiting_request.status == Status.IN_PROGRESS
    [to_mc] = [m for m in mailoutbox if m.to == [mc_tokyo.email]]
    assert "I went to the city hall today." in to_mc.body
    assert to_mc.reply_to[0].startswith("reply+")
    assert not _bounces()


def test_the_same_email_delivered_twice_posts_once(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="Once only, please.")
    assert _post(client, django_capture_on_commit_callbacks, email).status_code == 200
    sent = len(mailoutbox)
    assert _post(client, django_capture_on_commit_callbacks, email).status_code == 200
    assert Message.objects.filter(support_request=waiting_request).count() == 1
    assert InboundEmail.objects.count() == 1
    assert len(mailoutbox) == sent  # staff are not told twice


def test_an_html_only_reply_is_posted_as_text(client, waiting_request, alt_tokyo, django_capture_on_commit_callbacks):
    html = (
        "<html><head><style>p{color:red}</style></head><body><div>Thanks!<br>The bank needs my <b>residence card</b>"
        " &amp; seal.</div><div class='gmail_quote'>On Mon, Dec 1, 2026 at 10:00 AM ALT Portal &lt;x@example.com&gt;"
        " wrote:<blockquote>Hello, the old email</blockquote></div></body></html>"
    )
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text=None, html=html)
    _post(client, django_capture_on_commit_callbacks, email)
    message = Message.objects.get(support_request=waiting_request)
    assert message.body == "Thanks!\nThe bank needs my residence card & seal."


@pytest.mark.parametrize("raw", [True, False], ids=["raw MIME", "fully parsed"])
def test_a_pdf_attachment_is_kept_on_the_message(
    client, waiting_request, alt_tokyo, django_capture_on_commit_callbacks, raw
):
    email = reply_email(
        to=_alt_address(waiting_request),
        sender=alt_tokyo.email,
        text="My lease is attached.",
        files=[("lease.pdf", PDF_BYTES, "application/pdf")],
    )
    assert _post(client, django_capture_on_commit_callbacks, email, raw=raw).status_code == 200
    message = Message.objects.get(support_request=waiting_request)
    [attachment] = Attachment.objects.filter(message=message)
    assert attachment.original_name == "lease.pdf" and attachment.content_type == "application/pdf"
    assert attachment.file.read() == PDF_BYTES


def test_a_disguised_attachment_is_refused_with_a_bounce_and_nothing_is_posted(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    email = reply_email(
        to=_alt_address(waiting_request),
        sender=alt_tokyo.email,
        text="Here is the form.",
        files=[("form.pdf", program, "application/pdf")],
    )
    assert _post(client, django_capture_on_commit_callbacks, email).status_code == 200
    assert not Message.objects.filter(support_request=waiting_request).exists()
    assert not Attachment.objects.exists()
    [bounce] = _bounces()
    assert bounce.to == [alt_tokyo.email]
    assert '"form.pdf" cannot be attached' in bounce.body
    assert InboundEmail.objects.get().reason == "attachment"


def test_an_alt_writing_in_japanese_gets_the_bounce_in_japanese(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = Language.JA
    alt_tokyo.save()
    waiting_request.status = Status.CLOSED
    waiting_request.save()
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="まだ困っています。")
    _post(client, django_capture_on_commit_callbacks, email)
    assert not Message.objects.filter(support_request=waiting_request).exists()
    [bounce] = _bounces()
    assert bounce.subject == "メールをやり取りに追加できませんでした"
    assert f"{waiting_request.reference} はすでに終了" in bounce.body
    assert "Hello" not in bounce.body


def test_a_reply_to_a_resolved_request_says_how_to_reopen_it(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    waiting_request.status = Status.RESOLVED
    waiting_request.resolved_at = timezone.now()
    waiting_request.save()
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="It broke again.")
    _post(client, django_capture_on_commit_callbacks, email)
    assert not Message.objects.filter(support_request=waiting_request).exists()
    [bounce] = _bounces()
    assert "reopen it on its page" in bounce.body
    assert f"/support/{waiting_request.pk}/" in bounce.body


def test_a_reply_with_only_the_quoted_email_asks_to_write_above_it(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="\n\n" + QUOTE_EN)
    _post(client, django_capture_on_commit_callbacks, email)
    assert not Message.objects.exists()
    [bounce] = _bounces()
    assert "write your reply above the quoted text" in bounce.body


# --- refused: forged, unknown, expired, wrong sender -------------------------------------------------


def test_a_forged_token_gets_a_bounce_and_lands_nowhere(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    genuine = _alt_address(waiting_request)
    local, domain = genuine.split("@")
    forged = f"{local[:-4]}{'aaaa' if not local.endswith('aaaa') else 'bbbb'}@{domain}"
    email = reply_email(to=forged, sender=alt_tokyo.email, text="Let me in.")
    assert _post(client, django_capture_on_commit_callbacks, email).status_code == 200
    assert not Message.objects.exists()
    [bounce] = _bounces()
    assert "not a reply address of the portal" in bounce.body
    assert waiting_request.reference not in bounce.body


def test_another_requests_id_under_a_valid_signature_is_refused(
    client, waiting_request, alt_tokyo, alt_osaka, django_capture_on_commit_callbacks
):
    """The Tokyo ALT puts the Osaka ALT's request in their own reply address: the signature no longer fits."""
    theirs = SupportRequestFactory(alt=alt_osaka, status=Status.WAITING_ON_ALT)
    local, domain = _alt_address(waiting_request).split("@")
    _request, user, issued, signature = local.removeprefix("reply+").split("-")
    other = reply_token_read(reply_token_in([reply_address(support_request_id=theirs.pk, user_id=None)]))
    request36 = reply_address(support_request_id=other.support_request_id, user_id=None).split("+")[1].split("-")[0]
    swapped = f"reply+{request36}-{user}-{issued}-{signature}@{domain}"
    _post(client, django_capture_on_commit_callbacks, reply_email(to=swapped, sender=alt_tokyo.email, text="Hi"))
    assert not Message.objects.exists()
    assert InboundEmail.objects.get().reason == "unknown"


def test_a_message_without_any_reply_address_gets_a_bilingual_bounce(
    client, mailoutbox, django_capture_on_commit_callbacks, db
):
    email = reply_email(to="info@testserver", sender="stranger@example.org", text="Hello?")
    _post(client, django_capture_on_commit_callbacks, email, recipient="info@testserver")
    [bounce] = _bounces()
    assert bounce.to == ["stranger@example.org"]
    assert "Your email could not be added" in bounce.subject and "追加できませんでした" in bounce.subject
    assert "Hello," in bounce.body and "こんにちは" in bounce.body


def test_an_expired_reply_address_gets_a_bounce(
    client, waiting_request, alt_tokyo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() - timedelta(days=settings.REPLY_TOKEN_MAX_AGE_DAYS + 1)):
        old = _alt_address(waiting_request)
    _post(client, django_capture_on_commit_callbacks, reply_email(to=old, sender=alt_tokyo.email, text="Late"))
    assert not Message.objects.exists()
    [bounce] = _bounces()
    assert "has expired" in bounce.body


def test_a_message_from_someone_else_than_the_addresses_person_is_refused(
    client, waiting_request, alt_osaka, mailoutbox, django_capture_on_commit_callbacks
):
    email = reply_email(to=_alt_address(waiting_request), sender=alt_osaka.email, text="I am Tokyo, honestly.")
    _post(client, django_capture_on_commit_callbacks, email)
    assert not Message.objects.exists()
    [bounce] = _bounces()
    assert bounce.to == [alt_osaka.email]
    assert "may not write in this conversation" in bounce.body
    assert waiting_request.reference not in bounce.body  # nothing about the request to a stranger


def test_an_out_of_office_reply_is_ignored_without_a_bounce(
    client, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    email = reply_email(
        to=_alt_address(waiting_request),
        sender=alt_tokyo.email,
        text="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    _post(client, django_capture_on_commit_callbacks, email)
    assert not Message.objects.exists()
    assert not _bounces()
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.IGNORED


def test_spam_and_mail_without_a_valid_sender_get_no_bounce(client, mailoutbox, django_capture_on_commit_callbacks, db):
    spam = reply_email(to="info@example.net", sender="seller@example.org", headers={"X-Spam-Flag": "YES"})
    nameless = reply_email(to="info@example.net", sender="not-an-address")
    for email in (spam, nameless):
        _post(client, django_capture_on_commit_callbacks, email, recipient="info@example.net")
    assert not _bounces()
    assert sorted(InboundEmail.objects.values_list("reason", flat=True)) == ["sender_address", "spam"]


def test_one_address_gets_at_most_five_bounces_a_day_and_its_replies_still_post(
    client, waiting_request, alt_tokyo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    for number in range(7):
        made_up = f"reply+made-up@{settings.REPLY_DOMAIN}"
        email = reply_email(to=made_up, sender=alt_tokyo.email, text=f"Attempt {number}")
        _post(client, django_capture_on_commit_callbacks, email)
    assert len(_bounces()) == 5
    assert InboundEmail.objects.filter(outcome=InboundEmail.Outcome.IGNORED, reason="unknown").count() == 2
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="The right address.")
    _post(client, django_capture_on_commit_callbacks, email)
    assert Message.objects.get(support_request=waiting_request).body == "The right address."


# --- staff answer by email ----------------------------------------------------------------------------


def test_staffs_emailed_reply_is_a_staff_reply_the_alt_is_emailed(
    client, waiting_request, alt_tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    address = reply_address(support_request_id=waiting_request.pk, user_id=mc_tokyo.pk)
    email = reply_email(
        to=address,
        sender=mc_tokyo.email,
        text=(
            "Bring your passport on Monday.\n\n"
            "差出人: Alex <alt.tokyo@example.com>\n送信日時: 2026年12月1日 10:00\n件名: Re"
        ),
    )
    _post(client, django_capture_on_commit_callbacks, email)
    message = Message.objects.get(support_request=waiting_request)
    assert message.body == "Bring your passport on Monday."
    assert message.author == mc_tokyo and message.from_staff and not message.is_internal
    [to_alt] = [m for m in mailoutbox if m.to == [alt_tokyo.email]]
    assert "Bring your passport on Monday." in to_alt.body
    waiting_request.refresh_from_db()
    assert waiting_request.version == 2


def test_staff_of_another_branch_cannot_answer_through_a_colleagues_address(
    client, waiting_request, mc_tokyo, staff_osaka, django_capture_on_commit_callbacks
):
    address = reply_address(support_request_id=waiting_request.pk, user_id=staff_osaka.pk)
    _post(client, django_capture_on_commit_callbacks, reply_email(to=address, sender=staff_osaka.email, text="Hi"))
    assert not Message.objects.exists()
    assert InboundEmail.objects.get().reason == "sender"


def test_the_branch_mailbox_address_takes_a_reply_from_a_colleagues_own_address(
    client, waiting_request, staff_tokyo, django_capture_on_commit_callbacks
):
    address = reply_address(support_request_id=waiting_request.pk, user_id=None)
    _post(client, django_capture_on_commit_callbacks, reply_email(to=address, sender=staff_tokyo.email, text="On it."))
    message = Message.objects.get(support_request=waiting_request)
    assert message.author == staff_tokyo and message.from_staff


# --- the webhook's signature ---------------------------------------------------------------------------


def test_a_post_with_a_bad_signature_answers_400_and_stores_nothing(client, waiting_request, alt_tokyo):
    email = reply_email(to=_alt_address(waiting_request), sender=alt_tokyo.email, text="Forged post")
    response = mailgun_post(client, email, key="not-the-key")
    assert response.status_code == 400
    assert not InboundEmail.objects.exists() and not Message.objects.exists()


def test_an_unsigned_post_answers_400(client, db):
    assert client.post("/support/inbound/mailgun/", {"body-mime": "From: x@example.com\n\nHi"}).status_code == 400


def test_without_a_signing_key_the_webhook_is_not_there(client, settings, db):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    assert client.post("/support/inbound/mailgun/", {}).status_code == 404


def test_the_webhook_takes_no_get(client, db):
    assert client.get("/support/inbound/mailgun/").status_code == 405


# --- the same message at the same moment (PostgreSQL) ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_same_message_delivered_four_times_at_once_posts_once(postgres, alt_tokyo, mc_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo, status=Status.WAITING_ON_ALT)
    email = reply_email(to=_alt_address(support_request), sender=alt_tokyo.email, text="Only one of us posts.")
    mail = inbound_mail_from_message(email)
    results, errors = run_at_once(4, lambda i: inbound_email_receive(mail=mail, channel="test").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Message.objects.filter(support_request=support_request).count() == 1
    assert Notification.objects.filter(kind="support.alt_reply").count() == 1
