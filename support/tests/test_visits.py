"""Going along: staff schedule a visit from a request; the ALT sees it on the request and the dashboard, is
reminded the day before, and confirms or asks for another time. (The calendar feed, which the training app
serves: interac_portal/tests/test_calendar_visits.py.)"""

import pytest
from django.urls import reverse

from support.models import Category, Status, Visit
from support.tasks import send_visit_reminders
from testing.contacts import make_alt
from testing.support import SupportRequestFactory, VisitFactory, jst

ADD = reverse("admin:support_visit_add")
VISITS = reverse("admin:support_visit_changelist")


@pytest.fixture
def bank_request(alt_tokyo, staff_tokyo):
    return SupportRequestFactory(
        alt=alt_tokyo, category=Category.BANK_ACCOUNT, subject="Bank account", assignee=staff_tokyo
    )


def _visit_data(support_request, staff, starts="2030-06-04 10:00", ends="2030-06-04 11:30", **extra):
    return {
        "support_request": support_request.pk,
        "starts_at_0": starts.split()[0],
        "starts_at_1": starts.split()[1],
        "ends_at_0": ends.split()[0],
        "ends_at_1": ends.split()[1],
        "meeting_point": "North exit of Shinjuku station",
        "staff": staff.pk,
        **extra,
    }


def test_staff_schedule_a_visit_from_the_request_and_the_alt_is_emailed(
    client_for, bank_request, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(staff_tokyo)
    change = client.get(reverse("admin:support_supportrequest_change", args=[bank_request.pk])).content.decode()
    assert f"{ADD}?support_request={bank_request.pk}" in change
    form = client.get(ADD, {"support_request": bank_request.pk}).content.decode()
    assert f'value="{bank_request.pk}" selected' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, _visit_data(bank_request, staff_tokyo))
    assert response.status_code == 302, response.content.decode()[:3000]
    visit = Visit.objects.get()
    assert visit.branch == bank_request.branch and visit.status == Visit.Status.PROPOSED
    (mail,) = mailoutbox
    assert mail.to == [alt_tokyo.email]
    assert "Tue 4 Jun 2030" in mail.subject
    assert "North exit of Shinjuku station" in mail.body and staff_tokyo.display_name in mail.body


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2020-06-04 10:00", "2020-06-04 11:00", "The visit must be in the future."),
        ("2030-06-04 10:00", "2030-06-04 09:00", "The visit must end after it starts."),
    ],
)
def test_a_visit_in_the_past_or_ending_before_it_starts_is_refused(
    client_for, bank_request, staff_tokyo, mailoutbox, starts, ends, message
):
    response = client_for(staff_tokyo).post(ADD, _visit_data(bank_request, staff_tokyo, starts, ends))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Visit.objects.exists() and mailoutbox == []


def test_a_visit_goes_only_with_a_request_about_a_place(client_for, alt_tokyo, staff_tokyo):
    other = SupportRequestFactory(alt=alt_tokyo, category=Category.OTHER)
    response = client_for(staff_tokyo).post(ADD, _visit_data(other, staff_tokyo))
    assert response.status_code == 200
    assert "Visits go with requests about" in response.content.decode()
    assert not Visit.objects.exists()


def test_another_branchs_request_cannot_get_a_visit(client_for, staff_tokyo, alt_osaka):
    osaka_request = SupportRequestFactory(alt=alt_osaka, category=Category.CITY_HALL)
    response = client_for(staff_tokyo).post(ADD, _visit_data(osaka_request, staff_tokyo))
    assert response.status_code == 200
    assert not Visit.objects.exists()


def test_the_alt_sees_the_visit_and_confirms_it(
    client_for, bank_request, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    client = client_for(alt_tokyo)
    page = client.get(bank_request.get_absolute_url()).content.decode()
    assert "Going with you" in page and "Tue 4 Jun 2030" in page and staff_tokyo.display_name in page
    assert "Waiting for the ALT to confirm" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'id="support-card-visits"' in dashboard and "Ward office, main entrance" in dashboard
    assert client.get(reverse("support:visit_confirm", args=[visit.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:visit_confirm", args=[visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CONFIRMED
    (mail,) = mailoutbox
    assert mail.to == [staff_tokyo.email] and "confirmed" in mail.subject.lower()
    # A second click changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("support:visit_confirm", args=[visit.pk]))
    assert len(mailoutbox) == 1


def test_the_alt_asks_for_another_time_with_a_note(
    client_for, bank_request, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    client = client_for(alt_tokyo)
    url = reverse("support:visit_new_time", args=[visit.pk])
    response = client.post(url, {"note": "  "})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Thursday afternoon would suit me better."})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.NEW_TIME_ASKED and visit.alt_note == "Thursday afternoon would suit me better."
    (mail,) = mailoutbox
    assert mail.to == [staff_tokyo.email] and "Thursday afternoon" in mail.body
    # Staff move it: the ALT is asked to confirm again.
    staff = client_for(staff_tokyo)
    change = reverse("admin:support_visit_change", args=[visit.pk])
    data = _visit_data(bank_request, staff_tokyo, "2030-06-06 14:00", "2030-06-06 15:30", status="NEW_TIME_ASKED")
    data["seen_version"] = staff.get(change).context["adminform"].form["seen_version"].value()
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(change, data).status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED and visit.starts_at == jst("2030-06-06 14:00")
    assert mailoutbox[-1].to == [alt_tokyo.email] and "Thu 6 Jun 2030" in mailoutbox[-1].subject


def test_a_past_visit_can_no_longer_be_answered(client_for, bank_request, staff_tokyo, alt_tokyo, time_machine):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    time_machine.move_to(jst("2030-06-05 10:00"), tick=False)
    response = client_for(alt_tokyo).post(reverse("support:visit_confirm", args=[visit.pk]))
    assert response.status_code == 409
    assert "This visit can no longer be changed here" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_others_visits_answer_404(client_for, bank_request, staff_tokyo, alt_osaka, tokyo):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    other_alt = make_alt(branch=tokyo, email="other.tokyo@example.com")
    for person in (other_alt, alt_osaka, staff_tokyo):
        client = client_for(person)
        assert client.post(reverse("support:visit_confirm", args=[visit.pk])).status_code == 404
        assert client.post(reverse("support:visit_new_time", args=[visit.pk]), {"note": "x"}).status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PROPOSED


def test_the_reminder_goes_the_day_before_once(
    bank_request, staff_tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    time_machine.move_to(jst("2030-06-02 20:20"), tick=False)  # two days before: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        assert send_visit_reminders() == 0
    time_machine.move_to(jst("2030-06-03 09:20"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_visit_reminders() == 1
        assert send_visit_reminders() == 0
    time_machine.move_to(jst("2030-06-03 10:20"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_visit_reminders() == 0
    (mail,) = mailoutbox
    assert mail.to == [alt_tokyo.email] and "Tomorrow at 10:00" in mail.subject
    assert "please confirm" in mail.body
    # Moved to another day after the reminder: reminded again for the new time.
    Visit.objects.filter(pk=visit.pk).update(starts_at=jst("2030-06-04 15:00"), ends_at=jst("2030-06-04 16:00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_visit_reminders() == 1
    assert len(mailoutbox) == 2


def test_a_cancelled_visit_is_not_reminded(bank_request, staff_tokyo, time_machine):
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"), status="CANCELLED")
    time_machine.move_to(jst("2030-06-03 09:20"), tick=False)
    assert send_visit_reminders() == 0


def test_the_visits_admin_warns_when_someone_has_two_visits_at_once(
    client_for, alt_tokyo, bank_request, staff_tokyo, mc_tokyo
):
    doctor = SupportRequestFactory(alt=alt_tokyo, category=Category.DOCTOR)
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    response = client_for(mc_tokyo).get(VISITS)
    assert "two visits at the same time" not in response.content.decode()
    VisitFactory(support_request=doctor, staff=staff_tokyo, starts_at=jst("2030-06-04 11:00"))
    page = client_for(mc_tokyo).get(VISITS).content.decode()
    assert "two visits at the same time" in page
    assert page.count("another visit at the same time") == 2


def test_scheduling_a_clash_is_saved_with_a_warning(client_for, alt_tokyo, bank_request, staff_tokyo):
    doctor = SupportRequestFactory(alt=alt_tokyo, category=Category.DOCTOR)
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    response = client_for(staff_tokyo).post(
        ADD, _visit_data(doctor, staff_tokyo, "2030-06-04 11:00", "2030-06-04 12:00"), follow=True
    )
    assert Visit.objects.count() == 2
    assert "has another visit at the same time" in response.content.decode()


def test_the_visits_admin_lists_a_branchs_visits_by_day_in_constant_queries(
    client_for, alt_tokyo, alt_osaka, bank_request, staff_tokyo, staff_osaka, django_assert_max_num_queries
):
    osaka_request = SupportRequestFactory(alt=alt_osaka, category=Category.CITY_HALL)
    osaka_visit = VisitFactory(support_request=osaka_request, staff=staff_osaka, starts_at=jst("2030-06-04 10:00"))
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    client = client_for(staff_tokyo)
    client.get(VISITS)
    with django_assert_max_num_queries(30) as one:
        client.get(VISITS, {"starts_at__day": 4, "starts_at__month": 6, "starts_at__year": 2030})
    for hour in range(8, 20):
        VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst(f"2030-06-04 {hour:02d}:00"))
    with django_assert_max_num_queries(30) as many:
        page = client.get(VISITS, {"starts_at__day": 4, "starts_at__month": 6, "starts_at__year": 2030})
    assert len(one.captured_queries) == len(many.captured_queries)
    assert (
        osaka_visit.meeting_point not in page.content.decode() or osaka_request.reference not in page.content.decode()
    )
    assert client.get(reverse("admin:support_visit_change", args=[osaka_visit.pk])).status_code == 404


def test_a_trainer_sees_only_the_visits_they_go_on(client_for, bank_request, staff_tokyo, trainer_tokyo, alt_tokyo):
    theirs = VisitFactory(support_request=bank_request, staff=trainer_tokyo, starts_at=jst("2030-06-04 10:00"))
    other = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-05 10:00"))
    client = client_for(trainer_tokyo)
    assert client.get(reverse("admin:support_visit_change", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("admin:support_visit_change", args=[other.pk])).status_code == 404


def test_a_closed_request_offers_no_visit_answer(client_for, bank_request, staff_tokyo, alt_tokyo):
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    bank_request.status = Status.RESOLVED
    bank_request.save()
    page = client_for(alt_tokyo).get(bank_request.get_absolute_url()).content.decode()
    assert "Confirm this time" not in page


def test_schedule_a_visit_is_offered_to_those_who_may_and_for_a_place(
    client_for, bank_request, trainer_tokyo, staff_tokyo
):
    url = reverse("admin:support_supportrequest_change", args=[bank_request.pk])
    link = f"{ADD}?support_request={bank_request.pk}"
    assert link in client_for(staff_tokyo).get(url).content.decode()
    bank_request.assignee = trainer_tokyo  # handed on to a trainer: they may open it, not schedule visits
    bank_request.save()
    assert link not in client_for(trainer_tokyo).get(url).content.decode()
    bank_request.category = Category.OTHER
    bank_request.save()
    assert link not in client_for(staff_tokyo).get(url).content.decode()


def test_a_visit_form_loaded_before_the_alt_answered_is_refused_and_nothing_is_lost(
    client_for, bank_request, staff_tokyo, alt_tokyo, mailoutbox
):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    staff = client_for(staff_tokyo)
    change = reverse("admin:support_visit_change", args=[visit.pk])
    seen = staff.get(change).context["adminform"].form["seen_version"].value()
    client_for(alt_tokyo).post(reverse("support:visit_new_time", args=[visit.pk]), {"note": "Friday instead?"})
    data = _visit_data(bank_request, staff_tokyo, "2030-06-05 10:00", "2030-06-05 11:00", status="PROPOSED")
    response = staff.post(change, {**data, "seen_version": seen})
    assert response.status_code == 200
    assert "Someone else changed this while you were editing it" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.NEW_TIME_ASKED and visit.alt_note == "Friday instead?"
    assert visit.starts_at == jst("2030-06-04 10:00")
