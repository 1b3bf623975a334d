import re
import uuid

import pytest
from django.test import Client
from django.urls import resolve, reverse

from contacts.models import Notification
from contacts.tasks import deliver_pending_notifications
from support.models import Attachment, Category, Status, SupportRequest, Urgency
from testing.support import upload

URL = reverse("support:new")


def _data(**overrides):
    data = {
        "category": Category.CITY_HALL,
        "subject": "Registering my address",
        "details": "Which documents do I need?",
        "urgency": Urgency.NORMAL,
        "submit_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_form_has_the_contract_labels(client_for, alt_tokyo):
    response = client_for(alt_tokyo).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ["Category", "Subject", "Details", "Urgency", "Attachment"]:
        assert re.search(rf"<label[^>]*>\s*{label}\b", page), label
    assert 'name="submit_token"' in page
    assert 'enctype="multipart/form-data"' in page


def test_category_from_the_arrival_checklist_is_preselected(client_for, alt_tokyo):
    page = client_for(alt_tokyo).get(URL, {"category": "BANK_ACCOUNT"}).content.decode()
    assert '<option value="BANK_ACCOUNT" selected>' in page


def test_unknown_category_parameter_is_ignored(client_for, alt_tokyo):
    response = client_for(alt_tokyo).get(URL, {"category": "<script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="" selected>' in page
    assert "&lt;script&gt;" not in page and "<script>" not in page


def test_form_shows_what_to_have_ready_the_emergency_number_and_the_counselling_line(client_for, alt_tokyo, settings):
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "residence card" in page
    assert "health insurance card" in page
    assert "090-0000-1999" in page  # the Tokyo branch's emergency number
    assert settings.WELLBEING_LINE["phone"] in page


def test_sending_creates_a_request_and_shows_the_confirmation(
    client_for, alt_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)  # a Monday
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data())
    support_request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:sent", args=[support_request.pk])
    assert support_request.reference == "SR-2026-000001"
    assert support_request.alt == alt_tokyo
    assert support_request.branch.code == "tokyo"
    assert support_request.status == Status.NEW
    page = client.get(response["Location"]).content.decode()
    assert "SR-2026-000001" in page
    assert "090-0000-1999" not in page  # not urgent
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert "alt.tokyo@example.com" in recipients
    to_alt = next(mail for mail in mailoutbox if mail.to == ["alt.tokyo@example.com"])
    assert "SR-2026-000001" in to_alt.subject
    assert "SR-2026-000001" in to_alt.body
    # The ALT's MC answers first: assigned it and emailed; the branch's address is not.
    assert support_request.assignee.email == "mc.tokyo@example.com"
    assert recipients == ["alt.tokyo@example.com", "mc.tokyo@example.com"]


def test_without_an_mc_the_request_goes_to_the_branch_queue_and_the_branch_is_told(
    client_for, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.alt_profile.managing_consultant = None
    alt_tokyo.alt_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(URL, _data())
    support_request = SupportRequest.objects.get()
    assert support_request.assignee is None and support_request.status == Status.NEW
    # The Tokyo branch's address (the factory gives each branch one).
    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "alt.tokyo@example.com",
        "tokyo@example.com",
    ]


def test_branch_without_an_address_tells_its_schedulers(
    client_for, alt_tokyo, staff_tokyo, staff_osaka, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.alt_profile.branch.email = ""
    alt_tokyo.alt_profile.branch.save()
    alt_tokyo.alt_profile.managing_consultant = None
    alt_tokyo.alt_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(URL, _data())
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == ["alt.tokyo@example.com", "staff.tokyo@example.com"]


def test_urgent_request_confirmation_shows_the_emergency_number(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    response = client.post(URL, _data(urgency=Urgency.URGENT), follow=True)
    page = response.content.decode()
    assert "SR-" in page
    assert "090-0000-1999" in page


def test_email_to_a_japanese_speaking_alt_is_in_japanese(
    client_for, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alt_tokyo).post(URL, _data())
    to_alt = next(mail for mail in mailoutbox if mail.to == ["alt.tokyo@example.com"])
    assert "受け付けました" in to_alt.subject


def test_double_click_creates_one_request_and_the_same_confirmation(
    client_for, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alt_tokyo)
    data = _data()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, data)
        second = client.post(URL, data)
    assert SupportRequest.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert len([m for m in mailoutbox if m.to == ["alt.tokyo@example.com"]]) == 1


def test_back_and_resend_of_a_fresh_form_with_the_same_words_creates_one_request(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    first = client.post(URL, _data())
    second = client.post(URL, _data())  # a new token: the form was loaded again
    assert SupportRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_back_and_resend_with_a_file_added_keeps_the_file(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    first = client.post(URL, _data())
    second = client.post(URL, {**_data(), "attachment": upload("lease.pdf")})  # same words, now with a file
    # One request, and the file added to it: the ALT lands on it, as for the same words without a file.
    assert SupportRequest.objects.count() == 1
    attachment = Attachment.objects.get()
    assert attachment.original_name == "lease.pdf"
    assert second["Location"] == first["Location"]
    assert second["Location"] == reverse("support:sent", args=[attachment.support_request_id])
    page = client.get(reverse("support:detail", args=[attachment.support_request_id])).content.decode()
    assert page.count("lease.pdf") == 1


def _sent_files(client, response) -> str:
    """The request page the ALT reaches from the confirmation, where its files are listed."""
    pk = resolve(response["Location"]).kwargs["pk"]
    return client.get(reverse("support:detail", args=[pk])).content.decode()


def test_back_and_resend_with_the_same_file_creates_one_request_and_one_file(
    client_for, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, {**_data(), "attachment": upload("lease.pdf")})
        # Back, then send again: the page gave a new token, the words and the file are the same.
        second = client.post(URL, {**_data(), "attachment": upload("lease.pdf")})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert SupportRequest.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert _sent_files(client, second).count("lease.pdf") == 1
    assert len([m for m in mailoutbox if m.to == ["alt.tokyo@example.com"]]) == 1


def test_back_and_resend_with_another_file_adds_it_to_the_same_request(client_for, alt_tokyo):
    from testing.support import PNG_BYTES

    client = client_for(alt_tokyo)
    first = client.post(URL, {**_data(), "attachment": upload("lease.pdf")})
    second = client.post(URL, {**_data(), "attachment": upload("photo.png", PNG_BYTES, "image/png")})
    assert second["Location"] == first["Location"]
    assert SupportRequest.objects.count() == 1
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["lease.pdf", "photo.png"]
    page = _sent_files(client, second)
    assert page.count("lease.pdf") == 1 and page.count("photo.png") == 1


def test_other_words_with_the_same_file_are_a_new_request(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    first = client.post(URL, {**_data(), "attachment": upload("lease.pdf")})
    second = client.post(URL, {**_data(subject="My lease renewal"), "attachment": upload("lease.pdf")})
    assert second["Location"] != first["Location"]
    assert SupportRequest.objects.count() == 2
    assert Attachment.objects.count() == 2


def test_resend_of_the_same_form_with_a_file_is_still_one_request(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    data = _data()
    first = client.post(URL, {**data, "attachment": upload("lease.pdf")})
    second = client.post(URL, {**data, "attachment": upload("lease.pdf")})
    assert SupportRequest.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_creating_a_request_uses_the_profile_it_is_given(alt_tokyo, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.selectors import alt_profile_get_for_user
    from support.services import support_request_create

    profile = alt_profile_get_for_user(user=alt_tokyo)
    with CaptureQueriesContext(connection) as queries:
        support_request, created = support_request_create(
            alt=alt_tokyo,
            profile=profile,
            category=Category.CITY_HALL,
            subject="Registering my address",
            details="Which documents do I need?",
            urgency=Urgency.NORMAL,
            submit_token=uuid.uuid4(),
        )
    assert created and support_request.branch == profile.branch
    assert not [q for q in queries.captured_queries if "altprofile" in q["sql"].lower()]


def test_sent_and_request_pages_show_the_one_urgent_note(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    response = client.post(URL, _data(urgency=Urgency.URGENT), follow=True)
    support_request = SupportRequest.objects.get()
    for page in (response.content.decode(), client.get(support_request.get_absolute_url()).content.decode()):
        assert 'id="urgent-note"' in page
        assert "090-0000-1999" in page
        assert "call 119 (ambulance, fire) or 110 (police) first" in page


def test_a_different_request_right_after_is_a_new_one(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    client.post(URL, _data())
    client.post(URL, _data(subject="Another thing"))
    assert SupportRequest.objects.count() == 2


def test_someone_elses_token_is_not_accepted(client_for, alt_tokyo, alt_osaka):
    data = _data()
    client_for(alt_tokyo).post(URL, data)
    response = client_for(alt_osaka).post(URL, {**data, "subject": "Mine"})
    assert response.status_code == 422
    assert SupportRequest.objects.count() == 1
    assert "expired" in response.content.decode()


def test_missing_fields_keep_what_was_typed(client_for, alt_tokyo):
    response = client_for(alt_tokyo).post(URL, _data(subject=""))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Which documents do I need?" in page
    assert not SupportRequest.objects.exists()


def test_request_with_a_pdf_keeps_the_file(client_for, alt_tokyo, media_root):
    response = client_for(alt_tokyo).post(URL, {**_data(), "attachment": upload("lease.pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "lease.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.message is None
    assert "lease" not in attachment.file.name  # stored under a generated name
    assert (media_root / attachment.file.name).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("notes.txt", b'<html><body onload="alert(1)">hi</body></html>'),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    ],
)
def test_dangerous_files_are_refused_and_the_form_is_kept(client_for, alt_tokyo, name, content):
    response = client_for(alt_tokyo).post(URL, {**_data(), "attachment": upload(name, content, "text/plain")})
    assert response.status_code == 422
    page = response.content.decode()
    assert "cannot be attached" in page or "does not match" in page
    assert "Registering my address" in page
    assert "Which documents do I need?" in page
    assert not SupportRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_applicant_cannot_send_a_branch_category(client_for, applicant):
    # Before a branch is confirmed the form offers the questions of the placement phase only (test_grm_desk.py).
    response = client_for(applicant).post(URL, _data(category=Category.CITY_HALL))
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not SupportRequest.objects.exists()


def test_staff_and_outsiders_get_404(client_for, staff_tokyo, outsider):
    assert client_for(staff_tokyo).get(URL).status_code == 404
    assert client_for(outsider).get(URL).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_post_without_csrf_token_is_refused(alt_tokyo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alt_tokyo)
    assert client.post(URL, _data()).status_code == 403
    assert not SupportRequest.objects.exists()


def test_broker_down_still_saves_and_confirms_and_the_email_goes_out_once_later(
    client_for, alt_tokyo, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data())
    broker_down.back()  # the sweep runs the deliveries
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert support_request.reference in page
    assert mailoutbox == []
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 2
    assert deliver_pending_notifications() == 2
    assert deliver_pending_notifications() == 0
    assert len([m for m in mailoutbox if m.to == ["alt.tokyo@example.com"]]) == 1
    assert len(mailoutbox) == 2


def test_form_page_query_count_is_small(client_for, alt_tokyo, django_assert_max_num_queries):
    client = client_for(alt_tokyo)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
