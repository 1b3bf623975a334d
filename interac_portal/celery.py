import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interac_portal.settings")

app = Celery("interac_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Workers and the scheduler log through settings.LOGGING, with its filter that scrubs
    phone numbers and email addresses: Celery's own setup would replace the handlers without it."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


# Schedules are in Asia/Tokyo (CELERY_TIMEZONE). Every task is safe to run
# twice: the Notification unique key decides what is sent.
app.conf.beat_schedule = {
    # Every minute: whatever the broker lost (it was down, a process died between a commit and its
    # publish) goes out within a minute; a sweep with nothing due is one indexed query.
    "deliver-pending-notifications": {
        "task": "contacts.tasks.deliver_pending_notifications",
        "schedule": crontab(),
    },
    "send-elearning-invitations": {
        "task": "onboarding.tasks.send_elearning_invitations",
        "schedule": crontab(hour=9, minute=0),
    },
    "send-elearning-nudges": {
        "task": "onboarding.tasks.send_elearning_nudges",
        "schedule": crontab(hour=10, minute=0),
    },
    "send-handover-reminders": {
        "task": "onboarding.tasks.send_handover_reminders",
        "schedule": crontab(hour=9, minute=15),
    },
    "send-checklist-reminders": {
        "task": "onboarding.tasks.send_checklist_reminders",
        "schedule": crontab(hour=9, minute=30),
    },
    "training-invite-newly-eligible": {
        "task": "training.tasks.invite_newly_eligible_alts",
        "schedule": crontab(hour=8, minute=30),
    },
    "send-session-reminders": {
        "task": "training.tasks.send_session_reminders",
        "schedule": crontab(minute=5),
    },
    "flag-overdue-requests": {
        "task": "support.tasks.flag_overdue_requests",
        "schedule": crontab(minute="*/15"),
    },
    "escalate-urgent-requests": {
        "task": "support.tasks.escalate_urgent_requests",
        "schedule": crontab(minute="*"),
    },
    "send-visit-reminders": {
        "task": "support.tasks.send_visit_reminders",
        "schedule": crontab(hour="9-20", minute=20),
    },
    # Replies a self-hosted mail server delivered to REPLY_MAILDIR (does nothing without one).
    "read-reply-maildir": {
        "task": "support.tasks.read_reply_maildir",
        "schedule": crontab(minute="*"),
    },
    "close-resolved-requests": {
        "task": "support.tasks.close_resolved_requests",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every 3 hours after a check starts (SAFETY_REMINDER_HOURS), looked for every 10 minutes so
    # that a round goes out on time; also finishes a check's fan-out if the broker lost it.
    "send-safety-reminders": {
        "task": "safety.tasks.send_safety_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "send-wellbeing-checkins": {
        "task": "safety.tasks.send_wellbeing_checkins",
        "schedule": crontab(hour=9, minute=30),
    },
}
