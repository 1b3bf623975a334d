"""/training/: what an ALT sees, registers for and withdraws from."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession

INDEX = reverse("training:index")
PAST = reverse("training:past")


def _register_url(session):
    return reverse("training:register", args=[session.pk])


def _withdraw_url(session):
    return reverse("training:withdraw", args=[session.pk])


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["outsider", "staff_tokyo", "sesps"])
def test_people_who_are_not_alts_get_404(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(INDEX).status_code == 404


def test_alt_sees_sessions_of_their_branch_and_national_ones_only(
    client_for, alt_tokyo, tokyo_session, osaka_session, orientation
):
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    assert "Tokyo classroom skills" in page
    assert "Flagship orientation" in page
    assert "Osaka team teaching" not in page


def test_alt_registers_and_sees_the_session_as_upcoming(client_for, alt_tokyo, tokyo_session):
    client = client_for(alt_tokyo)
    response = client.post(_register_url(tokyo_session))
    assert response.status_code == 302
    registration = Registration.objects.get(session=tokyo_session)
    assert (registration.alt, registration.status) == (alt_tokyo, Registration.Status.REGISTERED)
    page = client.get(INDEX).content.decode()
    assert "You are registered for Tokyo classroom skills." in page
    assert "Withdraw" in page


def test_a_full_session_offers_the_waiting_list(client_for, alt_tokyo, tokyo, tokyo_session):
    tokyo_session.capacity = 1
    tokyo_session.save()
    RegistrationFactory(session=tokyo_session, alt=make_alt(branch=tokyo))
    client = client_for(alt_tokyo)
    assert "Join the waiting list" in client.get(INDEX).content.decode()
    client.post(_register_url(tokyo_session))
    registration = Registration.objects.get(session=tokyo_session, alt=alt_tokyo)
    assert registration.status == Registration.Status.WAITLISTED
    assert registration.waitlist_position == 1
    assert "On the waiting list (#1)" in client.get(INDEX).content.decode()


def test_withdrawing_gives_the_place_to_the_first_on_the_waiting_list(
    client_for, tokyo, alt_tokyo, tokyo_session, mailoutbox, django_capture_on_commit_callbacks
):
    tokyo_session.capacity = 1
    tokyo_session.save()
    second, third = (
        make_alt(branch=tokyo, email="second@example.com"),
        make_alt(branch=tokyo, email="third@example.com"),
    )
    client_for(alt_tokyo).post(_register_url(tokyo_session))
    client_for(second).post(_register_url(tokyo_session))
    client_for(third).post(_register_url(tokyo_session))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alt_tokyo).post(_withdraw_url(tokyo_session))
    assert response.status_code == 302
    assert not Registration.objects.filter(alt=alt_tokyo).exists()
    statuses = dict(Registration.objects.values_list("alt__email", "status"))
    assert statuses == {"second@example.com": "REGISTERED", "third@example.com": "WAITLISTED"}
    assert [m.to for m in mailoutbox] == [["second@example.com"]]
    assert "A place is yours" in mailoutbox[0].subject


def test_a_forged_post_cannot_register_another_alt(client_for, alt_tokyo, tokyo, tokyo_session):
    other = make_alt(branch=tokyo, email="other@example.com")
    client_for(alt_tokyo).post(_register_url(tokyo_session), {"alt": other.pk, "alt_id": other.pk})
    assert list(Registration.objects.values_list("alt__email", flat=True)) == ["alt.tokyo@example.com"]


def test_a_forged_post_cannot_withdraw_another_alt(client_for, alt_tokyo, tokyo, tokyo_session):
    other = make_alt(branch=tokyo, email="other@example.com")
    RegistrationFactory(session=tokyo_session, alt=other)
    response = client_for(alt_tokyo).post(_withdraw_url(tokyo_session), {"alt": other.pk})
    assert response.status_code == 422
    assert Registration.objects.filter(alt=other).exists()


def test_registering_for_another_branchs_session_answers_404(client_for, alt_tokyo, osaka_session):
    assert client_for(alt_tokyo).post(_register_url(osaka_session)).status_code == 404
    assert not Registration.objects.exists()


def test_registering_after_the_deadline_is_refused(client_for, alt_tokyo, tokyo_session):
    tokyo_session.registration_deadline = timezone.now() - timedelta(minutes=1)
    tokyo_session.save()
    response = client_for(alt_tokyo).post(_register_url(tokyo_session))
    assert response.status_code == 422
    assert "Registration for this session has closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_withdrawing_after_the_deadline_is_refused(client_for, alt_tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    tokyo_session.registration_deadline = timezone.now() - timedelta(minutes=1)
    tokyo_session.save()
    response = client_for(alt_tokyo).post(_withdraw_url(tokyo_session))
    assert response.status_code == 422
    assert Registration.objects.filter(alt=alt_tokyo, status="REGISTERED").exists()


def test_a_cancelled_session_cannot_be_registered_for(client_for, alt_tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    tokyo_session.status = TrainingSession.Status.CANCELLED
    tokyo_session.save()
    other_session = TrainingSessionFactory(branch=tokyo_session.branch, status=TrainingSession.Status.CANCELLED)
    response = client_for(alt_tokyo).post(_register_url(other_session))
    assert response.status_code == 422
    assert "This session has been cancelled." in response.content.decode()
    assert "This session has been cancelled." in client_for(alt_tokyo).get(INDEX).content.decode()


def test_registering_twice_keeps_one_registration(client_for, alt_tokyo, tokyo_session):
    client = client_for(alt_tokyo)
    client.post(_register_url(tokyo_session))
    client.post(_register_url(tokyo_session))
    assert Registration.objects.count() == 1


@pytest.mark.parametrize("name", ["training:register", "training:withdraw", "training:confirm"])
def test_state_changes_are_post_only(client_for, alt_tokyo, tokyo_session, name):
    assert client_for(alt_tokyo).get(reverse(name, args=[tokyo_session.pk])).status_code == 405


def test_past_sessions_show_the_attendance(client_for, alt_tokyo, tokyo):
    start = timezone.now() - timedelta(days=3)
    attended = TrainingSessionFactory(branch=tokyo, title="Went there", start=start, required=True)
    missed = TrainingSessionFactory(branch=tokyo, title="Missed it", start=start - timedelta(days=1), required=True)
    RegistrationFactory(session=attended, alt=alt_tokyo, status="ATTENDED")
    RegistrationFactory(session=missed, alt=alt_tokyo, status="ABSENT")
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    past = page.split("Past sessions", 1)[1]
    assert "Went there" in past and "Attended" in past
    assert "Missed it" in past and "Absent" in past
    assert "<strong>1 of 2</strong>" in page


def test_required_sessions_are_marked(client_for, alt_tokyo, tokyo):
    TrainingSessionFactory(branch=tokyo, title="Compulsory", required=True)
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    assert 'badge text-bg-warning">Required' in page


def _fill(tokyo, alt, n):
    others = [make_alt(branch=tokyo) for _ in range(3)]
    for i in range(n):
        mine = TrainingSessionFactory(branch=tokyo, start=timezone.now() + timedelta(days=2 + i), required=i % 2 == 0)
        RegistrationFactory(session=mine, alt=alt, invited=i % 2 == 0)
        for other in others:
            RegistrationFactory(session=mine, alt=other)
        gone = TrainingSessionFactory(branch=tokyo, start=timezone.now() - timedelta(days=2 + i), required=True)
        RegistrationFactory(session=gone, alt=alt, status="ATTENDED")
        TrainingSessionFactory(branch=tokyo, start=timezone.now() + timedelta(days=3 + i))
        TrainingSessionFactory(branch=None, kind="INITIAL_ORIENTATION", start=timezone.now() + timedelta(days=4 + i))


@pytest.mark.parametrize("sessions", [1, 50])
def test_training_page_queries_do_not_grow_with_sessions(
    client_for, alt_tokyo, tokyo, sessions, django_assert_max_num_queries
):
    _fill(tokyo, alt_tokyo, sessions)
    client = client_for(alt_tokyo)
    client.get(INDEX)  # the calendar token row is created on the first visit
    with django_assert_max_num_queries(6):
        response = client.get(INDEX)
    assert response.status_code == 200
    assert response.content.decode().count('class="card mb-3') >= 2 * sessions


def _attended_sessions(tokyo, alt, n):
    """n past sessions attended, a day apart, the most recent yesterday; their titles newest first."""
    titles = []
    for day in range(1, n + 1):
        session = TrainingSessionFactory(
            branch=tokyo, title=f"Past session {day:02d}", start=timezone.now() - timedelta(days=day)
        )
        RegistrationFactory(session=session, alt=alt, status="ATTENDED")
        titles.append(session.title)
    return titles


def _past_section(page: str) -> str:
    return page.split('id="past-title"', 1)[1].split("</section>", 1)[0]


def test_the_page_shows_the_five_latest_past_sessions_and_links_the_others(client_for, alt_tokyo, tokyo):
    titles = _attended_sessions(tokyo, alt_tokyo, 8)
    index = client_for(alt_tokyo).get(INDEX).content.decode()
    past = _past_section(index)
    assert [t for t in titles if t in past] == titles[:5]
    assert f'<a href="{PAST}">See all 8 past sessions of the last 12 months</a>' in past
    assert "8 sessions attended in all" in index  # the record counts them all
    page = client_for(alt_tokyo).get(PAST).content.decode()
    assert [t for t in titles if t in page] == titles
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)  # newest first
    assert page.count('<span class="badge text-bg-success">Attended</span>') == 8


def test_with_five_past_sessions_or_fewer_there_is_no_link(client_for, alt_tokyo, tokyo):
    _attended_sessions(tokyo, alt_tokyo, 5)
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    assert page.count("Past session ") == 5
    assert PAST not in page
    assert "5 sessions attended in all" in page


def test_the_past_page_leaves_out_sessions_older_than_12_months_and_upcoming_ones(client_for, alt_tokyo, tokyo):
    old = TrainingSessionFactory(branch=tokyo, title="Long ago", start=timezone.now() - timedelta(days=400))
    RegistrationFactory(session=old, alt=alt_tokyo, status="ATTENDED")
    RegistrationFactory(session=TrainingSessionFactory(branch=tokyo, title="Next week"), alt=alt_tokyo)
    page = client_for(alt_tokyo).get(PAST).content.decode()
    assert "Long ago" not in page and "Next week" not in page
    assert "No past sessions in the last 12 months." in page


@pytest.mark.parametrize("who", ["outsider", "staff_tokyo", "sesps"])
def test_the_past_page_is_404_for_people_who_are_not_alts(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get(PAST).status_code == 404


def test_the_past_page_is_get_only_and_needs_a_login(client, client_for, alt_tokyo):
    assert client.get(PAST)["Location"].startswith(reverse("account_login"))
    assert client_for(alt_tokyo).post(PAST).status_code == 405


@pytest.mark.parametrize("sessions", [1, 40])
def test_the_past_page_queries_do_not_grow_with_sessions(
    client_for, alt_tokyo, tokyo, sessions, django_assert_max_num_queries
):
    _attended_sessions(tokyo, alt_tokyo, sessions)
    client = client_for(alt_tokyo)
    client.get(PAST)
    with django_assert_max_num_queries(4):
        response = client.get(PAST)
    assert response.content.decode().count("Past session ") == sessions


def _waiting_badge(client):
    page = client.get(INDEX).content.decode()
    return page.split("On the waiting list (#", 1)[1].split(")", 1)[0]


def test_the_waiting_list_moves_up_when_someone_ahead_leaves_it(client_for, alt_tokyo, tokyo, tokyo_session):
    tokyo_session.capacity = 1
    tokyo_session.save()
    holder, ahead = make_alt(branch=tokyo), make_alt(branch=tokyo)
    for alt in (holder, ahead, alt_tokyo):
        client_for(alt).post(_register_url(tokyo_session))
    client = client_for(alt_tokyo)
    assert _waiting_badge(client) == "2"
    assert client_for(ahead).post(_withdraw_url(tokyo_session)).status_code == 302
    assert _waiting_badge(client) == "1"


def test_the_waiting_list_moves_up_when_the_first_gets_a_place(client_for, alt_tokyo, tokyo, tokyo_session):
    tokyo_session.capacity = 1
    tokyo_session.save()
    holder, first = make_alt(branch=tokyo), make_alt(branch=tokyo)
    for alt in (holder, first, alt_tokyo):
        client_for(alt).post(_register_url(tokyo_session))
    client_for(holder).post(_withdraw_url(tokyo_session))
    assert Registration.objects.get(alt=first).status == Registration.Status.REGISTERED
    assert _waiting_badge(client_for(alt_tokyo)) == "1"
    newcomer = make_alt(branch=tokyo)
    client_for(newcomer).post(_register_url(tokyo_session))
    assert Registration.objects.get(alt=newcomer).waitlist_position == 2


def test_a_place_freed_after_the_start_is_not_given_away(tokyo, mailoutbox, django_capture_on_commit_callbacks):
    from training import services

    start = timezone.now() + timedelta(hours=1)
    session = TrainingSessionFactory(branch=tokyo, capacity=1, start=start, registration_deadline=None)
    holder, waiting = make_alt(branch=tokyo), make_alt(branch=tokyo)
    services.registration_create(profile=holder.alt_profile, session_id=session.pk)
    services.registration_create(profile=waiting.alt_profile, session_id=session.pk)
    session.capacity = 2  # a second place, once the session has begun: nobody could come any more
    services.training_session_save(session=session, now=start + timedelta(minutes=1))
    assert Registration.objects.get(alt=waiting).status == Registration.Status.WAITLISTED
    # The same change before the start does give the place.
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=session, now=start - timedelta(minutes=30))
    assert Registration.objects.get(alt=waiting).status == Registration.Status.REGISTERED
    assert [m.to for m in mailoutbox] == [[waiting.email]]


def test_times_show_in_japan_time_with_the_end_date_only_when_it_differs(client_for, alt_tokyo, tokyo):
    one_day = datetime(2031, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday
    TrainingSessionFactory(branch=tokyo, title="One morning", start=one_day, end=one_day + timedelta(hours=2))
    TrainingSessionFactory(
        branch=tokyo, title="Overnight camp", start=one_day + timedelta(days=7), end=one_day + timedelta(days=8)
    )
    with time_machine.travel(one_day - timedelta(days=10)):
        page = client_for(alt_tokyo).get(INDEX).content.decode()
    # Stored in UTC (01:00), shown at 10:00 in Japan.
    assert '<time datetime="2031-03-04T10:00:00+09:00">Tue 4 Mar 2031, 10:00</time>–12:00' in page
    overnight = '<time datetime="2031-03-11T10:00:00+09:00">Tue 11 Mar 2031, 10:00</time>–Wed 12 Mar 2031, 10:00'
    assert overnight in page


@pytest.mark.parametrize(
    "language, labels",
    [
        ("en", ["When:", "(Japan time)", "Run by:", "Register or withdraw by:"]),
        ("ja", ["日時:", "(日本時間)", "担当:"]),
    ],
)
def test_each_session_is_labelled_in_the_alts_language(client_for, alt_tokyo, tokyo, language, labels):
    # The labels are translated once per page and shown on every session's card.
    alt_tokyo.preferred_language = language
    alt_tokyo.save()
    TrainingSessionFactory(branch=tokyo, title="First")
    TrainingSessionFactory(branch=tokyo, title="Second")
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    for label in labels:
        assert page.count(f'<span class="text-muted">{label}</span>') == 2, label
