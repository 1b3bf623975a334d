"""The scheduler's table for the safety app (Asia/Tokyo). Here, not in safety/: an app does not import
the project above it."""

import pytest

from interac_portal.celery import app


@pytest.mark.parametrize(
    ("task", "minute", "hour"),
    [
        # Reminders fall due every 3 hours after each check's own start: looked for every 10 minutes.
        ("safety.tasks.send_safety_reminders", set(range(0, 60, 10)), set(range(24))),
        ("safety.tasks.send_wellbeing_checkins", {30}, {9}),
    ],
)
def test_each_safety_task_is_scheduled_once_at_its_time(task, minute, hour):
    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"] == task]
    assert entry["schedule"].minute == minute
    assert entry["schedule"].hour == hour
