"""The MC answers first: a new request goes to the ALT's Managing Consultant, who may hand it on with a note
the ALT never sees; the ALT sees who handles it now, and in which role."""

import uuid

import pytest
from django.urls import reverse

from contacts.models import Notification, StaffRole
from contacts.services import staff_role_grant
from support.models import Category, Message, Status, SupportRequest, Urgency
from testing.contacts import make_staff
from testing.forms import change_form_data
from testing.support import SupportRequestFactory

NEW = reverse("support:new")
CHANGELIST = reverse("admin:support_supportrequest_changelist")


def change_url(support_request):
    return reverse("admin:support_supportrequest_change", args=[support_request.pk])


def _send(client, **overrides):
    data = {
        "category": Category.BANK_ACCOUNT,
        "subject": "Opening a bank account",
        "details": "Which bank near my school?",
        "urgency": Urgency.NORMAL,
        "submit_token": str(uuid.uuid4()),
        **overrides,
    }
    return client.post(NEW, data)


def test_a_new_request_is_assigned_to_the_alts_mc_who_is_emailed_in_their_language(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)
    mc_tokyo.preferred_language = "ja"
    mc_tokyo.save()
    with django_capture_on_commit_callbacks(execute=True):
        _send(client_for(alt_tokyo))
    support_request = SupportRequest.objects.get()
    assert support_request.assignee == mc_tokyo
    assert support_request.status == Status.NEW  # nobody has answered yet
    to_mc = [mail for mail in mailoutbox if mail.to == ["mc.tokyo@example.com"]]
    assert len(to_mc) == 1
    assert "新しいサポート依頼" in to_mc[0].subject
    assert "あなたに割り当てられました" in to_mc[0].body
    assert not [mail for mail in mailoutbox if "staff.tokyo@example.com" in mail.to]
    # The ALT is told who will answer.
    to_alt = next(mail for mail in mailoutbox if mail.to == ["alt.tokyo@example.com"])
    assert mc_tokyo.display_name in to_alt.body


def test_an_mc_who_left_is_passed_over_for_the_branch_queue(
    client_for, alt_tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    StaffRole.objects.filter(user=mc_tokyo).delete()
    with django_capture_on_commit_callbacks(execute=True):
        _send(client_for(alt_tokyo))
    assert SupportRequest.objects.get().assignee is None
    assert ["tokyo@example.com"] in [mail.to for mail in mailoutbox]


def test_the_admin_lists_the_mcs_requests_with_assignee_me(client_for, alt_tokyo, mc_tokyo, staff_tokyo):
    _send(client_for(alt_tokyo))
    theirs = SupportRequest.objects.get()
    other = SupportRequestFactory(alt=alt_tokyo, subject="Someone else's", assignee=staff_tokyo)
    page = client_for(mc_tokyo).get(CHANGELIST, {"assignee": "me"}).content.decode()
    assert f">{theirs.reference}</a>" in page
    assert f">{other.reference}</a>" not in page


def _hand_on(client, support_request, to, note, django_capture_on_commit_callbacks):
    data = change_form_data(client, change_url(support_request))
    data.update(assignee=str(to.pk), handover_note=note)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(change_url(support_request), data)


def test_the_mc_hands_it_on_to_a_trainer_with_a_note_the_alt_never_sees(
    client_for, alt_tokyo, mc_tokyo, trainer_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    _send(client_for(alt_tokyo))
    support_request = SupportRequest.objects.get()
    mailoutbox.clear()
    mc = client_for(mc_tokyo)
    page = mc.get(change_url(support_request)).content.decode()
    assert f'<option value="{trainer_tokyo.pk}">{trainer_tokyo.display_name} — Trainer</option>' in page
    response = _hand_on(
        mc,
        support_request,
        trainer_tokyo,
        "She teaches at your school: please go with her.",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    support_request.refresh_from_db()
    assert support_request.assignee == trainer_tokyo
    note = Message.objects.get(support_request=support_request)
    assert note.is_internal and note.author == mc_tokyo
    # The trainer is emailed, with the note, and can now open the request.
    (mail,) = mailoutbox
    assert mail.to == [trainer_tokyo.email]
    assert "She teaches at your school" in mail.body
    assert client_for(trainer_tokyo).get(change_url(support_request)).status_code == 200
    # The ALT sees who handles it now and in which role, never the note.
    page = client_for(alt_tokyo).get(support_request.get_absolute_url()).content.decode()
    assert trainer_tokyo.display_name in page and "(Trainer)" in page
    assert "She teaches at your school" not in page
    assert not Notification.objects.filter(recipient=alt_tokyo, kind="support.assigned").exists()


@pytest.mark.parametrize("role", ["SCHEDULER", "SESPS", "MC"])
def test_the_mc_can_hand_on_to_a_scheduler_sesps_or_another_mc(
    client_for, tokyo, alt_tokyo, mc_tokyo, staff_tokyo, sesps, django_capture_on_commit_callbacks, role
):
    to = {
        "SCHEDULER": staff_tokyo,
        "SESPS": sesps,
        "MC": make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com"),
    }[role]
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    response = _hand_on(client_for(mc_tokyo), support_request, to, "Over to you.", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.assignee == to
    label = {"SCHEDULER": "(Scheduler)", "SESPS": "(SESPS trainer", "MC": "(Managing Consultant)"}[role]
    assert label in client_for(alt_tokyo).get(support_request.get_absolute_url()).content.decode()


def test_a_note_without_a_new_handler_is_refused_and_nothing_is_saved(client_for, alt_tokyo, mc_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    client = client_for(mc_tokyo)
    data = change_form_data(client, change_url(support_request))
    data.update(handover_note="For whoever takes it")
    response = client.post(change_url(support_request), data)
    assert response.status_code == 200
    assert "Choose who you hand the request on to" in response.content.decode()
    assert not Message.objects.exists()


def test_a_trainer_sees_only_what_is_handed_on_to_them(client_for, alt_tokyo, trainer_tokyo, mc_tokyo):
    mine = SupportRequestFactory(alt=alt_tokyo, assignee=trainer_tokyo, subject="Handed to the trainer")
    queue = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo, subject="Still the MC's")
    client = client_for(trainer_tokyo)
    page = client.get(CHANGELIST).content.decode()
    assert mine.reference in page and queue.reference not in page
    assert client.get(change_url(queue)).status_code == 404
    # Handed back, it is gone from them.
    SupportRequest.objects.filter(pk=mine.pk).update(assignee=mc_tokyo)
    assert client.get(change_url(mine)).status_code == 404


def test_a_request_handed_to_a_colleague_of_two_branches_stays_visible_once(client_for, osaka, alt_tokyo, staff_tokyo):
    # Scheduler in Tokyo and Osaka: the branch filter and "assigned to me" do not list a row twice.
    staff_role_grant(user=staff_tokyo, role=StaffRole.Role.SCHEDULER, branch=osaka)
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo)
    page = client_for(staff_tokyo).get(CHANGELIST).content.decode()
    assert page.count(f">{support_request.reference}</a>") == 1


def test_alt_request_list_shows_the_handlers_role_in_constant_queries(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo, django_assert_max_num_queries
):
    client = client_for(alt_tokyo)
    client.get(reverse("support:list"))
    SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    with django_assert_max_num_queries(6) as one:
        client.get(reverse("support:list"))
    for i in range(20):
        SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo if i % 2 else mc_tokyo)
    with django_assert_max_num_queries(6) as many:
        page = client.get(reverse("support:list")).content.decode()
    assert len(one.captured_queries) == len(many.captured_queries)
    assert "(Scheduler)" in page and "(Managing Consultant)" in page


def test_the_mc_changelist_query_count_does_not_grow(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo, django_assert_max_num_queries
):
    client = client_for(mc_tokyo)
    SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    client.get(CHANGELIST, {"assignee": "me"})
    with django_assert_max_num_queries(30) as one:
        client.get(CHANGELIST, {"assignee": "me"})
    for _ in range(20):
        SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    with django_assert_max_num_queries(30) as many:
        client.get(CHANGELIST, {"assignee": "me"})
    assert len(one.captured_queries) == len(many.captured_queries)
