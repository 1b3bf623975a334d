"""Sessions in the admin: who sees what, publishing invitations, moving and cancelling, query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Notification
from contacts.services import staff_role_grant
from testing.contacts import make_alt, make_staff
from testing.forms import posted_version
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession

CHANGELIST = reverse("admin:training_trainingsession_changelist")
ADD = reverse("admin:training_trainingsession_add")


def _change_url(session):
    return reverse("admin:training_trainingsession_change", args=[session.pk])


def _split(moment):
    local = timezone.localtime(moment)
    return local.date().isoformat(), local.strftime("%H:%M")


def _form(session=None, **overrides):
    """The admin form's POST data, from an existing session or for a new flagship orientation."""
    start = session.start if session else timezone.now() + timedelta(days=10)
    end = session.end if session else start + timedelta(hours=6)
    deadline = session.registration_deadline if session else start - timedelta(days=2)
    data = {
        "kind": session.kind if session else "INITIAL_ORIENTATION",
        "track": session.track if session else "FLAGSHIP",
        "title": session.title if session else "Flagship orientation, April",
        "description": "",
        "branch": (session.branch_id or "") if session else "",
        "trainer": (session.trainer_id or "") if session else "",
        "place": session.place if session else "Head office",
        "online_link": session.online_link if session else "",
        "capacity": str(session.capacity if session else 30),
        "status": session.status if session else "SCHEDULED",
        "arrival_from": "",
        "arrival_until": "",
    }
    if session is None or session.required:
        data["required"] = "on"
    for name, moment in (("start", start), ("end", end), ("registration_deadline", deadline)):
        data[f"{name}_0"], data[f"{name}_1"] = _split(moment) if moment else ("", "")
    registrations = list(session.registrations.all()) if session else []
    data.update(
        {
            "registrations-TOTAL_FORMS": str(len(registrations)),
            "registrations-INITIAL_FORMS": str(len(registrations)),
            "registrations-MIN_NUM_FORMS": "0",
            "registrations-MAX_NUM_FORMS": "1000",
        }
    )
    for i, registration in enumerate(registrations):
        data[f"registrations-{i}-id"] = str(registration.pk)
        data[f"registrations-{i}-session"] = str(session.pk)
    if session is not None:
        data.update(posted_version(session))
    data.update(overrides)
    return data


# --- who sees which sessions --------------------------------------------------------------


def test_branch_trainer_lists_only_their_branch_sessions(
    client_for, trainer_tokyo, tokyo_session, osaka_session, orientation
):
    page = client_for(trainer_tokyo).get(CHANGELIST).content.decode()
    assert "Tokyo classroom skills" in page
    assert "Osaka team teaching" not in page
    assert "Flagship orientation" not in page


def test_sesps_lists_every_session(client_for, sesps, tokyo_session, osaka_session, orientation):
    page = client_for(sesps).get(CHANGELIST).content.decode()
    assert all(t in page for t in ("Tokyo classroom skills", "Osaka team teaching", "Flagship orientation"))


@pytest.mark.parametrize("session_fixture", ["osaka_session", "orientation"])
def test_branch_trainer_gets_404_for_other_branch_and_national_sessions(
    client_for, trainer_tokyo, request, session_fixture
):
    session = request.getfixturevalue(session_fixture)
    assert client_for(trainer_tokyo).get(_change_url(session)).status_code == 404


def test_mc_can_view_but_not_change_their_branch_sessions(client_for, mc_tokyo, tokyo_session):
    client = client_for(mc_tokyo)
    assert client.get(_change_url(tokyo_session)).status_code == 200
    assert client.post(_change_url(tokyo_session), _form(tokyo_session, title="Renamed")).status_code == 403
    tokyo_session.refresh_from_db()
    assert tokyo_session.title == "Tokyo classroom skills"


@pytest.fixture
def trainer_tokyo_mc_osaka(tokyo, osaka):
    """A Tokyo trainer who is also a managing consultant in Osaka."""
    user = make_staff(role="TRAINER", branch=tokyo, email="trainer.mc@example.com")
    staff_role_grant(user=user, role="MC", branch=osaka)
    return user


def test_a_trainer_who_is_mc_elsewhere_only_views_that_branchs_sessions(
    client_for,
    trainer_tokyo_mc_osaka,
    alt_osaka,
    tokyo_session,
    osaka_session,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    RegistrationFactory(session=osaka_session, alt=alt_osaka)
    client = client_for(trainer_tokyo_mc_osaka)
    # Viewing follows the roles' branches, as for any MC; changing follows the trainer's.
    page = client.get(_change_url(osaka_session))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert 'name="_save"' in client.get(_change_url(tokyo_session)).content.decode()
    response = client.post(_change_url(osaka_session), _form(osaka_session, place="Somewhere else"))
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "cancel_sessions", "_selected_action": [osaka_session.pk]})
    osaka_session.refresh_from_db()
    assert (osaka_session.place, osaka_session.status) == ("Meeting room A", "SCHEDULED")
    assert mailoutbox == []
    # The same as the attendance pages, which answer 404 for that session: the list links only their own.
    assert client.get(reverse("training:attendance", args=[osaka_session.pk])).status_code == 404
    listing = client.get(CHANGELIST).content.decode()
    assert reverse("training:attendance", args=[tokyo_session.pk]) in listing
    assert reverse("training:attendance", args=[osaka_session.pk]) not in listing


def test_a_trainer_who_is_mc_elsewhere_changes_a_session_there_they_are_named_to_run(
    client_for, trainer_tokyo_mc_osaka, osaka_session
):
    osaka_session.trainer = trainer_tokyo_mc_osaka
    osaka_session.save()
    client = client_for(trainer_tokyo_mc_osaka)
    assert 'name="_save"' in client.get(_change_url(osaka_session)).content.decode()
    response = client.post(_change_url(osaka_session), _form(osaka_session, place="Osaka room 2"))
    assert response.status_code == 302
    osaka_session.refresh_from_db()
    assert (osaka_session.place, osaka_session.branch.code) == ("Osaka room 2", "osaka")


def test_a_trainer_who_is_mc_elsewhere_creates_sessions_for_their_own_branch_only(
    client_for, trainer_tokyo_mc_osaka, osaka
):
    data = _form(kind="BRANCH_TRAINING", track="", branch=str(osaka.pk), title="In Osaka", required="")
    response = client_for(trainer_tokyo_mc_osaka).post(ADD, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_alts_cannot_reach_the_session_admin(client_for, alt_tokyo, tokyo_session):
    assert client_for(alt_tokyo).get(CHANGELIST).status_code in (302, 404)


# --- creating (publishing) sessions ------------------------------------------------------


def test_branch_trainer_creates_a_branch_training(client_for, trainer_tokyo, tokyo):
    data = _form(kind="BRANCH_TRAINING", track="", branch=str(tokyo.pk), title="Phonics", required="")
    response = client_for(trainer_tokyo).post(ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = TrainingSession.objects.get(title="Phonics")
    assert session.branch == tokyo
    assert timezone.localtime(session.start).strftime("%H:%M") == data["start_1"]


def test_branch_trainer_cannot_create_a_national_session_or_one_for_another_branch(
    client_for, trainer_tokyo, tokyo, osaka
):
    client = client_for(trainer_tokyo)
    response = client.post(ADD, _form(title="National by a branch"))
    assert response.status_code == 200
    assert "Choose your branch" in response.content.decode()
    response = client.post(ADD, _form(kind="BRANCH_TRAINING", track="", branch=str(osaka.pk), title="In Osaka"))
    assert response.status_code == 200
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize("track", ["FLAGSHIP", "ALTERNATE"])
def test_branch_trainer_cannot_create_an_initial_orientation_for_their_branch(client_for, trainer_tokyo, tokyo, track):
    data = _form(track=track, branch=str(tokyo.pk), required="", title="Orientation in Tokyo")
    response = client_for(trainer_tokyo).post(ADD, data)
    assert response.status_code == 200
    assert "Initial orientation is run by SESPS: choose branch training or an ALT meeting." in (
        response.content.decode()
    )
    assert not TrainingSession.objects.exists()


def test_branch_trainer_cannot_turn_their_session_into_an_initial_orientation(client_for, trainer_tokyo, tokyo_session):
    data = _form(tokyo_session, kind="INITIAL_ORIENTATION", track="FLAGSHIP")
    response = client_for(trainer_tokyo).post(_change_url(tokyo_session), data)
    assert response.status_code == 200
    assert "Initial orientation is run by SESPS" in response.content.decode()
    tokyo_session.refresh_from_db()
    assert tokyo_session.kind == "BRANCH_TRAINING"


def test_inconsistent_sessions_are_refused_with_a_message(client_for, sesps):
    client = client_for(sesps)
    response = client.post(ADD, _form(track=""))
    assert "Choose the flagship or the alternate track." in response.content.decode()
    response = client.post(ADD, _form(kind="ALT_MEETING", track="", branch=""))
    assert "Branch training and ALT meetings belong to a branch." in response.content.decode()
    start = timezone.now() + timedelta(days=10)
    late = _split(start + timedelta(days=1))
    response = client.post(ADD, _form(registration_deadline_0=late[0], registration_deadline_1=late[1]))
    assert "The registration deadline must be before the start." in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_publishing_a_required_orientation_invites_the_alts_of_its_arrival_window(
    client_for, sesps, tokyo, osaka, mailoutbox, django_capture_on_commit_callbacks
):
    start = timezone.now() + timedelta(days=10)
    window = (timezone.localdate() + timedelta(days=1), timezone.localdate() + timedelta(days=9))
    inside = make_alt(branch=tokyo, email="inside@example.com", arrival_date=window[0] + timedelta(days=2))
    make_alt(branch=osaka, email="inside.osaka@example.com", arrival_date=window[1])
    make_alt(branch=tokyo, email="earlier@example.com", arrival_date=window[0] - timedelta(days=1))
    make_alt(branch=None, email="applicant@example.com", arrival_date=window[0])
    inside.preferred_language = "ja"
    inside.save()
    data = _form(arrival_from=window[0].isoformat(), arrival_until=window[1].isoformat(), capacity="1")
    data["start_0"], data["start_1"] = _split(start)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sesps).post(ADD, data)
    assert response.status_code == 302
    invited = dict(Registration.objects.values_list("alt__email", "status"))
    assert invited == {"inside@example.com": "REGISTERED", "inside.osaka@example.com": "WAITLISTED"}
    assert Registration.objects.filter(invited=True, answered_at=None).count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["inside.osaka@example.com", "inside@example.com"]
    japanese = next(m for m in mailoutbox if m.to == ["inside@example.com"])
    assert "必須" in japanese.subject


def test_saving_a_required_session_again_invites_only_the_newcomers(
    sesps, tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    from training import services

    session = TrainingSessionFactory(branch=tokyo, required=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=session)
    make_alt(branch=tokyo, email="newcomer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=session)
    assert [m.to[0] for m in mailoutbox] == ["alt.tokyo@example.com", "newcomer@example.com"]
    assert Registration.objects.filter(session=session).count() == 2


@pytest.mark.parametrize("alts", [1, 50])
def test_invitations_take_the_same_queries_for_1_or_50_alts(tokyo, alts, django_assert_max_num_queries):
    from training import services

    for i in range(alts):
        make_alt(branch=tokyo, email=f"alt{i}@example.com")
    session = TrainingSessionFactory(branch=tokyo, required=True, capacity=25)
    # 11: saving a versioned row first asks whether it still exists (django-concurrency).
    with django_assert_max_num_queries(11):
        services.training_session_save(session=session)
    assert Registration.objects.filter(session=session).count() == alts
    assert Notification.objects.filter(kind="training.invited").count() == alts


# --- moving and cancelling ------------------------------------------------------------------


def test_moving_a_session_emails_those_on_its_list_once_per_change(
    client_for, trainer_tokyo, tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    tokyo_session.capacity = 1
    tokyo_session.save()
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo, email="a@example.com"))
    RegistrationFactory(
        session=tokyo_session,
        alt=make_alt(branch=tokyo, email="w@example.com"),
        status="WAITLISTED",
        waitlist_position=1,
    )
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo, email="x@example.com"), status="EXCUSED")
    client = client_for(trainer_tokyo)

    def save(**changes):
        tokyo_session.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(_change_url(tokyo_session), _form(tokyo_session, **changes)).status_code == 302
        sent = mailoutbox[save.seen :]
        save.seen = len(mailoutbox)
        return sent

    save.seen = 0
    new_start = _split(tokyo_session.start + timedelta(hours=2))
    new_end = _split(tokyo_session.end + timedelta(hours=2))
    sent = save(start_0=new_start[0], start_1=new_start[1], end_0=new_end[0], end_1=new_end[1])
    assert sorted(m.to[0] for m in sent) == ["a@example.com", "w@example.com"]
    assert all(m.subject == "New time: Tokyo classroom skills" for m in sent)
    assert save() == []  # nothing changed: no email
    assert save(capacity="1", title="Tokyo classroom skills", description="Bring a pen.") == []

    sent = save(place="Room B")
    assert sorted(m.to[0] for m in sent) == ["a@example.com", "w@example.com"]
    assert {m.subject for m in sent} == {"New place: Tokyo classroom skills"}
    body = next(m.body for m in sent if m.to == ["a@example.com"])
    assert "Place: Room B" in body and "it was Meeting room A" in body and "Your place is kept." in body
    assert "still on the waiting list" in next(m.body for m in sent if m.to == ["w@example.com"])
    assert save(place="Room B") == []

    sent = save(online_link="https://meet.example.com/tokyo-skills")
    assert {m.subject for m in sent} == {"New online link: Tokyo classroom skills"}
    assert "Online: https://meet.example.com/tokyo-skills" in sent[0].body

    tokyo_session.refresh_from_db()
    later_end = _split(tokyo_session.end + timedelta(minutes=30))
    sent = save(end_0=later_end[0], end_1=later_end[1])
    assert {m.subject for m in sent} == {"New time: Tokyo classroom skills"}
    assert "–" + later_end[1] in sent[0].body

    tokyo_session.refresh_from_db()
    later = _split(tokyo_session.start + timedelta(days=1))
    later_end = _split(tokyo_session.end + timedelta(days=1))
    sent = save(start_0=later[0], start_1=later[1], end_0=later_end[0], end_1=later_end[1], place="Room C")
    assert {m.subject for m in sent} == {"New time and place: Tokyo classroom skills"}
    assert len(mailoutbox) == 10


def test_cancelling_emails_those_on_the_list_once(
    client_for, trainer_tokyo, tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo, email="a@example.com"))
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo, email="b@example.com"))
    client = client_for(trainer_tokyo)
    action = {"action": "cancel_sessions", "_selected_action": [tokyo_session.pk]}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(CHANGELIST, action).status_code == 302
    tokyo_session.refresh_from_db()
    assert tokyo_session.is_cancelled
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    assert all(m.subject.startswith("Cancelled") for m in mailoutbox)


def test_cancelling_through_the_form_emails_too(
    client_for, sesps, alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sesps).post(_change_url(tokyo_session), _form(tokyo_session, status="CANCELLED"))
    assert [m.subject for m in mailoutbox] == ["Cancelled: Tokyo classroom skills"]


def test_more_places_let_the_waiting_list_in(
    sesps, tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    from training import services

    tokyo_session.capacity = 1
    tokyo_session.save()
    first, second = make_alt(branch=tokyo, email="one@example.com"), make_alt(branch=tokyo, email="two@example.com")
    services.registration_create(profile=first.alt_profile, session_id=tokyo_session.pk)
    services.registration_create(profile=second.alt_profile, session_id=tokyo_session.pk)
    tokyo_session.capacity = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=tokyo_session)
    assert Registration.objects.get(alt=second).status == "REGISTERED"
    assert [m.to for m in mailoutbox] == [["two@example.com"]]


# --- query counts --------------------------------------------------------------------------


def _sessions(branch, n):
    alts = [make_alt(branch=branch) for _ in range(3)]
    for i in range(n):
        session = TrainingSessionFactory(branch=branch, start=timezone.now() + timedelta(days=i + 1))
        TrainingSessionFactory(branch=None, kind="INITIAL_ORIENTATION", start=timezone.now() + timedelta(days=i + 2))
        for j, alt in enumerate(alts):
            RegistrationFactory(
                session=session,
                alt=alt,
                status="WAITLISTED" if j == 2 else "REGISTERED",
                waitlist_position=1 if j == 2 else None,
            )


@pytest.mark.parametrize("who", ["sesps", "trainer_tokyo"])
@pytest.mark.parametrize("n", [1, 50])
def test_session_changelist_queries_do_not_grow_with_rows(
    client_for, request, tokyo, who, n, django_assert_max_num_queries
):
    _sessions(tokyo, n)
    client = client_for(request.getfixturevalue(who))
    client.get(CHANGELIST)
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.content.decode().count("Take attendance") >= n


@pytest.mark.parametrize("n", [1, 50])
def test_session_change_page_queries_do_not_grow_with_registrations(
    client_for, sesps, tokyo, n, django_assert_max_num_queries
):
    session = TrainingSessionFactory(branch=tokyo, capacity=100)
    for _ in range(n):
        RegistrationFactory(session=session, alt=make_alt(branch=tokyo))
    client = client_for(sesps)
    client.get(_change_url(session))
    with django_assert_max_num_queries(16):
        assert client.get(_change_url(session)).status_code == 200


def test_session_changelist_shows_places_and_waiting_list(client_for, sesps, tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo))
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo), status="WAITLISTED", waitlist_position=1)
    page = client_for(sesps).get(CHANGELIST).content.decode()
    assert "1 / 10" in page


def test_arrival_window_needs_both_ends(client_for, sesps):
    response = client_for(sesps).post(ADD, _form(arrival_from=date(2030, 1, 1).isoformat()))
    assert "Give both ends of the arrival window." in response.content.decode()


def test_moving_back_to_the_first_time_is_announced_too(
    alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    from training import services

    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    first = tokyo_session.start
    for start in (first + timedelta(hours=1), first, first):
        tokyo_session.start, tokyo_session.end = start, start + timedelta(hours=2)
        with django_capture_on_commit_callbacks(execute=True):
            services.training_session_save(session=tokyo_session)
    assert [m.subject for m in mailoutbox] == ["New time: Tokyo classroom skills"] * 2


# --- a required orientation is for an arrival window -----------------------------------------


def test_a_required_orientation_needs_an_arrival_window(client_for, sesps, tokyo, mailoutbox):
    make_alt(branch=tokyo, email="arrived@example.com", arrival_date=timezone.localdate() - timedelta(days=30))
    response = client_for(sesps).post(ADD, _form())
    assert response.status_code == 200
    assert "A required orientation is for the ALTs of an arrival window: give its first and last day." in (
        response.content.decode()
    )
    assert not TrainingSession.objects.exists()
    assert not Registration.objects.exists()


def test_an_arrival_window_longer_than_six_months_is_refused(client_for, sesps):
    first = timezone.localdate()
    data = _form(arrival_from=first.isoformat(), arrival_until=(first + timedelta(days=200)).isoformat())
    response = client_for(sesps).post(ADD, data)
    assert "The arrival window can be at most six months long." in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_required_session_invites_nobody_once_registration_has_closed(tokyo, alt_tokyo, mailoutbox):
    from training import services

    session = TrainingSessionFactory(
        branch=tokyo, required=True, registration_deadline=timezone.now() - timedelta(minutes=1)
    )
    services.training_session_save(session=session)
    assert services.training_session_invite(session_id=session.pk) == 0
    assert not Registration.objects.exists()


# --- the attendance link, only for those who take attendance ----------------------------------


@pytest.mark.parametrize("who", ["mc_tokyo", "staff_tokyo"])
def test_staff_who_do_not_take_attendance_see_no_attendance_link(client_for, request, tokyo_session, who):
    client = client_for(request.getfixturevalue(who))
    page = client.get(CHANGELIST).content.decode()
    assert "Tokyo classroom skills" in page
    assert "Take attendance" not in page
    page = client.get(_change_url(tokyo_session)).content.decode()
    assert "Take attendance" not in page


def test_trainers_see_the_attendance_link(client_for, trainer_tokyo, tokyo_session):
    client = client_for(trainer_tokyo)
    assert "Take attendance (phone view)" in client.get(CHANGELIST).content.decode()
    page = client.get(_change_url(tokyo_session)).content.decode()
    assert reverse("training:attendance", args=[tokyo_session.pk]) in page


# --- every change is announced, each once ----------------------------------------------------


def test_cancel_reinstate_cancel_announces_each_change_once(
    alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    from training import services

    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    for status in ("CANCELLED", "SCHEDULED", "SCHEDULED", "CANCELLED"):
        tokyo_session.status = status
        with django_capture_on_commit_callbacks(execute=True):
            services.training_session_save(session=tokyo_session)
    assert [m.subject for m in mailoutbox] == [
        "Cancelled: Tokyo classroom skills",
        "No longer cancelled: Tokyo classroom skills",
        "Cancelled: Tokyo classroom skills",
    ]
    assert all(m.to == ["alt.tokyo@example.com"] for m in mailoutbox)
    assert "will take place after all" in mailoutbox[1].body


def test_reinstating_through_the_form_emails_those_on_the_list(
    client_for, sesps, alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    client = client_for(sesps)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "cancel_sessions", "_selected_action": [tokyo_session.pk]})
    tokyo_session.refresh_from_db()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_change_url(tokyo_session), _form(tokyo_session, status="SCHEDULED"))
        assert response.status_code == 302
    assert [m.subject for m in mailoutbox] == [
        "Cancelled: Tokyo classroom skills",
        "No longer cancelled: Tokyo classroom skills",
    ]


def test_moving_there_and_back_and_there_again_announces_each_move(
    alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    from training import services

    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    first = tokyo_session.start
    for start in (first + timedelta(hours=1), first, first + timedelta(hours=1), first + timedelta(hours=1)):
        tokyo_session.start, tokyo_session.end = start, start + timedelta(hours=2)
        with django_capture_on_commit_callbacks(execute=True):
            services.training_session_save(session=tokyo_session)
    assert [m.subject for m in mailoutbox] == ["New time: Tokyo classroom skills"] * 3
