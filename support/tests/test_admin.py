"""Branch staff triage in the admin: scoped to their branch, with the thread, replies and locking."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Notification
from support.models import Category, Message, Status, SupportRequest, Urgency
from testing.contacts import make_alt, make_staff
from testing.forms import change_form_data
from testing.support import CannedReplyFactory, MessageFactory, SupportRequestFactory, upload

CHANGELIST = reverse("admin:support_supportrequest_changelist")


def change_url(support_request):
    return reverse("admin:support_supportrequest_change", args=[support_request.pk])


@pytest.fixture
def tokyo_request(alt_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, subject="Tokyo ceiling leak")


@pytest.fixture
def osaka_request(alt_osaka):
    return SupportRequestFactory(alt=alt_osaka, subject="Osaka bank account")


# --- scope --------------------------------------------------------------------------


def test_branch_staff_list_only_their_branch(client_for, staff_tokyo, tokyo_request, osaka_request):
    response = client_for(staff_tokyo).get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert tokyo_request.reference in page
    assert osaka_request.reference not in page


def test_mc_sees_their_branch_too(client_for, mc_tokyo, tokyo_request, osaka_request):
    page = client_for(mc_tokyo).get(CHANGELIST).content.decode()
    assert tokyo_request.reference in page
    assert osaka_request.reference not in page


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_other_branch_request_answers_404(client_for, staff_tokyo, superuser, osaka_request, view):
    url = reverse(f"admin:support_supportrequest_{view}", args=[osaka_request.pk])
    assert client_for(staff_tokyo).get(url).status_code == 404
    assert client_for(staff_tokyo).post(url, {"post": "yes"}).status_code == 404
    assert SupportRequest.objects.filter(pk=osaka_request.pk).exists()


def test_other_branch_request_cannot_be_found_by_search(client_for, staff_tokyo, osaka_request):
    page = client_for(staff_tokyo).get(CHANGELIST, {"q": osaka_request.reference}).content.decode()
    assert f">{osaka_request.reference}</a>" not in page
    assert "0 results" in page


def test_autocomplete_offers_only_own_branch_requests(client_for, staff_tokyo, osaka_request, tokyo_request):
    response = client_for(staff_tokyo).get(
        reverse("admin:autocomplete"),
        {"term": "SR", "app_label": "support", "model_name": "message", "field_name": "support_request"},
    )
    # Only what the user may see is offered.
    assert response.status_code == 200
    offered = {result["text"] for result in response.json()["results"]}
    assert offered == {tokyo_request.reference}


def test_bulk_action_cannot_touch_other_branch_rows(client_for, staff_tokyo, osaka_request, tokyo_request):
    response = client_for(staff_tokyo).post(
        CHANGELIST,
        {"action": "mark_resolved", "_selected_action": [osaka_request.pk, tokyo_request.pk], "index": 0},
    )
    assert response.status_code == 302
    osaka_request.refresh_from_db()
    tokyo_request.refresh_from_db()
    assert osaka_request.status == Status.NEW
    assert tokyo_request.status == Status.RESOLVED


def test_trainers_and_national_roles_cannot_open_the_branch_queue(client_for, trainer_tokyo, grm, sesps, tokyo_request):
    # They work what is handed on to them (and GRM its own desk, SESPS urgent requests): not the branch's queue.
    missing = tokyo_request.pk + 1000
    for user in (trainer_tokyo, grm, sesps):
        client = client_for(user)
        response = client.get(CHANGELIST)
        assert response.status_code == 200
        assert tokyo_request.reference not in response.content.decode()
        # The same answer for a request that exists and one that does not: existence is not revealed.
        for view in ("change", "history", "delete"):
            for pk in (tokyo_request.pk, missing):
                url = reverse(f"admin:support_supportrequest_{view}", args=[pk])
                assert client.get(url).status_code == 404, (user.email, view, pk)


def test_admin_scope_does_not_depend_on_the_shared_mixin(
    client_for, monkeypatch, trainer_tokyo, staff_osaka, staff_tokyo, tokyo_request
):
    from django.contrib import admin

    from contacts.scoping import BranchScopedAdminMixin

    # Were the shared mixin to scope nothing at all, the request admin would still answer 404.
    monkeypatch.setattr(
        BranchScopedAdminMixin, "get_queryset", lambda self, request: admin.ModelAdmin.get_queryset(self, request)
    )
    assert client_for(trainer_tokyo).get(change_url(tokyo_request)).status_code == 404
    assert client_for(staff_osaka).get(change_url(tokyo_request)).status_code == 404
    assert client_for(staff_tokyo).get(change_url(tokyo_request)).status_code == 200


def test_superuser_sees_every_branch(client_for, superuser, tokyo_request, osaka_request):
    page = client_for(superuser).get(CHANGELIST).content.decode()
    assert tokyo_request.reference in page and osaka_request.reference in page


def test_change_post_without_csrf_token_is_refused(staff_tokyo, tokyo_request):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_tokyo)
    assert client.post(change_url(tokyo_request), {"status": "RESOLVED"}).status_code == 403
    assert (
        client.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [tokyo_request.pk]}).status_code == 403
    )
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.NEW


# --- the changelist -----------------------------------------------------------------


def test_urgent_and_overdue_come_first(client_for, staff_tokyo, alt_tokyo, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    calm = SupportRequestFactory(alt=alt_tokyo, subject="Calm", due_at=now + timedelta(days=2))
    overdue = SupportRequestFactory(alt=alt_tokyo, subject="Late", due_at=now - timedelta(hours=1))
    urgent = SupportRequestFactory(
        alt=alt_tokyo, subject="Fire", urgency=Urgency.URGENT, due_at=now + timedelta(hours=3)
    )
    done = SupportRequestFactory(alt=alt_tokyo, subject="Done", status=Status.RESOLVED, due_at=now - timedelta(days=9))
    page = client_for(staff_tokyo).get(CHANGELIST).content.decode()
    # Urgent first, then the other open requests by due time (overdue first), then the rest.
    positions = [page.index(r.reference) for r in (urgent, overdue, calm, done)]
    assert positions == sorted(positions)
    assert "overdue" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status__exact": "WAITING_ON_ALT"}, {"Req-waiting"}),
        ({"category__exact": "HOUSING"}, {"Req-housing"}),
        ({"urgency__exact": "URGENT"}, {"Req-urgent"}),
        ({"assignee": "me"}, {"Req-mine"}),
        ({"assignee": "none"}, {"Req-waiting", "Req-housing", "Req-urgent", "Req-late"}),
        ({"overdue": "yes"}, {"Req-late"}),
        ({"q": "req-housing"}, {"Req-housing"}),
    ],
)
def test_filters_and_search(client_for, staff_tokyo, alt_tokyo, params, expected):
    now = timezone.now()
    SupportRequestFactory(alt=alt_tokyo, subject="Req-waiting", status=Status.WAITING_ON_ALT)
    SupportRequestFactory(alt=alt_tokyo, subject="Req-housing", category="HOUSING")
    SupportRequestFactory(alt=alt_tokyo, subject="Req-urgent", urgency=Urgency.URGENT)
    SupportRequestFactory(alt=alt_tokyo, subject="Req-mine", assignee=staff_tokyo)
    SupportRequestFactory(alt=alt_tokyo, subject="Req-late", due_at=now - timedelta(hours=2))
    page = client_for(staff_tokyo).get(CHANGELIST, params).content.decode()
    shown = {s for s in ("Req-waiting", "Req-housing", "Req-urgent", "Req-mine", "Req-late") if f">{s}</a>" in page}
    assert shown == expected


def test_the_assignee_filter_offers_the_branchs_handlers_only(
    client_for, staff_tokyo, mc_tokyo, trainer_tokyo, staff_osaka, alt_tokyo
):
    page = client_for(staff_tokyo).get(CHANGELIST).content.decode()
    assert f"?assignee={mc_tokyo.pk}" in page
    assert f"?assignee={trainer_tokyo.pk}" in page  # a request may be handed on to a trainer
    assert f"?assignee={staff_osaka.pk}" not in page  # not to anyone of another branch


def test_search_by_reference_and_alt_name(client_for, staff_tokyo, alt_tokyo, tokyo_request):
    other_alt = make_alt(branch=alt_tokyo.alt_profile.branch, email="zed@example.com")
    other_alt.first_name = "Zed"
    other_alt.save()
    other = SupportRequestFactory(alt=other_alt, subject="Other one")
    client = client_for(staff_tokyo)
    page = client.get(CHANGELIST, {"q": tokyo_request.reference}).content.decode()
    assert f">{tokyo_request.reference}</a>" in page and other.reference not in page
    page = client.get(CHANGELIST, {"q": "Zed"}).content.decode()
    assert other.reference in page and tokyo_request.reference not in page


def test_changelist_query_count_is_the_same_for_1_and_50_requests(
    client_for, staff_tokyo, alt_tokyo, mc_tokyo, django_assert_max_num_queries
):
    client = client_for(staff_tokyo)
    client.get(CHANGELIST)  # the first request of a session also refreshes the session's expiry
    SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo)
    with django_assert_max_num_queries(12) as one:
        client.get(CHANGELIST)
    for i in range(49):
        SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo if i % 2 else None, urgency=Urgency.URGENT)
    with django_assert_max_num_queries(12) as fifty:
        page = client.get(CHANGELIST).content.decode()
    assert page.count("SR-") >= 50
    assert len(one.captured_queries) == len(fifty.captured_queries)


# --- the change page ----------------------------------------------------------------


def test_the_change_page_reads_the_same_queries_for_2_or_12_messages(
    client_for, staff_tokyo, alt_tokyo, mc_tokyo, django_assert_max_num_queries
):
    """Each message of the thread is named by its author and its request (the rows' names are read along)."""
    support_request = SupportRequestFactory(alt=alt_tokyo)
    url = reverse("admin:support_supportrequest_change", args=[support_request.pk])
    client = client_for(staff_tokyo)
    client.get(url)  # the first request of a session also refreshes the session's expiry
    counts = []
    for messages in (2, 12):
        while Message.objects.filter(support_request=support_request).count() < messages:
            MessageFactory(support_request=support_request, author=mc_tokyo)
        with django_assert_max_num_queries(20) as captured:
            page = client.get(url).content.decode()
        assert page.count(f"on {support_request.reference}") == messages
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_change_page_shows_the_thread_with_internal_notes(client_for, staff_tokyo, tokyo_request):
    MessageFactory(support_request=tokyo_request, body="From the ALT")
    MessageFactory(support_request=tokyo_request, author=staff_tokyo, from_staff=True, is_internal=True, body="Note")
    page = client_for(staff_tokyo).get(change_url(tokyo_request)).content.decode()
    assert "From the ALT" in page
    assert "Note" in page
    assert "Internal note (staff only)" in page
    assert page.index("From the ALT") < page.index('name="reply"')


def test_staff_reply_is_emailed_to_the_alt_in_their_language(
    client_for, staff_tokyo, alt_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(reply="Please bring your passport.", reply_visibility="reply")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(tokyo_request), data)
    assert response.status_code == 302, response.content.decode()
    message = Message.objects.get(body="Please bring your passport.")
    assert message.from_staff and not message.is_internal and message.author == staff_tokyo
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.IN_PROGRESS
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alt.tokyo@example.com"]
    assert "Please bring your passport." in mailoutbox[0].body
    assert "返信" in mailoutbox[0].subject
    page = client_for(alt_tokyo).get(tokyo_request.get_absolute_url()).content.decode()
    assert "Please bring your passport." in page


def test_internal_note_never_reaches_the_alt(
    client_for, staff_tokyo, alt_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(reply="Check the visa first.", reply_visibility="internal", reply_attachment=upload("memo.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(tokyo_request), data)
    assert response.status_code == 302
    assert Message.objects.get(body="Check the visa first.").is_internal
    assert mailoutbox == []
    assert not Notification.objects.filter(recipient=alt_tokyo).exists()
    page = client_for(alt_tokyo).get(tokyo_request.get_absolute_url()).content.decode()
    assert "Check the visa first." not in page
    assert "memo.pdf" not in page
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.NEW


def test_canned_reply_is_used_when_the_box_is_empty(
    client_for, staff_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    canned = CannedReplyFactory(category=tokyo_request.category, body="Bring your residence card.")
    CannedReplyFactory(category="DOCTOR", title="Not offered", body="Clinics")
    client = client_for(staff_tokyo)
    page = client.get(change_url(tokyo_request)).content.decode()
    assert 'data-body="Bring your residence card."' in page
    assert "Not offered" not in page
    data = change_form_data(client, change_url(tokyo_request))
    data.update(canned_reply=str(canned.pk), reply="")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(tokyo_request), data)
    assert Message.objects.filter(body="Bring your residence card.", from_staff=True).exists()
    assert "Bring your residence card." in mailoutbox[0].body


def _assignment_refused(client, support_request, person) -> bool:
    """Does the change form refuse `person` as assignee, as a choice not offered?"""
    data = change_form_data(client, change_url(support_request))
    data["assignee"] = str(person.pk)
    response = client.post(change_url(support_request), data)
    return response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_assignee_must_be_a_colleague_of_the_branch(client_for, staff_tokyo, staff_osaka, mc_tokyo, tokyo_request):
    client = client_for(staff_tokyo)
    page = client.get(change_url(tokyo_request)).content.decode()
    assert f'<option value="{mc_tokyo.pk}"' in page
    assert f'<option value="{staff_osaka.pk}"' not in page
    assert _assignment_refused(client, tokyo_request, staff_osaka)
    tokyo_request.refresh_from_db()
    assert tokyo_request.assignee is None


def test_only_active_staff_who_handle_requests_are_offered_as_assignees(
    client_for, tokyo, staff_tokyo, mc_tokyo, trainer_tokyo, tokyo_request, mailoutbox
):
    former = make_staff(role="SCHEDULER", branch=tokyo, email="former.tokyo@example.com")
    former.is_active = False
    former.save()
    client = client_for(staff_tokyo)
    page = client.get(change_url(tokyo_request)).content.decode()
    assert f'<option value="{mc_tokyo.pk}"' in page
    assert f'<option value="{staff_tokyo.pk}"' in page
    # A trainer may be handed a request (and then opens it); one who left may not.
    assert f'<option value="{trainer_tokyo.pk}"' in page
    assert client_for(trainer_tokyo).get(change_url(tokyo_request)).status_code == 404
    assert f'<option value="{former.pk}"' not in page
    assert _assignment_refused(client, tokyo_request, former)
    tokyo_request.refresh_from_db()
    assert tokyo_request.assignee is None
    assert mailoutbox == []


def test_the_services_refuse_someone_of_another_branch_too(staff_tokyo, staff_osaka, tokyo_request, mailoutbox):
    from django.core.exceptions import ValidationError

    from support.services import ActionOutcome, support_request_assign, support_request_staff_save

    outcome = support_request_assign(support_request=tokyo_request, assignee=staff_osaka, by=staff_tokyo)
    assert outcome == ActionOutcome.NOT_COLLEAGUE
    tokyo_request.assignee = staff_osaka
    with pytest.raises(ValidationError) as refused:
        support_request_staff_save(
            support_request=tokyo_request, changed_fields=["assignee"], by=staff_tokyo, expected_version=1
        )
    assert "Assign the request to someone of its branch." in refused.value.messages
    assert SupportRequest.objects.get(pk=tokyo_request.pk).assignee is None
    assert not Notification.objects.filter(kind="support.assigned").exists()


def test_assigning_a_colleague_tells_them(
    client_for, staff_tokyo, mc_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data["assignee"] = str(mc_tokyo.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(tokyo_request), data).status_code == 302
    tokyo_request.refresh_from_db()
    assert tokyo_request.assignee == mc_tokyo
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]


def test_changing_urgency_moves_the_due_time(client_for, staff_tokyo, tokyo_request):
    before = tokyo_request.due_at
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data["urgency"] = Urgency.URGENT
    client.post(change_url(tokyo_request), data)
    tokyo_request.refresh_from_db()
    assert tokyo_request.due_at < before


def test_changing_urgency_after_a_reopen_counts_from_the_reopen(client_for, staff_tokyo, alt_tokyo, time_machine):
    from support.services import support_request_due_at, support_request_mark_solved, support_request_reopen

    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)  # a Monday
    support_request = SupportRequestFactory(alt=alt_tokyo)
    support_request_mark_solved(support_request=support_request, by=alt_tokyo)
    time_machine.move_to("2026-06-15 10:00 +09:00", tick=False)  # two weeks later, a Monday
    reopened_at = timezone.now()
    support_request_reopen(support_request=support_request, by=alt_tokyo)
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(support_request))
    data["urgency"] = Urgency.HIGH
    assert client.post(change_url(support_request), data).status_code == 302
    support_request.refresh_from_db()
    assert support_request.due_at == support_request_due_at(
        branch=support_request.branch, urgency=Urgency.HIGH, start=reopened_at
    )
    assert not support_request.is_overdue


@pytest.mark.parametrize(("was", "now_status"), [(Status.RESOLVED, Status.IN_PROGRESS), (Status.CLOSED, Status.NEW)])
def test_staff_reopening_a_request_gives_it_a_new_due_time_from_now(
    client_for, staff_tokyo, alt_tokyo, time_machine, mailoutbox, django_capture_on_commit_callbacks, was, now_status
):
    from support.services import support_request_due_at, support_requests_flag_overdue

    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)  # a Monday
    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Water bill", assignee=staff_tokyo)
    support_request.status, support_request.resolved_at = was, timezone.now()
    support_request.save()
    time_machine.move_to("2026-06-15 10:00 +09:00", tick=False)  # two weeks later, a Monday
    reopened_at = timezone.now()
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(support_request))
    data["status"] = now_status
    assert client.post(change_url(support_request), data).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == now_status and support_request.resolved_at is None
    # Counted from the reopen, as when the ALT reopens it: three office days, not overdue at once.
    assert support_request.reopened_at == reopened_at
    assert support_request.due_at == support_request_due_at(
        branch=support_request.branch, urgency=Urgency.NORMAL, start=reopened_at
    )
    assert timezone.localtime(support_request.due_at).strftime("%Y-%m-%d %H:%M") == "2026-06-18 10:00"
    page = client.get(CHANGELIST).content.decode()
    assert "Thu 18 Jun 2026, 10:00" in page
    assert "overdue</strong>" not in page
    assert client.get(CHANGELIST, {"overdue": "yes"}).content.decode().count("Water bill") == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert support_requests_flag_overdue() == 0
    assert mailoutbox == []


def test_staff_reopening_with_a_new_urgency_counts_it_from_the_reopen(client_for, staff_tokyo, alt_tokyo, time_machine):
    from support.services import support_request_due_at

    time_machine.move_to("2026-06-01 10:00 +09:00", tick=False)
    support_request = SupportRequestFactory(alt=alt_tokyo, status=Status.RESOLVED, resolved_at=timezone.now())
    time_machine.move_to("2026-06-15 10:00 +09:00", tick=False)
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(support_request))
    data.update(status=Status.IN_PROGRESS, urgency=Urgency.URGENT)
    assert client.post(change_url(support_request), data).status_code == 302
    support_request.refresh_from_db()
    assert support_request.due_at == support_request_due_at(
        branch=support_request.branch, urgency=Urgency.URGENT, start=timezone.now()
    )
    assert not support_request.is_overdue


def test_staff_moving_between_open_statuses_keeps_the_due_time(client_for, staff_tokyo, tokyo_request):
    before = tokyo_request.due_at
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data["status"] = Status.WAITING_ON_ALT
    assert client.post(change_url(tokyo_request), data).status_code == 302
    tokyo_request.refresh_from_db()
    assert tokyo_request.due_at == before and tokyo_request.reopened_at is None


def test_closed_request_help_text_does_not_leak_to_the_next_form(client_for, staff_tokyo, alt_tokyo, tokyo_request):
    closed = SupportRequestFactory(alt=alt_tokyo, status=Status.CLOSED)
    client = client_for(staff_tokyo)
    assert "The request is closed" in client.get(change_url(closed)).content.decode()
    assert "The request is closed" not in client.get(change_url(tokyo_request)).content.decode()


# --- well-being and the assignee --------------------------------------------------------


def test_moving_to_wellbeing_and_assigning_a_scheduler_in_one_save_is_a_form_error(
    client_for, mc_tokyo, staff_tokyo, tokyo_request
):
    client = client_for(mc_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(category=Category.WELLBEING, assignee=str(staff_tokyo.pk))
    response = client.post(change_url(tokyo_request), data)
    assert response.status_code == 200
    assert "may not read well-being requests" in response.context["adminform"].form.errors["assignee"][0]
    tokyo_request.refresh_from_db()
    assert tokyo_request.category == Category.CITY_HALL and tokyo_request.assignee is None


def test_moving_to_wellbeing_and_assigning_the_mc_in_one_save_works(client_for, mc_tokyo, tokyo_request):
    client = client_for(mc_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(category=Category.WELLBEING, assignee=str(mc_tokyo.pk))
    assert client.post(change_url(tokyo_request), data).status_code == 302
    tokyo_request.refresh_from_db()
    assert tokyo_request.category == Category.WELLBEING and tokyo_request.assignee == mc_tokyo


def test_a_request_assigned_to_a_scheduler_cannot_be_moved_to_wellbeing(client_for, mc_tokyo, staff_tokyo, alt_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo, status=Status.IN_PROGRESS)
    client = client_for(mc_tokyo)
    data = change_form_data(client, change_url(support_request))
    data["category"] = Category.WELLBEING
    response = client.post(change_url(support_request), data)
    assert response.status_code == 200
    assert "may not read well-being requests" in response.context["adminform"].form.errors["assignee"][0]
    support_request.refresh_from_db()
    assert support_request.category == Category.CITY_HALL
    # Unassigning in the same save is accepted.
    data["assignee"] = ""
    assert client.post(change_url(support_request), data).status_code == 302
    support_request.refresh_from_db()
    assert support_request.category == Category.WELLBEING and support_request.assignee is None


def test_the_service_refuses_to_move_to_wellbeing_while_the_assignee_may_not_read_it(mc_tokyo, staff_tokyo, alt_tokyo):
    from django.core.exceptions import ValidationError

    from support.services import support_request_staff_save

    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo, status=Status.IN_PROGRESS)
    support_request.category = Category.WELLBEING
    with pytest.raises(ValidationError) as refused:
        support_request_staff_save(
            support_request=support_request, changed_fields=["category"], by=mc_tokyo, expected_version=1
        )
    assert refused.value.code == "assignee"
    assert SupportRequest.objects.get(pk=support_request.pk).category == Category.CITY_HALL


def test_version_check_is_a_service(staff_tokyo, tokyo_request):
    from support.services import StaleRequestError, support_request_check_version, support_request_set_status

    support_request_check_version(pk=tokyo_request.pk, expected=1)
    support_request_set_status(support_request=tokyo_request, status=Status.IN_PROGRESS, by=staff_tokyo)
    with pytest.raises(StaleRequestError):
        support_request_check_version(pk=tokyo_request.pk, expected=1)


def test_resolving_emails_the_alt(
    client_for, staff_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data["status"] = Status.RESOLVED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(tokyo_request), data)
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.RESOLVED and tokyo_request.resolved_at is not None
    assert mailoutbox[0].to == ["alt.tokyo@example.com"]
    assert "resolved" in mailoutbox[0].subject


def test_bad_reply_file_is_refused_and_the_reply_kept(client_for, staff_tokyo, tokyo_request):
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(reply="Here is the map.", reply_attachment=upload("map.svg", b"<svg onload=alert(1)></svg>"))
    response = client.post(change_url(tokyo_request), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be attached" in page
    assert "Here is the map." in page
    assert not Message.objects.exists()


# --- two editors -----------------------------------------------------------------------


def test_second_of_two_editors_is_refused_with_a_clear_message(client_for, staff_tokyo, mc_tokyo, tokyo_request):
    first, second = client_for(staff_tokyo), client_for(mc_tokyo)
    first_data = change_form_data(first, change_url(tokyo_request))
    second_data = change_form_data(second, change_url(tokyo_request))
    first_data["status"] = Status.WAITING_ON_ALT
    assert first.post(change_url(tokyo_request), first_data).status_code == 302
    second_data.update(status=Status.RESOLVED, reply="My reply is kept on the page.")
    response = second.post(change_url(tokyo_request), second_data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed this request" in page
    assert "while you were editing it" in page
    assert "Aiko" in page  # who made the change
    assert "My reply is kept on the page." in page
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.WAITING_ON_ALT
    assert not Message.objects.exists()


def test_alt_reply_meanwhile_also_makes_the_staff_form_stale(client_for, staff_tokyo, alt_tokyo, tokyo_request):
    staff = client_for(staff_tokyo)
    data = change_form_data(staff, change_url(tokyo_request))
    client_for(alt_tokyo).post(reverse("support:reply", args=[tokyo_request.pk]), {"body": "Any news?"})
    data["status"] = Status.CLOSED
    response = staff.post(change_url(tokyo_request), data)
    assert response.status_code == 200
    assert "while you were editing it" in response.content.decode()
    tokyo_request.refresh_from_db()
    assert tokyo_request.status == Status.NEW


# --- history -------------------------------------------------------------------------


def test_every_change_is_recorded_with_who_and_when(client_for, staff_tokyo, mc_tokyo, tokyo_request):
    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data.update(status=Status.IN_PROGRESS, assignee=str(mc_tokyo.pk), urgency=Urgency.HIGH)
    assert client.post(change_url(tokyo_request), data).status_code == 302
    record = tokyo_request.history.order_by("-history_date").first()
    assert record.history_user == staff_tokyo
    assert {change.field for change in record.diff_against(record.prev_record).changes} >= {
        "status",
        "assignee",
        "urgency",
    }
    page = client.get(reverse("admin:support_supportrequest_history", args=[tokyo_request.pk])).content.decode()
    assert "Aiko" in page
    assert "In progress" in page or "IN_PROGRESS" in page
    change_page = client.get(change_url(tokyo_request)).content.decode()
    assert "status: New → In progress" in change_page
    assert "urgency: Normal → High" in change_page


def test_reverting_from_history_is_not_offered(client_for, staff_tokyo, tokyo_request):
    record = tokyo_request.history.first()
    url = reverse("admin:support_supportrequest_simple_history", args=[tokyo_request.pk, record.history_id])
    assert client_for(staff_tokyo).get(url).status_code == 404


# --- actions ---------------------------------------------------------------------------


def test_assign_to_me_and_mark_in_progress(client_for, staff_tokyo, tokyo_request):
    client = client_for(staff_tokyo)
    client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": [tokyo_request.pk], "index": 0})
    tokyo_request.refresh_from_db()
    assert tokyo_request.assignee == staff_tokyo
    assert tokyo_request.status == Status.IN_PROGRESS
    assert tokyo_request.history.order_by("-history_date").first().history_user == staff_tokyo


def test_assign_to_me_skips_branches_i_do_not_work_for(client_for, grm, superuser, tokyo_request):
    client = client_for(superuser)
    response = client.post(
        CHANGELIST, {"action": "assign_to_me", "_selected_action": [tokyo_request.pk], "index": 0}, follow=True
    )
    tokyo_request.refresh_from_db()
    assert tokyo_request.assignee is None
    assert "you do not work for" in response.content.decode()


def _act(client, action, requests):
    """Post a bulk action on the changelist and return the page it leads to, with its messages."""
    response = client.post(
        CHANGELIST, {"action": action, "_selected_action": [r.pk for r in requests], "index": 0}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def test_assign_to_me_takes_only_unassigned_requests_and_says_what_it_left(
    client_for, staff_tokyo, mc_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    free = SupportRequestFactory(alt=alt_tokyo)
    # Taken by a colleague after the list was loaded: never silently taken over.
    colleagues = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo, status=Status.IN_PROGRESS)
    mine = SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo, status=Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        page = _act(client_for(staff_tokyo), "assign_to_me", [free, colleagues, mine])
    for support_request in (free, colleagues, mine):
        support_request.refresh_from_db()
    assert (free.assignee, free.status) == (staff_tokyo, Status.IN_PROGRESS)
    assert (colleagues.assignee, colleagues.version) == (mc_tokyo, 1)
    assert (mine.assignee, mine.version) == (staff_tokyo, 1)
    assert "1 request assigned to you." in page
    assert "1 request was already yours." in page
    assert "1 request was left to the colleague it is assigned to" in page
    assert mailoutbox == []  # nobody assigned anyone else


def test_mark_in_progress_leaves_resolved_and_closed_requests_alone(
    client_for, staff_tokyo, mc_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    new = SupportRequestFactory(alt=alt_tokyo)
    waiting = SupportRequestFactory(alt=alt_tokyo, status=Status.WAITING_ON_ALT)
    started = SupportRequestFactory(alt=alt_tokyo, status=Status.IN_PROGRESS)
    resolved_at = timezone.now() - timedelta(hours=1)
    # Resolved by a colleague (or the ALT) after the list was loaded.
    resolved = SupportRequestFactory(alt=alt_tokyo, status=Status.RESOLVED, resolved_at=resolved_at)
    closed = SupportRequestFactory(alt=alt_tokyo, status=Status.CLOSED, resolved_at=resolved_at)
    with django_capture_on_commit_callbacks(execute=True):
        page = _act(client_for(staff_tokyo), "mark_in_progress", [new, waiting, started, resolved, closed])
    for support_request in (new, waiting, started, resolved, closed):
        support_request.refresh_from_db()
    assert new.status == waiting.status == started.status == Status.IN_PROGRESS
    assert (resolved.status, resolved.resolved_at, resolved.version) == (Status.RESOLVED, resolved_at, 1)
    assert (closed.status, closed.resolved_at, closed.version) == (Status.CLOSED, resolved_at, 1)
    assert started.version == 1
    assert "2 requests in progress." in page
    assert "1 request was already in progress." in page
    assert "2 requests were left as they are: they are resolved or closed." in page
    assert mailoutbox == []
    alt_page = client_for(alt_tokyo).get(reverse("support:list")).content.decode()
    assert alt_page.count("Resolved") == 1 and alt_page.count("Closed") == 1


def test_mark_resolved_resolves_only_open_requests_and_says_what_it_left(
    client_for, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    open_one = SupportRequestFactory(alt=alt_tokyo, status=Status.WAITING_ON_ALT)
    resolved_at = timezone.now() - timedelta(days=20)
    resolved = SupportRequestFactory(alt=alt_tokyo, status=Status.RESOLVED, resolved_at=resolved_at)
    closed = SupportRequestFactory(alt=alt_tokyo, status=Status.CLOSED, resolved_at=resolved_at)
    with django_capture_on_commit_callbacks(execute=True):
        page = _act(client_for(staff_tokyo), "mark_resolved", [open_one, resolved, closed])
    for support_request in (open_one, resolved, closed):
        support_request.refresh_from_db()
    assert open_one.status == Status.RESOLVED and open_one.resolved_at is not None
    assert (resolved.status, resolved.resolved_at, resolved.version) == (Status.RESOLVED, resolved_at, 1)
    # A closed request is not made resolved again (which would let the ALT reopen it for 14 more days).
    assert (closed.status, closed.version) == (Status.CLOSED, 1)
    assert "1 request resolved." in page
    assert "1 request was already resolved." in page
    assert "1 request was left as it is: it is closed." in page
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]
    assert open_one.reference in mailoutbox[0].subject


def test_mark_resolved_action_emails_each_alt_once(
    client_for, staff_tokyo, tokyo_request, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [tokyo_request.pk], "index": 0})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [tokyo_request.pk], "index": 0})
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]


# --- canned replies --------------------------------------------------------------------


def test_branch_staff_edit_their_canned_replies_but_not_the_shared_ones(client_for, staff_tokyo, tokyo, osaka):
    shared = CannedReplyFactory(branch=None, title="Shared")
    own = CannedReplyFactory(branch=tokyo, title="Tokyo's")
    other = CannedReplyFactory(branch=osaka, title="Osaka's")
    client = client_for(staff_tokyo)
    page = client.get(reverse("admin:support_cannedreply_changelist")).content.decode()
    assert "Shared" in page and "Tokyo&#x27;s" in page and "Osaka" not in page
    assert client.get(reverse("admin:support_cannedreply_change", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("admin:support_cannedreply_change", args=[shared.pk]),
        {"category": "CITY_HALL", "title": "Changed", "body": "x", "is_active": "on", "branch": ""},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:support_cannedreply_change", args=[own.pk]),
        {"category": "CITY_HALL", "title": "Tokyo's", "body": "New text", "is_active": "on", "branch": str(tokyo.pk)},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.body == "New text"


# --- what people typed -----------------------------------------------------------------


def test_script_in_subject_details_and_thread_is_shown_as_text_in_the_admin(client_for, staff_tokyo, alt_tokyo):
    payload = '<script>alert("x")</script>"><img src=x onerror=alert(1)> javascript:alert(1)'
    support_request = SupportRequestFactory(alt=alt_tokyo, subject=payload[:200], details=payload)
    MessageFactory(support_request=support_request, body=payload)
    client = client_for(staff_tokyo)
    for url in (CHANGELIST, change_url(support_request)):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;" in page


def test_log_entries_do_not_keep_the_subject(client_for, staff_tokyo, tokyo_request):
    from django.contrib.admin.models import LogEntry

    client = client_for(staff_tokyo)
    data = change_form_data(client, change_url(tokyo_request))
    data["status"] = Status.IN_PROGRESS
    client.post(change_url(tokyo_request), data)
    entry = LogEntry.objects.get()
    assert entry.object_repr == tokyo_request.reference
    assert "ceiling" not in entry.object_repr


def test_new_staff_member_gets_the_roles_permissions(tokyo):
    scheduler = make_staff(role="SCHEDULER", branch=tokyo, email="new.scheduler@example.com")
    assert scheduler.has_perm("support.change_supportrequest")
    assert not scheduler.has_perm("support.view_confidential_request")
    mc = make_staff(role="MC", branch=tokyo, email="new.mc@example.com")
    assert mc.has_perm("support.view_confidential_request")


def test_the_history_page_reads_the_same_queries_for_three_changes_or_twelve(client_for, staff_tokyo, tokyo_request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    colleagues = [make_staff(branch=tokyo_request.branch, role="SCHEDULER") for _ in range(4)]
    client = client_for(staff_tokyo)
    url = reverse("admin:support_supportrequest_history", args=[tokyo_request.pk])

    def change(times):
        for n in range(times):
            tokyo_request.assignee = colleagues[n % len(colleagues)]
            tokyo_request.urgency = [Urgency.NORMAL, Urgency.HIGH][n % 2]
            tokyo_request.save()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        return len(captured)

    change(2)
    queries()  # the first page of a session loads what later pages find cached
    few = queries()
    change(9)
    page = client.get(url).content.decode()
    assert all(colleague.display_name in page for colleague in colleagues)
    assert queries() == few
