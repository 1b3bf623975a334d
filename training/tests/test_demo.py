"""seed_demo: both orientation tracks, Tokyo and Osaka training and meetings, registrations; idempotent."""

import re

from django.core.management import call_command
from django.urls import reverse

from contacts.models import User
from training.models import Registration, TrainingSession
from training.selectors import sessions_for_profile_q


def _snapshot():
    sessions = list(TrainingSession.objects.order_by("pk").values_list("pk", "title", "start", "status", "capacity"))
    registrations = list(Registration.objects.order_by("pk").values_list("pk", "session_id", "alt_id", "status"))
    return sessions, registrations


def test_seed_demo_creates_the_training_calendar_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first

    orientation = TrainingSession.objects.filter(kind="INITIAL_ORIENTATION", branch=None)
    assert set(orientation.values_list("track", flat=True)) == {"FLAGSHIP", "ALTERNATE"}
    assert set(orientation.values_list("trainer__email", flat=True)) == {"sesps@example.com"}
    for code in ("tokyo", "osaka"):
        branch_sessions = TrainingSession.objects.filter(branch__code=code)
        assert set(branch_sessions.values_list("kind", flat=True)) == {"BRANCH_TRAINING", "ALT_MEETING"}
        assert set(branch_sessions.values_list("trainer__email", flat=True)) == {f"trainer.{code}@example.com"}
        assert Registration.objects.filter(alt__email=f"alt.{code}@example.com").count() >= 2
    assert Registration.objects.filter(alt__email="alt.predeparture@example.com", session__track="FLAGSHIP").exists()
    for registration in Registration.objects.select_related("session", "alt__alt_profile"):
        applies = TrainingSession.objects.filter(sessions_for_profile_q(registration.alt.alt_profile))
        assert applies.filter(pk=registration.session_id).exists(), registration.session.title


def test_the_demo_has_a_session_in_todays_check_in_window_whatever_the_day(db, settings, time_machine):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    settings.DEBUG = True
    time_machine.move_to(datetime(2026, 3, 10, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
    call_command("seed_demo")

    def todays():
        return [s for s in TrainingSession.objects.filter(branch__code="tokyo") if s.checkin_open()]

    [session] = todays()
    registration = Registration.objects.get(session=session, alt__email="alt.tokyo@example.com")
    assert registration.status == "REGISTERED"
    assert session.trainer.email == "trainer.tokyo@example.com"
    registration.status = "ATTENDED"
    registration.save()

    # A day later, early in the morning: the same session, moved to the new day, nobody checked in yet.
    time_machine.move_to(datetime(2026, 3, 11, 0, 10, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
    call_command("seed_demo")
    assert todays() == [session]
    assert Registration.objects.get(pk=registration.pk).status == "REGISTERED"
    assert TrainingSession.objects.get(pk=session.pk).start.date() == (session.start + timedelta(days=1)).date()


def test_the_demo_tokyo_alt_has_past_sessions_beyond_the_five_on_the_training_page(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(User.objects.get(email="alt.tokyo@example.com"))
    page = client.get(reverse("training:index")).content.decode()
    match = re.search(r"See all (\d+) past sessions of the last 12 months", page)
    assert match and int(match.group(1)) > 5, "the demo's Tokyo ALT should have more past sessions than the page shows"
    past = client.get(reverse("training:past")).content.decode()
    assert "Tokyo ALT meeting: check-in 1" in past and "Initial orientation: flagship track (last intake)" in past
