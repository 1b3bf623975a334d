"""The trainer's attendance page: one form, big buttons, only their sessions; absences reach the MC."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from testing.contacts import make_alt, make_staff
from testing.training import RegistrationFactory, TrainingSessionFactory
from training import selectors, services
from training.models import Registration


def _url(session):
    return reverse("training:attendance", args=[session.pk])


@pytest.fixture
def today_session(tokyo, trainer_tokyo):
    """A required Tokyo training starting in an hour: attendance is open."""
    start = timezone.now() + timedelta(hours=1)
    return TrainingSessionFactory(
        branch=tokyo,
        trainer=trainer_tokyo,
        title="Today in Tokyo",
        start=start,
        required=True,
        registration_deadline=None,
    )


@pytest.fixture
def started_session(tokyo, trainer_tokyo):
    """A required Tokyo training that began half an hour ago: absences can be marked."""
    return TrainingSessionFactory(
        branch=tokyo,
        trainer=trainer_tokyo,
        title="Under way in Tokyo",
        start=timezone.now() - timedelta(minutes=30),
        required=True,
        registration_deadline=None,
    )


def test_trainer_marks_everyone_in_one_form(client_for, trainer_tokyo, tokyo, alt_tokyo, started_session):
    today_session = started_session
    present = RegistrationFactory(session=today_session, alt=alt_tokyo)
    missing = RegistrationFactory(session=today_session, alt=make_alt(branch=tokyo))
    excused = RegistrationFactory(session=today_session, alt=make_alt(branch=tokyo))
    client = client_for(trainer_tokyo)
    page = client.get(_url(today_session)).content.decode()
    assert "btn-lg" in page and "Save attendance" in page
    assert "disabled" not in page and "Absent can be marked" not in page  # under way: every choice open
    data = {f"reg-{present.pk}": "ATTENDED", f"reg-{missing.pk}": "ABSENT", f"reg-{excused.pk}": "EXCUSED"}
    response = client.post(_url(today_session), data)
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {present.pk: "ATTENDED", missing.pk: "ABSENT", excused.pk: "EXCUSED"}
    assert Registration.objects.get(pk=present.pk).marked_by == trainer_tokyo
    page = client.get(_url(today_session)).content.decode()
    assert 'value="ATTENDED" autocomplete="off" checked' in page


def test_absent_waits_for_the_start_and_excused_does_not(
    client_for, trainer_tokyo, alt_tokyo, tokyo, today_session, mailoutbox, django_capture_on_commit_callbacks
):
    late, sick = (
        RegistrationFactory(session=today_session, alt=alt_tokyo),
        RegistrationFactory(session=today_session, alt=make_alt(branch=tokyo)),
    )
    client = client_for(trainer_tokyo)
    page = client.get(_url(today_session)).content.decode()
    assert "Absent can be marked once the session has started." in page
    assert len(re.findall(r'<input [^>]*value="ABSENT"[^>]*disabled>', page)) == 2
    assert not re.findall(r'<input [^>]*value="EXCUSED"[^>]*disabled>', page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(today_session), {f"reg-{late.pk}": "ABSENT", f"reg-{sick.pk}": "EXCUSED"})
    # An hour before the start: whoever is not there yet may still come, and their MC hears nothing.
    assert response.status_code == 422
    assert "Absent can be marked once the session has started." in response.content.decode()
    assert set(Registration.objects.values_list("status", flat=True)) == {"REGISTERED"}
    assert mailoutbox == []
    response = client.post(_url(today_session), {f"reg-{sick.pk}": "EXCUSED"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=sick.pk).status == "EXCUSED"


def test_rows_left_blank_stay_as_they_are(client_for, trainer_tokyo, alt_tokyo, today_session):
    registration = RegistrationFactory(session=today_session, alt=alt_tokyo)
    client_for(trainer_tokyo).post(_url(today_session), {})
    assert Registration.objects.get(pk=registration.pk).status == "REGISTERED"


def test_an_absence_from_a_required_session_tells_the_mc_once(
    client_for, trainer_tokyo, alt_tokyo, started_session, mailoutbox, django_capture_on_commit_callbacks
):
    today_session = started_session
    registration = RegistrationFactory(session=today_session, alt=alt_tokyo)
    client = client_for(trainer_tokyo)
    for status in ("ABSENT", "ATTENDED", "ABSENT"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url(today_session), {f"reg-{registration.pk}": status})
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]
    assert "Absent from required training" in mailoutbox[0].subject
    assert "alt.tokyo@example.com" in mailoutbox[0].body


def test_an_absence_from_an_optional_session_tells_nobody(
    client_for, trainer_tokyo, alt_tokyo, today_session, mailoutbox, django_capture_on_commit_callbacks
):
    today_session.required = False
    today_session.save()
    registration = RegistrationFactory(session=today_session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(trainer_tokyo).post(_url(today_session), {f"reg-{registration.pk}": "ABSENT"})
    assert mailoutbox == []


def test_an_unknown_choice_redisplays_the_form(client_for, trainer_tokyo, alt_tokyo, today_session):
    registration = RegistrationFactory(session=today_session, alt=alt_tokyo)
    response = client_for(trainer_tokyo).post(_url(today_session), {f"reg-{registration.pk}": "PARTYING"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "REGISTERED"


def test_attendance_is_not_taken_days_ahead(client_for, trainer_tokyo, alt_tokyo, tokyo_session):
    registration = RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    client = client_for(trainer_tokyo)
    assert "Attendance opens 24 hours before the start." in client.get(_url(tokyo_session)).content.decode()
    response = client.post(_url(tokyo_session), {f"reg-{registration.pk}": "ABSENT"})
    assert response.status_code == 422
    assert Registration.objects.get(pk=registration.pk).status == "REGISTERED"


def test_a_registration_of_another_session_is_ignored(client_for, trainer_tokyo, alt_tokyo, today_session, tokyo):
    elsewhere = RegistrationFactory(session=TrainingSessionFactory(branch=tokyo), alt=alt_tokyo)
    client_for(trainer_tokyo).post(_url(today_session), {f"reg-{elsewhere.pk}": "ABSENT"})
    assert Registration.objects.get(pk=elsewhere.pk).status == "REGISTERED"


@pytest.mark.parametrize("who", ["trainer_osaka", "mc_tokyo", "staff_tokyo", "alt_tokyo", "grm", "outsider"])
def test_people_who_do_not_run_the_session_get_404(client_for, request, today_session, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(_url(today_session)).status_code == 404
    assert client.post(_url(today_session), {}).status_code == 404


def test_branch_trainers_get_404_for_national_sessions_and_sesps_see_all(
    client_for, trainer_tokyo, sesps, orientation, today_session
):
    assert client_for(trainer_tokyo).get(_url(orientation)).status_code == 404
    assert client_for(sesps).get(_url(orientation)).status_code == 200
    assert client_for(sesps).get(_url(today_session)).status_code == 200


def test_the_named_trainer_of_a_national_session_may_take_it(client_for, tokyo, orientation):
    guest = make_staff(role="TRAINER", branch=tokyo, email="guest.trainer@example.com")
    orientation.trainer = guest
    orientation.save()
    assert client_for(guest).get(_url(orientation)).status_code == 200


def test_staff_session_list_shows_the_trainers_sessions(client_for, trainer_tokyo, today_session, osaka_session):
    page = client_for(trainer_tokyo).get(reverse("training:staff_sessions")).content.decode()
    assert "Today in Tokyo" in page
    assert "Osaka team teaching" not in page
    assert client_for(trainer_tokyo).post(reverse("training:staff_sessions")).status_code == 405


@pytest.mark.parametrize("n", [1, 50])
def test_attendance_page_queries_do_not_grow_with_registrations(
    client_for, trainer_tokyo, tokyo, started_session, n, django_assert_max_num_queries
):
    today_session = started_session
    today_session.capacity = 100
    today_session.save()
    registrations = [RegistrationFactory(session=today_session, alt=make_alt(branch=tokyo)) for _ in range(n)]
    client = client_for(trainer_tokyo)
    client.get(_url(today_session))
    with django_assert_max_num_queries(6):
        assert client.get(_url(today_session)).status_code == 200
    data = {f"reg-{r.pk}": ("ABSENT" if i % 2 else "ATTENDED") for i, r in enumerate(registrations)}
    with django_assert_max_num_queries(14):
        assert client.post(_url(today_session), data).status_code == 302


def test_a_place_freed_after_the_start_is_not_given_away(
    trainer_tokyo, tokyo, today_session, mailoutbox, django_capture_on_commit_callbacks
):
    today_session.capacity = 1
    today_session.save()
    holder, waiting = make_alt(branch=tokyo), make_alt(branch=tokyo, email="waiting@example.com")
    services.registration_create(profile=holder.alt_profile, session_id=today_session.pk)
    services.registration_create(profile=waiting.alt_profile, session_id=today_session.pk)
    after_start = today_session.start + timedelta(minutes=10)
    held = Registration.objects.get(alt=holder)
    # The holder sends word that they cannot come: the place is free, but the session has begun.
    services.attendance_record(
        session_id=today_session.pk, marks={held.pk: "EXCUSED"}, by=trainer_tokyo, now=after_start
    )
    assert not Registration.objects.filter(session=today_session, status__in=Registration.HOLDS_PLACE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=today_session, now=after_start)
    assert Registration.objects.get(alt=waiting).status == "WAITLISTED"
    assert mailoutbox == []


def test_deciding_who_takes_attendance_reuses_the_request_scope(trainer_tokyo, django_assert_num_queries):
    from contacts.selectors import branch_scope_for_user

    with django_assert_num_queries(1):
        branch_scope_for_user(user=trainer_tokyo)
        assert selectors.staff_sessions_q(user=trainer_tokyo) is not None
        assert selectors.staff_sessions_q(user=trainer_tokyo) is not None


def test_a_place_excused_before_the_start_goes_to_the_first_on_the_waiting_list(
    client_for, trainer_tokyo, tokyo, today_session, mailoutbox, django_capture_on_commit_callbacks
):
    today_session.capacity = 1
    today_session.save()
    holder = make_alt(branch=tokyo, email="holder@example.com")
    first, second = (
        make_alt(branch=tokyo, email="first@example.com"),
        make_alt(branch=tokyo, email="second@example.com"),
    )
    for alt in (holder, first, second):
        services.registration_create(profile=alt.alt_profile, session_id=today_session.pk)
    held = Registration.objects.get(alt=holder)
    # An hour before the start the holder sends word that they cannot come.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(trainer_tokyo).post(_url(today_session), {f"reg-{held.pk}": "EXCUSED"})
    assert response.status_code == 302
    assert Registration.objects.get(alt=first).status == "REGISTERED"
    assert (Registration.objects.get(alt=second).status, Registration.objects.get(alt=second).waitlist_position) == (
        "WAITLISTED",
        1,
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [(["first@example.com"], "A place is yours: Today in Tokyo")]
    page = client_for(first).get(reverse("training:index")).content.decode()
    assert "Today in Tokyo" in page and "On the waiting list" not in page
    # A newcomer does not take the freed place ahead of the waiting list.
    newcomer = make_alt(branch=tokyo, email="newcomer@example.com")
    registration = services.registration_create(profile=newcomer.alt_profile, session_id=today_session.pk)
    assert (registration.status, registration.waitlist_position) == ("WAITLISTED", 2)


def test_staff_session_list_marks_the_sessions_open_for_attendance(
    client_for, trainer_tokyo, today_session, tokyo_session
):
    page = client_for(trainer_tokyo).get(reverse("training:staff_sessions")).content.decode()

    def item(session):
        return re.search(rf'<a class="list-group-item[^"]*" href="{re.escape(_url(session))}">.*?</a>', page, re.S)[0]

    assert "Attendance open" in item(today_session)
    assert "Attendance open" not in item(tokyo_session)
