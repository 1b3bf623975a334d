"""The scheduler's table (Asia/Tokyo): each reminder at the hour people expect it."""

import pytest

from interac_portal.celery import app


@pytest.mark.parametrize(
    ("task", "minute", "hour"),
    [
        ("contacts.tasks.deliver_pending_notifications", set(range(60)), set(range(24))),
        ("support.tasks.flag_overdue_requests", {0, 15, 30, 45}, set(range(24))),
        ("support.tasks.close_resolved_requests", {30}, {3}),
        ("support.tasks.escalate_urgent_requests", set(range(60)), set(range(24))),
        ("support.tasks.read_reply_maildir", set(range(60)), set(range(24))),
        ("support.tasks.send_visit_reminders", {20}, set(range(9, 21))),
        ("training.tasks.send_session_reminders", {5}, set(range(24))),
        ("training.tasks.invite_newly_eligible_alts", {30}, {8}),
        ("onboarding.tasks.send_elearning_invitations", {0}, {9}),
        ("onboarding.tasks.send_elearning_nudges", {0}, {10}),
        ("onboarding.tasks.send_handover_reminders", {15}, {9}),
        ("onboarding.tasks.send_checklist_reminders", {30}, {9}),
    ],
)
def test_each_task_is_scheduled_once_at_its_time(task, minute, hour):
    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"] == task]
    assert entry["schedule"].minute == minute
    assert entry["schedule"].hour == hour
