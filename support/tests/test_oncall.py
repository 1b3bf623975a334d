"""Urgent help out of hours: the person on call is emailed at once, with a signed link to acknowledge; not
acknowledged within 30 minutes, the next person on the rota and SESPS are. The rota refuses overlaps."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import StaffRole
from support.models import Category, OnCallShift, SupportRequest, Urgency, UrgentAlert
from support.selectors import rota_gaps, urgent_alert_ack_token
from support.tasks import escalate_urgent_requests
from testing.concurrency import run_at_once
from testing.contacts import make_staff
from testing.forms import change_form_data
from testing.support import OnCallShiftFactory, SupportRequestFactory, jst, request_sent_by

NEW = reverse("support:new")
ROTA = reverse("admin:support_oncallshift_changelist")
ROTA_ADD = reverse("admin:support_oncallshift_add")


@pytest.fixture
def rota(tokyo, mc_tokyo, staff_tokyo):
    """Monday night 2026-06-01 18:00 to Tuesday 09:00: the MC; then Tuesday night: the scheduler."""
    mc_tokyo.phone = "090-1234-0001"
    mc_tokyo.save()
    first = OnCallShiftFactory(
        branch=tokyo,
        person=mc_tokyo,
        starts_at=jst("2026-06-01 18:00"),
        ends_at=jst("2026-06-02 09:00"),
        phone="090-1234-0001",
    )
    second = OnCallShiftFactory(
        branch=tokyo, person=staff_tokyo, starts_at=jst("2026-06-02 18:00"), ends_at=jst("2026-06-03 09:00")
    )
    return first, second


def _send_urgent(client, **overrides):
    data = {
        "category": Category.HOUSING,
        "subject": "Water pouring from the ceiling",
        "details": "The flat above is flooding into mine.",
        "urgency": Urgency.URGENT,
        "submit_token": str(uuid.uuid4()),
        **overrides,
    }
    return client.post(NEW, data, follow=True)


def _mail_to(mailoutbox, email):
    return [mail for mail in mailoutbox if mail.to == [email]]


def test_an_urgent_request_at_2200_calls_out_the_person_on_call_and_tells_the_alt_who(
    client_for, alt_tokyo, rota, mc_tokyo, sesps, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send_urgent(client_for(alt_tokyo))
    alert = UrgentAlert.objects.get()
    assert alert.on_call == mc_tokyo and alert.shift == rota[0]
    page = response.content.decode()
    assert 'id="on-call"' in page
    assert f"{mc_tokyo.display_name} is on call and has been alerted" in page
    assert "090-1234-0001" in page  # their phone
    assert "090-0000-1999" in page  # the branch's emergency phone
    assert "119 (ambulance, fire) or 110 (police)" in page
    (call_out,) = [m for m in _mail_to(mailoutbox, mc_tokyo.email) if "on call" in m.subject]
    assert "URGENT" in call_out.subject
    assert "/support/urgent/" in call_out.body
    assert not _mail_to(mailoutbox, sesps.email)


def test_during_office_hours_nobody_is_called_out(client_for, alt_tokyo, rota, time_machine):
    time_machine.move_to(jst("2026-06-02 11:00"), tick=False)  # Tuesday morning
    page = _send_urgent(client_for(alt_tokyo)).content.decode()
    assert not UrgentAlert.objects.exists()
    assert 'id="on-call"' not in page
    assert "090-0000-1999" in page  # the emergency number is always shown for an urgent request


def test_a_normal_request_at_night_calls_nobody_out(client_for, alt_tokyo, rota, time_machine):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo), urgency=Urgency.HIGH)
    assert not UrgentAlert.objects.exists()


def test_not_acknowledged_at_2230_it_escalates_to_the_next_person_and_sesps_once(
    client_for,
    alt_tokyo,
    rota,
    mc_tokyo,
    staff_tokyo,
    sesps,
    mailoutbox,
    django_capture_on_commit_callbacks,
    time_machine,
):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        _send_urgent(client_for(alt_tokyo))
    mailoutbox.clear()
    time_machine.move_to(jst("2026-06-01 22:29:59"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_urgent_requests() == 0
    assert mailoutbox == []
    time_machine.move_to(jst("2026-06-01 22:30"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_urgent_requests() == 1
    alert = UrgentAlert.objects.get()
    assert alert.escalated_at == jst("2026-06-01 22:30") and alert.escalated_to == staff_tokyo
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([staff_tokyo.email, sesps.email])
    assert all("ESCALATED" in mail.subject and "/support/urgent/" in mail.body for mail in mailoutbox)
    # Every minute after: never a second escalation.
    mailoutbox.clear()
    time_machine.move_to(jst("2026-06-01 22:31"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_urgent_requests() == 0
        assert escalate_urgent_requests() == 0
    assert mailoutbox == []


def test_acknowledged_in_time_it_does_not_escalate(
    client_for, alt_tokyo, rota, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    alert = UrgentAlert.objects.get()
    url = reverse("support:urgent_ack", args=[urgent_alert_ack_token(alert=alert, user=mc_tokyo)])
    time_machine.move_to(jst("2026-06-01 22:10"), tick=False)
    anonymous = client_for(None)
    page = anonymous.get(url).content.decode()  # no login: one click from the phone
    assert "I am on it: acknowledge" in page
    alert.refresh_from_db()
    assert alert.acknowledged_at is None  # a GET changes nothing
    response = anonymous.post(url)
    assert response.status_code == 200
    assert "Nobody else will be called" in response.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == mc_tokyo and alert.acknowledged_at == jst("2026-06-01 22:10")
    # A second click says who took it.
    assert "Already acknowledged by" in anonymous.post(url).content.decode()
    time_machine.move_to(jst("2026-06-01 22:45"), tick=False)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_urgent_requests() == 0
    assert mailoutbox == []


def test_a_made_up_or_tampered_link_is_404(client_for, alt_tokyo, rota, mc_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    token = urgent_alert_ack_token(alert=UrgentAlert.objects.get(), user=mc_tokyo)
    for bad in ("nope", token[:-2] + "xx"):
        assert client_for(None).post(reverse("support:urgent_ack", args=[bad])).status_code == 404
    assert UrgentAlert.objects.get().acknowledged_at is None


def test_a_link_older_than_a_week_is_refused(client_for, alt_tokyo, rota, mc_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    url = reverse("support:urgent_ack", args=[urgent_alert_ack_token(alert=UrgentAlert.objects.get(), user=mc_tokyo)])
    time_machine.move_to(jst("2026-06-09 22:00"), tick=False)
    assert client_for(None).get(url).status_code == 404


def test_a_staff_reply_or_the_admin_action_acknowledges_it(
    client_for, alt_tokyo, rota, mc_tokyo, staff_tokyo, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    _send_urgent(client_for(alt_tokyo), subject="No power either")
    first, second = SupportRequest.objects.order_by("pk")
    client = client_for(staff_tokyo)
    url = reverse("admin:support_supportrequest_change", args=[first.pk])
    assert "Not acknowledged" in client.get(url).content.decode()
    data = change_form_data(client, url)
    data.update(reply="I am calling you now.", reply_visibility="reply")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    assert UrgentAlert.objects.get(support_request=first).acknowledged_by == staff_tokyo
    response = client.post(
        reverse("admin:support_supportrequest_changelist"),
        {"action": "acknowledge_call_out", "_selected_action": [second.pk], "index": 0},
    )
    assert response.status_code == 302
    assert UrgentAlert.objects.get(support_request=second).acknowledged_by == staff_tokyo


def test_with_nobody_on_the_rota_the_escalation_goes_out_at_once(
    client_for, tokyo, alt_tokyo, staff_tokyo, sesps, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    OnCallShiftFactory(
        branch=tokyo, person=staff_tokyo, starts_at=jst("2026-06-02 18:00"), ends_at=jst("2026-06-03 09:00")
    )
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        page = _send_urgent(client_for(alt_tokyo)).content.decode()
    alert = UrgentAlert.objects.get()
    assert alert.on_call is None and alert.escalated_to == staff_tokyo
    assert "the national support team has been alerted" in page
    assert {staff_tokyo.email, sesps.email} <= {mail.to[0] for mail in mailoutbox}
    time_machine.move_to(jst("2026-06-01 22:30"), tick=False)
    assert escalate_urgent_requests() == 0


def test_a_request_resolved_before_the_30_minutes_is_not_escalated(client_for, alt_tokyo, rota, mc_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    client_for(alt_tokyo).post(reverse("support:solve", args=[SupportRequest.objects.get().pk]))
    time_machine.move_to(jst("2026-06-01 22:30"), tick=False)
    assert escalate_urgent_requests() == 0


# --- the rota in the admin ------------------------------------------------------------------------


def _shift_data(branch, person, starts, ends, phone="090-1111-2222"):
    return {
        "branch": branch.pk,
        "person": person.pk,
        "starts_at_0": starts.split()[0],
        "starts_at_1": starts.split()[1],
        "ends_at_0": ends.split()[0],
        "ends_at_1": ends.split()[1],
        "phone": phone,
    }


def test_staff_add_a_shift(client_for, tokyo, staff_tokyo):
    response = client_for(staff_tokyo).post(
        ROTA_ADD, _shift_data(tokyo, staff_tokyo, "2030-06-01 18:00", "2030-06-02 09:00")
    )
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.starts_at == jst("2030-06-01 18:00") and shift.person == staff_tokyo


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2030-06-02 09:00", "2030-06-01 18:00", "A shift must end after it starts."),
        ("2030-06-01 18:00", "2030-06-01 18:00", "A shift must end after it starts."),
        ("2030-06-01 20:00", "2030-06-02 08:00", "overlaps"),
        ("2030-06-01 12:00", "2030-06-01 19:00", "overlaps"),
    ],
)
def test_a_shift_that_ends_before_it_starts_or_overlaps_is_refused(
    client_for, tokyo, mc_tokyo, staff_tokyo, starts, ends, message
):
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2030-06-01 18:00"), ends_at=jst("2030-06-02 09:00")
    )
    response = client_for(staff_tokyo).post(ROTA_ADD, _shift_data(tokyo, staff_tokyo, starts, ends))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert OnCallShift.objects.count() == 1


def test_back_to_back_shifts_and_other_branches_do_not_overlap(
    client_for, tokyo, osaka, mc_tokyo, staff_tokyo, staff_osaka
):
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2030-06-01 18:00"), ends_at=jst("2030-06-02 09:00")
    )
    OnCallShiftFactory(
        branch=osaka, person=staff_osaka, starts_at=jst("2030-06-02 18:00"), ends_at=jst("2030-06-03 09:00")
    )
    response = client_for(staff_tokyo).post(
        ROTA_ADD, _shift_data(tokyo, staff_tokyo, "2030-06-02 09:00", "2030-06-03 09:00")
    )
    assert response.status_code == 302


def test_only_the_branchs_mcs_and_schedulers_go_on_call(client_for, tokyo, staff_tokyo, trainer_tokyo, staff_osaka):
    client = client_for(staff_tokyo)
    page = client.get(ROTA_ADD).content.decode()
    assert f'<option value="{staff_tokyo.pk}"' in page
    assert f'<option value="{trainer_tokyo.pk}"' not in page
    assert f'<option value="{staff_osaka.pk}"' not in page
    response = client.post(ROTA_ADD, _shift_data(tokyo, trainer_tokyo, "2030-06-01 18:00", "2030-06-02 09:00"))
    assert response.status_code == 200 and not OnCallShift.objects.exists()


def test_the_rota_warns_about_gaps_in_the_next_14_days(client_for, tokyo, mc_tokyo, staff_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-01 12:00"), tick=False)  # Monday
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2026-06-01 18:00"), ends_at=jst("2026-06-02 09:00")
    )
    page = client_for(staff_tokyo).get(ROTA).content.decode()
    assert "nobody is on call out of hours in the next 14 days" in page
    assert "Tue 2 Jun 2026, 18:00–Wed 3 Jun 2026, 09:00" in page  # Tuesday night is open
    assert "Mon 1 Jun 2026, 18:00–Tue 2 Jun 2026, 09:00" not in page


def test_rota_gaps_cover_nights_weekends_and_holidays(tokyo, mc_tokyo, django_assert_num_queries):
    # Friday 2026-07-17; Monday 07-20 is Marine Day: the weekend runs to Tuesday 09:00.
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2026-07-17 18:00"), ends_at=jst("2026-07-19 12:00")
    )
    with django_assert_num_queries(2):
        ((branch, gaps),) = rota_gaps(branch_ids=[tokyo.pk], start=jst("2026-07-17 12:00"), end=jst("2026-07-21 12:00"))
    assert gaps == [(jst("2026-07-19 12:00"), jst("2026-07-21 09:00"))]


def test_the_rota_list_is_scoped_and_its_queries_do_not_grow(
    client_for, tokyo, osaka, mc_tokyo, staff_tokyo, staff_osaka, django_assert_max_num_queries
):
    start = timezone.now() + timedelta(days=1)
    OnCallShiftFactory(branch=osaka, person=staff_osaka, starts_at=start, ends_at=start + timedelta(hours=5))
    client = client_for(staff_tokyo)
    OnCallShiftFactory(branch=tokyo, person=mc_tokyo, starts_at=start, ends_at=start + timedelta(hours=5))
    client.get(ROTA)
    with django_assert_max_num_queries(30) as one:
        client.get(ROTA)
    for day in range(2, 22):
        begin = start + timedelta(days=day)
        OnCallShiftFactory(branch=tokyo, person=mc_tokyo, starts_at=begin, ends_at=begin + timedelta(hours=5))
    with django_assert_max_num_queries(30) as many:
        page = client.get(ROTA).content.decode()
    assert len(one.captured_queries) == len(many.captured_queries)
    assert staff_osaka.display_name not in page


def test_trainers_cannot_edit_the_rota(client_for, trainer_tokyo):
    assert client_for(trainer_tokyo).get(ROTA).status_code == 403


def test_sesps_sees_urgent_requests_of_every_branch_but_not_the_others(client_for, sesps, alt_tokyo, alt_osaka):
    urgent = SupportRequestFactory(alt=alt_osaka, urgency=Urgency.URGENT)
    calm = SupportRequestFactory(alt=alt_tokyo)
    page = client_for(sesps).get(reverse("admin:support_supportrequest_changelist")).content.decode()
    assert urgent.reference in page and calm.reference not in page


def test_escalation_reaches_a_sesps_trainer_of_any_number(
    client_for, alt_tokyo, rota, sesps, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    second = make_staff(role=StaffRole.Role.SESPS, email="sesps2@example.com")
    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    _send_urgent(client_for(alt_tokyo))
    time_machine.move_to(jst("2026-06-01 22:30"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_urgent_requests()
    assert {sesps.email, second.email} <= {mail.to[0] for mail in mailoutbox}


# --- at once (PostgreSQL's row locks) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_escalations_run_at_once_escalate_once(postgres, alt_tokyo, rota, staff_tokyo, sesps, time_machine):
    from contacts.models import Notification
    from support.services import urgent_alert_escalate

    time_machine.move_to(jst("2026-06-01 22:00"), tick=False)
    request_sent_by(alt_tokyo, category=Category.HOUSING, subject="Flood", urgency=Urgency.URGENT)
    alert = UrgentAlert.objects.get()
    time_machine.move_to(jst("2026-06-01 22:30"), tick=False)
    results, errors = run_at_once(6, lambda i: urgent_alert_escalate(alert_id=alert.pk))
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    sent = Notification.objects.filter(kind="support.urgent_escalated")
    assert sorted(sent.values_list("recipient__email", flat=True)) == sorted([staff_tokyo.email, sesps.email])


@pytest.mark.django_db(transaction=True)
def test_overlapping_shifts_saved_at_once_are_refused_but_one(postgres, tokyo, mc_tokyo, staff_tokyo):
    from django.core.exceptions import ValidationError

    from support.services import on_call_shift_save

    def save(i):
        person = (mc_tokyo, staff_tokyo)[i % 2]
        shift = OnCallShift(
            branch=tokyo, person=person, starts_at=jst("2030-06-01 18:00"), ends_at=jst("2030-06-02 09:00"), phone="1"
        )
        return on_call_shift_save(shift=shift).pk

    results, errors = run_at_once(4, save)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(error, ValidationError) for error in errors)
    assert OnCallShift.objects.count() == 1


def test_the_rota_list_starts_from_now(client_for, tokyo, mc_tokyo, staff_tokyo, time_machine):
    time_machine.move_to(jst("2026-06-10 12:00"), tick=False)
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2026-06-01 18:00"), ends_at=jst("2026-06-02 09:00")
    )
    OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2026-06-10 18:00"), ends_at=jst("2026-06-11 09:00")
    )
    client = client_for(staff_tokyo)
    assert [s.starts_at for s in client.get(ROTA).context["cl"].result_list] == [jst("2026-06-10 18:00")]
    assert [s.starts_at for s in client.get(ROTA, {"when": "past"}).context["cl"].result_list] == [
        jst("2026-06-01 18:00")
    ]
    assert len(client.get(ROTA, {"when": "all"}).context["cl"].result_list) == 2


def test_a_shift_edited_by_two_people_refuses_the_second(client_for, tokyo, mc_tokyo, staff_tokyo):
    shift = OnCallShiftFactory(
        branch=tokyo, person=mc_tokyo, starts_at=jst("2030-06-01 18:00"), ends_at=jst("2030-06-02 09:00")
    )
    change = reverse("admin:support_oncallshift_change", args=[shift.pk])
    first, second = client_for(staff_tokyo), client_for(mc_tokyo)
    seen = first.get(change).context["adminform"].form["seen_version"].value()
    assert second.get(change).status_code == 200
    data = _shift_data(tokyo, mc_tokyo, "2030-06-01 18:00", "2030-06-02 09:00", phone="090-0000-0001")
    assert second.post(change, {**data, "seen_version": seen}).status_code == 302
    response = first.post(change, {**data, "phone": "090-0000-0002", "seen_version": seen})
    assert response.status_code == 200
    assert "Someone else changed this while you were editing it" in response.content.decode()
    shift.refresh_from_db()
    assert shift.phone == "090-0000-0001"
