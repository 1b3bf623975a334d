"""Files are served only through the access-checked view, as downloads."""

import pytest
from django.urls import reverse

from support.models import Attachment, Category
from testing.support import PDF_BYTES, PNG_BYTES, MessageFactory, SupportRequestFactory, upload


def _attach(support_request, *, message=None, name="lease.pdf", content=PDF_BYTES, content_type="application/pdf"):
    attachment = Attachment(
        support_request=support_request,
        message=message,
        original_name=name,
        content_type=content_type,
        size=len(content),
    )
    attachment.file.save(name, upload(name, content, content_type), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def request_with_file(alt_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo)
    return support_request, _attach(support_request)


def _url(attachment):
    return reverse("support:attachment", args=[attachment.support_request_id, attachment.pk])


def test_alt_downloads_their_file_as_an_attachment(client_for, alt_tokyo, request_with_file):
    _, attachment = request_with_file
    response = client_for(alt_tokyo).get(_url(attachment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="lease.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_file_is_stored_under_a_generated_name_in_media_root(request_with_file, media_root, settings):
    _, attachment = request_with_file
    path = media_root / attachment.file.name
    assert path.exists()
    assert "lease" not in path.name
    assert path.suffix == ".pdf"
    assert str(settings.STATIC_ROOT) not in str(path)
    assert attachment.file.url.startswith(settings.MEDIA_URL)  # an unroutable base: never served directly


def test_other_alt_gets_404(client_for, alt_osaka, request_with_file):
    _, attachment = request_with_file
    assert client_for(alt_osaka).get(_url(attachment)).status_code == 404


def test_attachment_of_another_request_through_my_request_gets_404(client_for, alt_tokyo, alt_osaka):
    mine = SupportRequestFactory(alt=alt_tokyo)
    theirs = _attach(SupportRequestFactory(alt=alt_osaka))
    url = reverse("support:attachment", args=[mine.pk, theirs.pk])
    assert client_for(alt_tokyo).get(url).status_code == 404


def test_branch_staff_download_their_branchs_files_only(client_for, staff_tokyo, staff_osaka, request_with_file):
    _, attachment = request_with_file
    assert client_for(staff_tokyo).get(_url(attachment)).status_code == 200
    assert client_for(staff_osaka).get(_url(attachment)).status_code == 404


def test_trainer_and_outsider_get_404(client_for, trainer_tokyo, outsider, request_with_file):
    _, attachment = request_with_file
    assert client_for(trainer_tokyo).get(_url(attachment)).status_code == 404
    assert client_for(outsider).get(_url(attachment)).status_code == 404


def test_anonymous_is_sent_to_login(client, request_with_file):
    _, attachment = request_with_file
    assert client.get(_url(attachment)).status_code == 302


def test_file_of_an_internal_note_is_hidden_from_the_alt(client_for, alt_tokyo, staff_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo)
    note = MessageFactory(support_request=support_request, author=staff_tokyo, from_staff=True, is_internal=True)
    attachment = _attach(
        support_request, message=note, name="internal.png", content=PNG_BYTES, content_type="image/png"
    )
    assert client_for(alt_tokyo).get(_url(attachment)).status_code == 404
    assert "internal.png" not in client_for(alt_tokyo).get(support_request.get_absolute_url()).content.decode()
    assert client_for(staff_tokyo).get(_url(attachment)).status_code == 200


def test_confidential_request_files_only_for_those_allowed(client_for, alt_tokyo, staff_tokyo, mc_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, category=Category.WELLBEING)
    attachment = _attach(support_request)
    assert client_for(alt_tokyo).get(_url(attachment)).status_code == 200
    assert client_for(mc_tokyo).get(_url(attachment)).status_code == 200
    assert client_for(staff_tokyo).get(_url(attachment)).status_code == 404


def test_download_refuses_post(client_for, alt_tokyo, request_with_file):
    _, attachment = request_with_file
    # A client without CSRF checks: the method, not the missing token, is what is refused.
    assert client_for(alt_tokyo).post(_url(attachment)).status_code == 405


def test_file_missing_on_disk_is_404_not_500(client_for, alt_tokyo, request_with_file):
    _, attachment = request_with_file
    attachment.file.storage.delete(attachment.file.name)
    assert client_for(alt_tokyo).get(_url(attachment)).status_code == 404


def test_non_ascii_file_name_is_kept_for_the_download(client_for, alt_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo)
    attachment = _attach(support_request, name="住民票.pdf")
    response = client_for(alt_tokyo).get(_url(attachment))
    assert "filename*=utf-8''%E4%BD%8F%E6%B0%91%E7%A5%A8.pdf" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")


def test_deleting_a_request_removes_its_files(
    client_for, superuser, request_with_file, media_root, django_capture_on_commit_callbacks
):
    support_request, attachment = request_with_file
    path = media_root / attachment.file.name
    url = reverse("admin:support_supportrequest_delete", args=[support_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(superuser).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert not path.exists()
