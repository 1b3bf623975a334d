"""A trainer's sessions on the worklist (today, the next 7 days, attendance not taken) and the arrived ALTs on
no orientation, with the admin filters that list the same rows, at the edges of each window."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession
from training.selectors import arrived_without_orientation_count, orientation_fill_by_track, trainer_worklist

JAPAN = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 16, 10, 0, tzinfo=JAPAN)  # a Tuesday morning
SESSIONS = reverse("admin:training_trainingsession_changelist")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=JAPAN)


def session(title, start, *, branch, **fields):
    fields.setdefault("registration_deadline", None)
    return TrainingSessionFactory(title=title, branch=branch, start=start, end=start + timedelta(hours=2), **fields)


def titles(client, **params) -> set[str]:
    page = client.get(SESSIONS, params).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0] if 'id="result_list"' in page else ""
    return set(re.findall(r'class="field-title_display">(?:<a [^>]*>)?([^<]+)<', rows))


def test_today_the_next_7_days_and_the_roll_not_taken_have_their_edges(client_for, trainer_tokyo, tokyo, alt_tokyo):
    session("Early today", at(16, 0, 0), branch=tokyo)
    session("Late today", at(16, 23, 30), branch=tokyo)
    session("Tomorrow", at(17, 0, 0), branch=tokyo)
    session("In 7 days", at(23, 23, 0), branch=tokyo)
    session("In 8 days", at(24, 0, 0), branch=tokyo)
    session("Cancelled today", at(16, 15), branch=tokyo, status=TrainingSession.Status.CANCELLED)
    unmarked = session("Ended 13 days ago", at(3, 8), branch=tokyo)
    RegistrationFactory(session=unmarked, alt=alt_tokyo)
    too_old = session("Ended 15 days ago", at(1, 8), branch=tokyo)
    RegistrationFactory(session=too_old, alt=alt_tokyo)
    marked = session("Roll taken", at(10, 8), branch=tokyo)
    RegistrationFactory(session=marked, alt=alt_tokyo, status=Registration.Status.ATTENDED)
    running = session("Running now", at(16, 9), branch=tokyo)  # not over yet: its roll is not late
    RegistrationFactory(session=running, alt=alt_tokyo)

    found = trainer_worklist(user=trainer_tokyo)
    assert [s.title for s in found.today] == ["Early today", "Running now", "Late today"]
    assert [s.title for s in found.next_days] == ["Tomorrow", "In 7 days"]
    assert [s.title for s in found.not_taken] == ["Ended 13 days ago"]

    client = client_for(trainer_tokyo)
    scheduled = {"status__exact": "SCHEDULED", "mine": "yes"}
    assert titles(client, when="today", **scheduled) == {"Early today", "Running now", "Late today"}
    assert titles(client, when="next_days", **scheduled) == {"Tomorrow", "In 7 days"}
    assert titles(client, attendance="not_taken", mine="yes") == {"Ended 13 days ago"}


def test_a_trainer_sees_their_branchs_sessions_and_those_they_lead_that_the_admin_shows_them(
    trainer_tokyo, trainer_osaka, tokyo, osaka
):
    session("Tokyo, someone else leads", at(16, 14), branch=tokyo, trainer=trainer_osaka)
    session("Osaka, they lead it", at(16, 14), branch=osaka, trainer=trainer_tokyo)  # not in their admin
    session("Osaka", at(16, 14), branch=osaka, trainer=trainer_osaka)
    assert [s.title for s in trainer_worklist(user=trainer_tokyo).today] == ["Tokyo, someone else leads"]


def test_arrived_alts_on_no_orientation(client_for, sesps, tokyo, osaka):
    orientation = {"kind": "INITIAL_ORIENTATION", "branch": None, "track": "FLAGSHIP"}
    past = TrainingSessionFactory(title="Last intake", start=NOW - timedelta(days=30), **orientation)
    upcoming = TrainingSessionFactory(title="Next intake", start=NOW + timedelta(days=30), **orientation)
    arrived = lambda email, **kw: make_alt(  # noqa: E731
        branch=tokyo, email=email, arrival_date=NOW.date() - timedelta(days=3), **kw
    )
    missing = arrived("missing@example.com")
    absent = arrived("absent@example.com")
    RegistrationFactory(session=past, alt=absent, status=Registration.Status.ABSENT)
    RegistrationFactory(session=past, alt=arrived("attended@example.com"), status=Registration.Status.ATTENDED)
    RegistrationFactory(session=upcoming, alt=arrived("booked@example.com"))
    RegistrationFactory(session=upcoming, alt=arrived("waiting@example.com"), status="WAITLISTED", waitlist_position=1)
    make_alt(branch=osaka, email="not.yet@example.com", arrival_date=NOW.date() + timedelta(days=1))
    make_alt(branch=None, email="applicant@example.com", arrival_date=NOW.date() - timedelta(days=3))
    gone = arrived("gone@example.com")
    gone.is_active = False
    gone.save()

    assert arrived_without_orientation_count() == 2
    page = client_for(sesps).get(reverse("admin:training_alttrainingrecord_changelist"), {"orientation": "missing"})
    rows = page.content.decode().split('id="result_list"')[1].split("</table>")[0]
    assert set(re.findall(r"[a-z.]+@example\.com", rows)) == {missing.email, absent.email}


@pytest.mark.parametrize("sessions", [1, 10])
def test_the_fill_by_track_is_two_queries(tokyo, alt_tokyo, sessions, django_assert_num_queries):
    for n in range(sessions):
        orientation = TrainingSessionFactory(
            kind="INITIAL_ORIENTATION", branch=None, track="FLAGSHIP", start=NOW + timedelta(days=10 + n), capacity=5
        )
        RegistrationFactory(session=orientation, alt=make_alt(branch=tokyo, email=f"a{n}@example.com"))
    with django_assert_num_queries(2):
        flagship, alternate = orientation_fill_by_track()
    assert (flagship.sessions, flagship.capacity, flagship.taken, flagship.free) == (
        sessions,
        5 * sessions,
        sessions,
        4 * sessions,
    )
    assert alternate.sessions == 0
