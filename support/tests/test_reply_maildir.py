"""A self-hosted mail server delivers replies to a Maildir; read_reply_maildir posts each one once."""

import io

import pytest
from django.core.management import CommandError, call_command

from support.models import Attachment, InboundEmail, Message, Status
from support.reply_address import reply_address
from support.tasks import read_reply_maildir
from testing.inbound import maildir_with, reply_email
from testing.support import PDF_BYTES, SupportRequestFactory


@pytest.fixture
def waiting_request(alt_tokyo, mc_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo, status=Status.WAITING_ON_ALT)


def _read(path, django_capture_on_commit_callbacks) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("read_reply_maildir", str(path), stdout=out)
    return out.getvalue().strip()


def _alt_reply(support_request, **kwargs):
    address = reply_address(support_request_id=support_request.pk, user_id=support_request.alt_id)
    return reply_email(to=address, sender=support_request.alt.email, **kwargs)


def test_each_message_is_posted_or_bounced_once_and_moved_to_cur(
    tmp_path, waiting_request, alt_tokyo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    forged = reply_email(
        to=f"reply+1-2-3-aaaaaaaaaaaaaaaaaaaaaaaa@{settings.REPLY_DOMAIN}", sender=alt_tokyo.email, text="Hi"
    )
    box = maildir_with(tmp_path / "replies", _alt_reply(waiting_request, text="Done, thanks!"), forged)
    assert _read(tmp_path / "replies", django_capture_on_commit_callbacks) == "1 bounced, 1 posted"
    assert Message.objects.get(support_request=waiting_request).body == "Done, thanks!"
    assert [m.to for m in mailoutbox if "could not be added" in m.subject] == [[alt_tokyo.email]]
    assert not list((tmp_path / "replies" / "new").iterdir())
    assert all(message.get_subdir() == "cur" and "S" in message.get_flags() for message in box)
    sent = len(mailoutbox)
    assert _read(tmp_path / "replies", django_capture_on_commit_callbacks) == "No new messages."
    assert Message.objects.count() == 1 and len(mailoutbox) == sent


def test_a_copy_of_a_handled_message_posts_nothing(
    tmp_path, waiting_request, mailoutbox, django_capture_on_commit_callbacks
):
    reply = _alt_reply(waiting_request, text="Only once.")
    maildir_with(tmp_path / "replies", reply)
    _read(tmp_path / "replies", django_capture_on_commit_callbacks)
    sent = len(mailoutbox)
    maildir_with(tmp_path / "replies", reply)  # delivered again, same Message-ID
    _read(tmp_path / "replies", django_capture_on_commit_callbacks)
    assert Message.objects.count() == 1 and InboundEmail.objects.count() == 1
    assert len(mailoutbox) == sent


def test_a_pdf_is_attached_and_an_oversized_file_is_bounced(
    tmp_path, waiting_request, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    big = PDF_BYTES + b"0" * (10 * 1024 * 1024)
    maildir_with(
        tmp_path / "replies",
        _alt_reply(waiting_request, text="The lease.", files=[("lease.pdf", PDF_BYTES, "application/pdf")]),
        _alt_reply(waiting_request, text="The scan.", files=[("scan.pdf", big, "application/pdf")]),
    )
    _read(tmp_path / "replies", django_capture_on_commit_callbacks)
    [message] = Message.objects.filter(support_request=waiting_request)
    assert message.body == "The lease."
    assert [a.original_name for a in Attachment.objects.all()] == ["lease.pdf"]
    [bounce] = [m for m in mailoutbox if "could not be added" in m.subject]
    assert '"scan.pdf" cannot be attached' in bounce.body and "larger than 10 MB" in bounce.body


def test_the_scheduled_task_reads_reply_maildir_and_does_nothing_without_it(
    tmp_path, settings, waiting_request, django_capture_on_commit_callbacks
):
    settings.REPLY_MAILDIR = ""
    assert read_reply_maildir() == 0
    settings.REPLY_MAILDIR = str(tmp_path / "replies")
    maildir_with(tmp_path / "replies", _alt_reply(waiting_request, text="Read by the scheduler."))
    with django_capture_on_commit_callbacks(execute=True):
        assert read_reply_maildir() == 1
        assert read_reply_maildir() == 0  # run twice: nothing more
    assert Message.objects.get(support_request=waiting_request).body == "Read by the scheduler."


def test_a_missing_maildir_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="No Maildir"):
        call_command("read_reply_maildir", str(tmp_path / "nowhere"))


def test_without_a_path_or_setting_it_says_what_it_needs(settings, db):
    settings.REPLY_MAILDIR = ""
    with pytest.raises(CommandError, match="REPLY_MAILDIR"):
        call_command("read_reply_maildir")


def test_the_setting_names_the_maildir(tmp_path, settings, waiting_request, django_capture_on_commit_callbacks):
    settings.REPLY_MAILDIR = str(tmp_path / "replies")
    maildir_with(tmp_path / "replies", _alt_reply(waiting_request, text="Via the setting."))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("read_reply_maildir", stdout=out)
    assert out.getvalue().strip() == "1 posted"
    assert Message.objects.get(support_request=waiting_request).body == "Via the setting."
