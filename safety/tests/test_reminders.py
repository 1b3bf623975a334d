"""Reminders to those who have not answered: every 3 hours after the start, 4 times at most, once each."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from safety.services import safety_check_close
from safety.tasks import send_safety_reminders

from .factories import link_path, start_check

JST = ZoneInfo("Asia/Tokyo")
# Tomorrow 10:02 in Japan: the factories' ALTs arrived a month before today.
START = datetime.combine(timezone.localdate() + timedelta(days=1), time(10, 2), tzinfo=JST)


def _reminded(mailoutbox) -> list[str]:
    return [message.to[0] for message in mailoutbox if message.subject.startswith("Reminder")]


def _run_at(time_machine, when, capture, times=2):
    time_machine.move_to(when, tick=False)
    for _ in range(times):
        with capture(execute=True):
            send_safety_reminders()


def test_non_answerers_are_reminded_every_three_hours_four_times_and_each_round_once(
    client, sesps, settled, alt_tokyo, alt_osaka, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps)
    client.post(link_path(check, alt_osaka), {"status": "SAFE"})
    mailoutbox.clear()

    _run_at(time_machine, START + timedelta(hours=2, minutes=59), django_capture_on_commit_callbacks)
    assert _reminded(mailoutbox) == []
    for hours in (3, 6, 9, 12):
        _run_at(time_machine, START + timedelta(hours=hours, minutes=1), django_capture_on_commit_callbacks)
        assert _reminded(mailoutbox) == ["alt.tokyo@example.com"] * (hours // 3), hours
    _run_at(time_machine, START + timedelta(hours=15, minutes=1), django_capture_on_commit_callbacks)
    _run_at(time_machine, START + timedelta(days=2), django_capture_on_commit_callbacks)
    assert len(_reminded(mailoutbox)) == 4
    check.refresh_from_db()
    assert check.reminders_sent == 4
    reminder = mailoutbox[-1]
    assert reminder.subject == "Reminder: are you safe? (Earthquake in Kanto)"
    assert link_path(check, alt_tokyo) in reminder.body


def test_rounds_missed_while_the_scheduler_was_down_are_one_reminder_not_several(
    sesps, settled, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps)
    mailoutbox.clear()
    _run_at(time_machine, START + timedelta(hours=7), django_capture_on_commit_callbacks)
    assert len(_reminded(mailoutbox)) == 2  # Tokyo's and Osaka's ALT, once each
    check.refresh_from_db()
    assert check.reminders_sent == 2


def test_the_interval_and_the_number_of_rounds_are_settings(
    sesps, settled, settings, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    settings.SAFETY_REMINDER_HOURS = 1
    settings.SAFETY_REMINDER_ROUNDS = 2
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        start_check(by=sesps, branches=[settled["tokyo"].alt_profile.branch])
    mailoutbox.clear()
    for hours in (1, 2, 3, 4):
        _run_at(time_machine, START + timedelta(hours=hours, minutes=1), django_capture_on_commit_callbacks)
    assert _reminded(mailoutbox) == ["alt.tokyo@example.com"] * 2


def test_a_closed_check_reminds_nobody(sesps, settled, mailoutbox, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps)
    safety_check_close(check=check, by=sesps)
    _run_at(time_machine, START + timedelta(hours=3, minutes=5), django_capture_on_commit_callbacks)
    assert _reminded(mailoutbox) == []


def test_a_reminder_is_in_the_alts_language(
    sesps, settled, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save(update_fields=["preferred_language"])
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        start_check(by=sesps, title_ja="関東で地震", branches=[alt_tokyo.alt_profile.branch])
    _run_at(time_machine, START + timedelta(hours=3, minutes=1), django_capture_on_commit_callbacks)
    (reminder,) = [m for m in mailoutbox if "再送" in m.subject]
    assert "関東で地震" in reminder.subject


def test_answering_from_the_dashboard_stops_the_reminders(
    client_for, sesps, settled, alt_tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(START, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps, branches=[alt_tokyo.alt_profile.branch])
    _run_at(time_machine, START + timedelta(hours=3, minutes=1), django_capture_on_commit_callbacks)
    client_for(alt_tokyo).post(reverse("safety:answer", args=[check.pk]), {"status": "SAFE"})
    _run_at(time_machine, START + timedelta(hours=6, minutes=1), django_capture_on_commit_callbacks)
    assert _reminded(mailoutbox) == ["alt.tokyo@example.com"]
