"""The private iCalendar feed: the ALT's own sessions, a resettable secret link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import CalendarFeed, TrainingSession


def _feed_url(user):
    return reverse("training:calendar_feed", args=[CalendarFeed.objects.get(alt=user).token])


@pytest.fixture
def feed_client(client_for, alt_tokyo):
    """The ALT has asked for their calendar link once, so their feed exists."""
    client = client_for(alt_tokyo)
    assert client.post(reverse("training:calendar_create")).status_code == 302
    return client


def test_the_link_is_made_when_the_alt_asks_for_it_never_by_looking(client_for, alt_tokyo, settings):
    settings.SITE_URL = "https://portal.example.com"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example.net"]  # a proxy that passes any Host
    client = client_for(alt_tokyo)
    page = client.get(reverse("training:index"), HTTP_HOST="evil.example.net").content.decode()
    assert "Get my calendar link" in page
    assert not CalendarFeed.objects.exists()  # a GET writes nothing
    response = client.post(reverse("training:calendar_create"))
    assert response.status_code == 302 and response["Location"].endswith("#calendar")
    assert client.post(reverse("training:calendar_create")).status_code == 302  # twice: still one link
    assert CalendarFeed.objects.filter(alt=alt_tokyo).count() == 1
    page = client.get(reverse("training:index"), HTTP_HOST="evil.example.net").content.decode()
    path = _feed_url(alt_tokyo)
    # The public address, whatever Host the request came with.
    assert f'href="webcal://portal.example.com{path}"' in page
    assert f'value="https://portal.example.com{path}"' in page
    assert "evil.example.net" not in page


def test_the_feed_lists_the_alts_sessions_in_utc(client, feed_client, alt_tokyo, tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    cancelled = TrainingSessionFactory(branch=tokyo, title="Called off", status=TrainingSession.Status.CANCELLED)
    RegistrationFactory(session=cancelled, alt=alt_tokyo)
    someone_elses = TrainingSessionFactory(branch=tokyo, title="Not mine")
    RegistrationFactory(session=someone_elses, alt=make_alt(branch=tokyo))
    response = client.get(_feed_url(alt_tokyo))  # no login: calendar apps have none
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    events = {str(e["summary"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert set(events) == {"Tokyo classroom skills", "Cancelled: Called off"}
    event = events["Tokyo classroom skills"]
    assert event.decoded("dtstart") == tokyo_session.start
    assert str(event["location"]) == "Meeting room A"
    assert str(event["status"]) == "CONFIRMED"
    assert str(events["Cancelled: Called off"]["status"]) == "CANCELLED"


def test_an_unknown_token_answers_404(client, db):
    assert client.get(reverse("training:calendar_feed", args=["not-a-token"])).status_code == 404


def test_resetting_retires_the_old_link(client, feed_client, alt_tokyo):
    old = _feed_url(alt_tokyo)
    response = feed_client.post(reverse("training:calendar_reset"))
    assert response.status_code == 302
    new = _feed_url(alt_tokyo)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert new in feed_client.get(reverse("training:index")).content.decode()


@pytest.mark.parametrize("name", ["training:calendar_reset", "training:calendar_create"])
def test_reset_and_create_are_post_only_and_for_alts(client_for, feed_client, staff_tokyo, name):
    assert feed_client.get(reverse(name)).status_code == 405
    assert client_for(staff_tokyo).post(reverse(name)).status_code == 404


def test_a_deactivated_alts_feed_answers_404(client, feed_client, alt_tokyo):
    url = _feed_url(alt_tokyo)
    alt_tokyo.is_active = False
    alt_tokyo.save()
    assert client.get(url).status_code == 404


def test_the_feed_is_in_the_alts_language(client, feed_client, alt_tokyo, tokyo):
    session = TrainingSessionFactory(branch=tokyo, title="Called off", status=TrainingSession.Status.CANCELLED)
    RegistrationFactory(session=session, alt=alt_tokyo)
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    body = Calendar.from_ical(client.get(_feed_url(alt_tokyo)).content)
    assert "中止" in str(next(iter(body.walk("VEVENT")))["summary"])


@pytest.mark.parametrize("n", [1, 50])
def test_the_feed_takes_the_same_queries_for_1_or_50_sessions(
    client, feed_client, alt_tokyo, tokyo, n, django_assert_max_num_queries
):
    for i in range(n):
        RegistrationFactory(
            session=TrainingSessionFactory(branch=tokyo, start=timezone.now() + timedelta(days=i + 1)), alt=alt_tokyo
        )
    url = _feed_url(alt_tokyo)
    # The feed and the registrations, and one for the events the layer above adds (support's visits).
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code == 200


# --- one session as a file, beside the feed ------------------------------------------------


def test_the_alt_downloads_one_registered_session_as_a_calendar_file(client_for, alt_tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    client = client_for(alt_tokyo)
    link = reverse("training:session_calendar", args=[tokyo_session.pk])
    assert link in client.get(reverse("training:index")).content.decode()
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="training-session-{tokyo_session.pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    assert "X-WR-CALNAME" not in calendar  # a file to import once, not a subscription
    [event] = calendar.walk("VEVENT")
    # The feed's UID: a later feed updates this event rather than adding a second.
    assert str(event["uid"]) == f"training-session-{tokyo_session.pk}@alt-portal"
    assert str(event["summary"]) == "Tokyo classroom skills"
    assert event.decoded("dtstart") == tokyo_session.start


def test_the_file_speaks_the_alts_language(client_for, alt_tokyo, tokyo_session, trainer_tokyo):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    response = client_for(alt_tokyo).get(reverse("training:session_calendar", args=[tokyo_session.pk]))
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert "支店研修" in str(event["description"])


@pytest.mark.parametrize("who", ["alt_osaka", "other", "trainer_tokyo", "mc_tokyo"])
def test_a_session_one_is_not_registered_for_is_404(client_for, request, alt_tokyo, tokyo, tokyo_session, who):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo)
    user = make_alt(branch=tokyo, email="other@example.com") if who == "other" else request.getfixturevalue(who)
    assert client_for(user).get(reverse("training:session_calendar", args=[tokyo_session.pk])).status_code == 404


def test_a_session_given_up_has_no_file(client_for, alt_tokyo, tokyo_session):
    RegistrationFactory(session=tokyo_session, alt=alt_tokyo, status="EXCUSED")
    assert client_for(alt_tokyo).get(reverse("training:session_calendar", args=[tokyo_session.pk])).status_code == 404
