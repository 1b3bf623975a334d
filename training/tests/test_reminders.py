"""training.tasks.send_session_reminders: 7 days and 1 day before, once, in the ALT's language."""

import math
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from contacts.models import Notification
from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training import selectors, services
from training.models import Registration, TrainingSession
from training.tasks import send_session_reminders

JST = ZoneInfo("Asia/Tokyo")
# A fixed instant for tests that read the subject: "today" or "tomorrow" depends on the hour.
NOON = datetime(2026, 5, 11, 12, 0, tzinfo=JST)


def _session_in(tokyo, delta, **fields):
    return TrainingSessionFactory(branch=tokyo, start=timezone.now() + delta, registration_deadline=None, **fields)


def test_a_week_ahead_and_a_day_ahead_each_once_even_run_twice(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON, tick=False)  # the 1-day reminder falls on the day before
    session = _session_in(tokyo, timedelta(days=7, hours=-1), title="Phonics")
    RegistrationFactory(session=session, alt=alt_tokyo)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_session_reminders()
    assert [m.subject for m in mailoutbox] == ["Reminder: Phonics is in a week"]
    time_machine.move_to(session.start - timedelta(hours=20), tick=False)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_session_reminders()
    assert [m.subject for m in mailoutbox][1:] == ["Reminder: Phonics is tomorrow"]
    time_machine.move_to(session.start + timedelta(minutes=5), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert len(mailoutbox) == 2
    assert mailoutbox[0].to == ["alt.tokyo@example.com"]


@pytest.mark.parametrize(
    ("now", "start", "subject"),
    [
        # 08:00 in Japan is still the day before in UTC: the day is Japan's.
        (datetime(2026, 5, 11, 8, 0, tzinfo=JST), datetime(2026, 5, 11, 18, 0, tzinfo=JST), "Phonics is today"),
        (datetime(2026, 5, 11, 0, 30, tzinfo=JST), datetime(2026, 5, 11, 9, 0, tzinfo=JST), "Phonics is today"),
        (datetime(2026, 5, 11, 9, 0, tzinfo=JST), datetime(2026, 5, 12, 8, 0, tzinfo=JST), "Phonics is tomorrow"),
        (datetime(2026, 5, 11, 23, 30, tzinfo=JST), datetime(2026, 5, 12, 0, 30, tzinfo=JST), "Phonics is tomorrow"),
    ],
)
def test_the_day_before_reminder_says_today_or_tomorrow_in_japan(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks, now, start, subject
):
    time_machine.move_to(now, tick=False)
    session = TrainingSessionFactory(
        branch=tokyo, title="Phonics", start=start, end=start + timedelta(hours=2), registration_deadline=None
    )
    RegistrationFactory(session=session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert [m.subject for m in mailoutbox] == [f"Reminder: {subject}"]


def test_a_session_later_today_is_today_in_japanese_too(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    time_machine.move_to(datetime(2026, 5, 11, 8, 0, tzinfo=JST), tick=False)
    RegistrationFactory(session=_session_in(tokyo, timedelta(hours=6), title="研修"), alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert "今日" in mailoutbox[0].subject and "明日" not in mailoutbox[0].subject


def test_a_repeat_after_the_marker_is_lost_still_sends_nothing(
    tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_in(tokyo, timedelta(hours=10))
    RegistrationFactory(session=session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 1
    Registration.objects.update(reminded_1d_for=None)  # as if a worker died between the two writes
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(kind="training.reminder").count() == 1


def test_reminders_are_in_the_alts_language(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    time_machine.move_to(NOON, tick=False)
    RegistrationFactory(session=_session_in(tokyo, timedelta(hours=20), title="研修"), alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert "明日" in mailoutbox[0].subject


def test_no_reminder_for_cancelled_past_waitlisted_or_far_sessions(
    tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled = _session_in(tokyo, timedelta(hours=10), status=TrainingSession.Status.CANCELLED)
    past = _session_in(tokyo, timedelta(hours=-1))
    far = _session_in(tokyo, timedelta(days=20))
    full = _session_in(tokyo, timedelta(hours=10))
    for session in (cancelled, past, far):
        RegistrationFactory(session=session, alt=alt_tokyo)
    RegistrationFactory(session=full, alt=alt_tokyo, status="WAITLISTED", waitlist_position=1)
    RegistrationFactory(session=_session_in(tokyo, timedelta(hours=3)), alt=alt_tokyo, status="EXCUSED")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 0
    assert mailoutbox == []


def test_a_moved_session_is_reminded_for_its_new_time_only(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON, tick=False)  # the 1-day reminder falls on the day before
    session = _session_in(tokyo, timedelta(hours=20), title="Moving")
    RegistrationFactory(session=session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=False):
        send_session_reminders()  # written to the outbox, not sent yet
    session.start += timedelta(hours=2)
    session.end += timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=session)
    assert [m.subject for m in mailoutbox] == ["New time: Moving"]  # the old reminder is dropped
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert [m.subject for m in mailoutbox][1:] == ["Reminder: Moving is tomorrow"]
    assert timezone.localtime(session.start).strftime("%H:%M") in mailoutbox[1].body


def test_a_session_given_a_new_place_is_reminded_with_it(
    tokyo, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON, tick=False)
    session = _session_in(tokyo, timedelta(hours=20), title="Moving rooms", place="Room A")
    RegistrationFactory(session=session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=False):
        send_session_reminders()  # written to the outbox, not sent yet
    session.place = "Room B"
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_save(session=session)
    assert [m.subject for m in mailoutbox] == ["New place: Moving rooms"]  # the reminder for Room A is dropped
    with django_capture_on_commit_callbacks(execute=True):
        send_session_reminders()
    assert [m.subject for m in mailoutbox][1:] == ["Reminder: Moving rooms is tomorrow"]
    assert "Place: Room B" in mailoutbox[1].body


def test_a_cancelled_session_drops_its_unsent_reminders(
    tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    session = _session_in(tokyo, timedelta(hours=20))
    RegistrationFactory(session=session, alt=alt_tokyo)
    with django_capture_on_commit_callbacks(execute=False):
        send_session_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_cancel(session_id=session.pk)
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Cancelled"]


@pytest.mark.parametrize("n", [1, 50])
def test_one_run_takes_the_same_queries_for_1_or_50_sessions(tokyo, n, django_assert_max_num_queries):
    alts = [make_alt(branch=tokyo) for _ in range(4)]
    for i in range(n):
        week = _session_in(tokyo, timedelta(days=6, hours=12 + i % 10))
        day = _session_in(tokyo, timedelta(hours=2 + i % 20))
        for alt in alts:
            RegistrationFactory(session=week, alt=alt)
            RegistrationFactory(session=day, alt=alt)
    # Fixed, plus one insert per outbox batch: 1,000 rows on PostgreSQL, fewer on SQLite (999 parameters).
    fields = Notification._meta.concrete_fields
    batch = min(1000, connection.ops.bulk_batch_size(fields, [Notification()] * 8 * n) or 1000)
    with django_assert_max_num_queries(5 + math.ceil(8 * n / batch)):
        sent = services.session_reminders_send()
    assert sent == 8 * n
    with django_assert_max_num_queries(4):
        assert services.session_reminders_send() == 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(postgres, tokyo, mailoutbox):
    alts = [make_alt(branch=tokyo) for _ in range(15)]
    for i in range(6):
        session = _session_in(tokyo, timedelta(hours=3 + i))
        for alt in alts:
            RegistrationFactory(session=session, alt=alt)
    barrier, errors = threading.Barrier(3), []

    def worker():
        try:
            barrier.wait(timeout=10)
            services.session_reminders_send()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Notification.objects.filter(kind="training.reminder").count() == 90
    from contacts.outbox import notifications_deliver_pending

    notifications_deliver_pending()
    assert len(mailoutbox) == 90
    assert len({(m.to[0], m.subject) for m in mailoutbox}) == 90


def test_inactive_alts_are_not_even_selected(tokyo, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    session = _session_in(tokyo, timedelta(hours=10))
    RegistrationFactory(session=session, alt=alt_tokyo)
    gone = RegistrationFactory(session=session, alt=make_alt(branch=tokyo, email="gone@example.com"))
    gone.alt.is_active = False
    gone.alt.save()
    assert list(selectors.registrations_due_a_reminder(now=timezone.now())) == [Registration.objects.get(alt=alt_tokyo)]
    with django_capture_on_commit_callbacks(execute=True):
        assert send_session_reminders() == 1
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_session_being_moved_is_left_for_the_next_run(postgres, tokyo, alt_tokyo):
    """The move holds the session row: the reminder run skips its registrations rather than
    remind of a time that is about to change (and mark the new time as reminded)."""
    session = _session_in(tokyo, timedelta(hours=10))
    RegistrationFactory(session=session, alt=alt_tokyo)
    locked, release, errors = threading.Event(), threading.Event(), []

    def mover():
        try:
            with transaction.atomic():
                TrainingSession.objects.select_for_update().get(pk=session.pk)
                locked.set()
                release.wait(timeout=10)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=mover)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert services.session_reminders_send() == 0
    finally:
        release.set()
        thread.join(timeout=30)
    assert errors == []
    assert services.session_reminders_send() == 1
