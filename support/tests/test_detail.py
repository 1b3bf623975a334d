"""The ALT's request page: the thread without internal notes, replying, solving, reopening."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from support.models import Attachment, Message, Status, SupportRequest
from testing.support import MessageFactory, SupportRequestFactory, upload


@pytest.fixture
def own(alt_tokyo, staff_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Bank account", assignee=staff_tokyo)
    MessageFactory(support_request=support_request, author=staff_tokyo, from_staff=True, body="Bring your passport.")
    MessageFactory(
        support_request=support_request,
        author=staff_tokyo,
        from_staff=True,
        is_internal=True,
        body="Internal: check the visa status first.",
    )
    return support_request


def test_alt_sees_the_thread_without_internal_notes(client_for, alt_tokyo, own):
    response = client_for(alt_tokyo).get(own.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bank account" in page
    assert "Bring your passport." in page
    assert "Internal: check the visa status first." not in page
    assert own.reference in page
    assert "Aiko" in page  # who is handling it, by name
    assert "staff.tokyo@example.com" not in page  # never by their address


def test_another_alt_gets_404_for_every_url(client_for, alt_osaka, own):
    client = client_for(alt_osaka)
    assert client.get(own.get_absolute_url()).status_code == 404
    assert client.get(reverse("support:sent", args=[own.pk])).status_code == 404
    assert client.post(reverse("support:reply", args=[own.pk]), {"body": "hi"}).status_code == 404
    assert client.post(reverse("support:solve", args=[own.pk])).status_code == 404
    assert client.post(reverse("support:reopen", args=[own.pk])).status_code == 404
    assert not Message.objects.filter(author=alt_osaka).exists()


def test_staff_and_outsiders_get_404_on_the_alt_page(client_for, staff_tokyo, outsider, own):
    assert client_for(staff_tokyo).get(own.get_absolute_url()).status_code == 404
    assert client_for(outsider).get(own.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["reply", "solve", "reopen"])
def test_writing_urls_refuse_get(client_for, alt_tokyo, own, name):
    assert client_for(alt_tokyo).get(reverse(f"support:{name}", args=[own.pk])).status_code == 405


@pytest.mark.parametrize("name", ["reply", "solve", "reopen"])
def test_writing_urls_refuse_a_post_without_csrf_token(alt_tokyo, own, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alt_tokyo)
    assert client.post(reverse(f"support:{name}", args=[own.pk]), {"body": "hi"}).status_code == 403
    own.refresh_from_db()
    assert own.status == Status.NEW
    assert own.messages.count() == 2


def test_reply_goes_back_to_the_branch(
    client_for, alt_tokyo, own, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    SupportRequest.objects.filter(pk=own.pk).update(status=Status.WAITING_ON_ALT)
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:reply", args=[own.pk]), {"body": "I have my passport now."})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Status.IN_PROGRESS
    message = own.messages.get(body="I have my passport now.")
    assert message.author == alt_tokyo and not message.from_staff and not message.is_internal
    # The assignee is told.
    assert [m.to for m in mailoutbox] == [["staff.tokyo@example.com"]]
    assert "I have my passport now." in mailoutbox[0].body
    assert "I have my passport now." in client.get(own.get_absolute_url()).content.decode()


def test_reply_when_the_assignee_has_left_goes_to_the_branch(
    client_for, alt_tokyo, own, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    from contacts.services import user_deactivate

    user_deactivate(user=staff_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(reverse("support:reply", args=[own.pk]), {"body": "Anyone there?"})
    # Not to an account nobody reads any more: to the branch, as for an unassigned request.
    assert [m.to for m in mailoutbox] == [["tokyo@example.com"]]
    assert "Anyone there?" in mailoutbox[0].body


def test_reply_with_a_file(client_for, alt_tokyo, own):
    client = client_for(alt_tokyo)
    response = client.post(
        reverse("support:reply", args=[own.pk]), {"body": "Here it is.", "attachment": upload("passport.pdf")}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message.body == "Here it is."
    page = client.get(own.get_absolute_url()).content.decode()
    assert "passport.pdf" in page
    assert reverse("support:attachment", args=[own.pk, attachment.pk]) in page


def test_reply_with_a_bad_file_keeps_the_text(client_for, alt_tokyo, own):
    response = client_for(alt_tokyo).post(
        reverse("support:reply", args=[own.pk]),
        {"body": "My text stays.", "attachment": upload("x.html", b"<html><script>alert(1)</script></html>")},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "My text stays." in page
    assert "cannot be attached" in page
    assert not own.messages.filter(body="My text stays.").exists()


def test_empty_reply_is_refused(client_for, alt_tokyo, own):
    response = client_for(alt_tokyo).post(reverse("support:reply", args=[own.pk]), {"body": "  "})
    assert response.status_code == 422
    assert own.messages.count() == 2


def test_double_click_on_reply_posts_once(client_for, alt_tokyo, own):
    client = client_for(alt_tokyo)
    url = reverse("support:reply", args=[own.pk])
    client.post(url, {"body": "Once."})
    client.post(url, {"body": "Once."})
    assert own.messages.filter(body="Once.").count() == 1


def test_the_same_words_again_within_the_window_post_once_and_later_twice(client_for, alt_tokyo, own, time_machine):
    from support.services import REPLY_DUPLICATE_WINDOW

    client = client_for(alt_tokyo)
    url = reverse("support:reply", args=[own.pk])
    client.post(url, {"body": "Once."})
    time_machine.move_to(timezone.now() + REPLY_DUPLICATE_WINDOW - timedelta(seconds=30))
    client.post(url, {"body": "Once."})
    assert own.messages.filter(body="Once.").count() == 1
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    client.post(url, {"body": "Once."})
    assert own.messages.filter(body="Once.").count() == 2


def test_the_same_words_again_with_a_file_keep_the_file(client_for, alt_tokyo, own):
    client = client_for(alt_tokyo)
    url = reverse("support:reply", args=[own.pk])
    client.post(url, {"body": "Here it is."})
    assert client.post(url, {"body": "Here it is.", "attachment": upload("passport.pdf")}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passport.pdf"
    assert attachment.message.body == "Here it is."


def test_alt_marks_it_solved_then_reopens_it(
    client_for, alt_tokyo, own, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("support:solve", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.status == Status.RESOLVED
    assert own.resolved_at is not None
    page = client.get(own.get_absolute_url()).content.decode()
    assert "Reopen this request" in page
    assert "Write to your branch" not in page
    # A second click changes nothing.
    assert client.post(reverse("support:solve", args=[own.pk])).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("support:reopen", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert own.status == Status.IN_PROGRESS
    assert own.resolved_at is None
    assert own.due_at > timezone.now()
    assert "staff.tokyo@example.com" in {address for mail in mailoutbox for address in mail.to}


def test_reopening_after_14_days_is_refused(client_for, alt_tokyo, own, time_machine):
    client = client_for(alt_tokyo)
    client.post(reverse("support:solve", args=[own.pk]))
    time_machine.move_to(timezone.now() + timedelta(days=15))
    client = client_for(alt_tokyo)
    page = client.get(own.get_absolute_url()).content.decode()
    assert "Reopen this request" not in page
    response = client.post(reverse("support:reopen", args=[own.pk]))
    assert response.status_code == 409
    own.refresh_from_db()
    assert own.status == Status.RESOLVED


def test_reply_to_a_resolved_request_is_refused(client_for, alt_tokyo, own):
    SupportRequest.objects.filter(pk=own.pk).update(status=Status.CLOSED)
    response = client_for(alt_tokyo).post(reverse("support:reply", args=[own.pk]), {"body": "Still there?"})
    assert response.status_code == 422
    assert "Reopen" in response.content.decode()
    assert not own.messages.filter(body="Still there?").exists()


XSS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


def test_script_in_subject_details_and_reply_is_shown_as_text(client_for, alt_tokyo, staff_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, subject=XSS[0], details=XSS[1] + " " + XSS[2])
    MessageFactory(support_request=support_request, author=staff_tokyo, from_staff=True, body=XSS[1])
    client = client_for(alt_tokyo)
    for url in [support_request.get_absolute_url(), reverse("support:list"), reverse("dashboard")]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
    page = client.get(support_request.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_detail_page_query_count_does_not_grow_with_messages(
    client_for, alt_tokyo, staff_tokyo, django_assert_max_num_queries
):
    support_request = SupportRequestFactory(alt=alt_tokyo)
    client = client_for(alt_tokyo)
    client.get(reverse("support:list"))  # the first request of a session also refreshes the session's expiry

    def message_with_file(i, author):
        message = MessageFactory(support_request=support_request, author=author, from_staff=author == staff_tokyo)
        Attachment.objects.create(
            support_request=support_request,
            message=message,
            file=f"support/x{i}.pdf",
            original_name=f"x{i}.pdf",
            content_type="application/pdf",
            size=10,
        )

    message_with_file("first", staff_tokyo)
    # The session, the user, the request, its messages and their files; the navigation's count of new replies.
    with django_assert_max_num_queries(6) as one:
        assert client.get(support_request.get_absolute_url()).status_code == 200
    for i in range(49):
        message_with_file(i, staff_tokyo if i % 2 else alt_tokyo)
    with django_assert_max_num_queries(6) as fifty:
        page = client.get(support_request.get_absolute_url()).content.decode()
    assert "x48.pdf" in page
    assert len(one.captured_queries) == len(fifty.captured_queries)


def test_script_in_what_people_typed_stays_plain_text_in_emails(
    client_for, alt_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    import uuid

    from support.services import support_request_staff_save

    data = {
        "category": "OTHER",
        "subject": XSS[0],
        "details": XSS[1],
        "urgency": "NORMAL",
        "submit_token": str(uuid.uuid4()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(reverse("support:new"), data)
    support_request = SupportRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        support_request_staff_save(
            support_request=support_request, changed_fields=[], by=staff_tokyo, expected_version=1, reply=XSS[1]
        )
    received = next(m for m in mailoutbox if m.to == ["alt.tokyo@example.com"] and "received" in m.subject)
    reply = next(m for m in mailoutbox if "reply" in m.subject)
    for mail in (received, reply):
        assert mail.content_subtype == "plain"
        assert not getattr(mail, "alternatives", [])
        assert "&lt;" not in mail.body and "&quot;" not in mail.body  # not HTML-escaped: it is text
    assert XSS[0] in received.body
    assert XSS[1] in reply.body


def _reply_token(page) -> str:
    return re.search(r'name="submit_token" value="([^"]+)"', page.content.decode()).group(1)


def test_the_same_reply_form_sent_again_much_later_posts_once(client_for, alt_tokyo, own, time_machine):
    """The answer to a reply was lost (the connection dropped): the ALT sends the same form again, an
    hour and a half later (the two minutes of a double click long past)."""
    client = client_for(alt_tokyo)
    token = _reply_token(client.get(own.get_absolute_url()))
    url = reverse("support:reply", args=[own.pk])
    data = {"body": "Is anyone there?", "submit_token": token}
    assert client.post(url, data)["Location"] == own.get_absolute_url()
    time_machine.move_to(timezone.now() + timedelta(minutes=90))
    assert client.post(url, data)["Location"] == own.get_absolute_url()
    assert own.messages.filter(body="Is anyone there?").count() == 1
    # A fresh form: a new token, a new reply, even with the same words.
    token = _reply_token(client.get(own.get_absolute_url()))
    assert client.post(url, {**data, "submit_token": token})["Location"] == own.get_absolute_url()
    assert own.messages.filter(body="Is anyone there?").count() == 2


def test_other_words_with_a_used_token_are_another_reply(client_for, alt_tokyo, own):
    """Two tabs of the same page carry one token: what is written in the second is still posted."""
    client = client_for(alt_tokyo)
    token = _reply_token(client.get(own.get_absolute_url()))
    url = reverse("support:reply", args=[own.pk])
    client.post(url, {"body": "First tab.", "submit_token": token})
    client.post(url, {"body": "Second tab.", "submit_token": token})
    assert set(own.messages.values_list("body", flat=True)) >= {"First tab.", "Second tab."}


def test_someone_elses_reply_token_is_refused(client_for, alt_tokyo, own):
    client = client_for(alt_tokyo)
    token = _reply_token(client.get(own.get_absolute_url()))
    client.post(reverse("support:reply", args=[own.pk]), {"body": "Mine.", "submit_token": token})
    other = SupportRequestFactory(alt=alt_tokyo, subject="Another")
    response = client.post(reverse("support:reply", args=[other.pk]), {"body": "Mine.", "submit_token": token})
    assert response.status_code == 422
    assert "This form has expired" in response.content.decode()
    assert not other.messages.filter(body="Mine.").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_committed_as_the_database_drops_the_connection_answers_success(postgres, alt_tokyo, staff_tokyo):
    """PostgreSQL restarted right after the reply's commit: the reply was saved, yet the ALT got the
    error page (a read after the commit), and sent it again. Now nothing is read after the commit."""
    from django.db import connection, transaction

    from contacts.tests.dropped_connection import drop_database_connection

    own = SupportRequestFactory(alt=alt_tokyo, branch=alt_tokyo.alt_profile.branch, status=Status.WAITING_ON_ALT)
    client = Client()
    client.force_login(alt_tokyo)
    token = _reply_token(client.get(own.get_absolute_url()))

    def drop_after_commit(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "support_supportrequest"') and connection.in_atomic_block:
            transaction.on_commit(drop_database_connection)  # the first thing after the commit
        return result

    with connection.execute_wrapper(drop_after_commit):
        response = client.post(reverse("support:reply", args=[own.pk]), {"body": "Saved?", "submit_token": token})
    assert response.status_code == 302
    assert response["Location"] == own.get_absolute_url()
    connection.close()  # the dropped one; the checks below open a new one
    assert Message.objects.filter(support_request=own, body="Saved?").count() == 1
    own.refresh_from_db()
    assert own.status == Status.IN_PROGRESS
