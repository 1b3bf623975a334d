from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Hourly: the 7-day and 1-day reminders due. Safe to run twice or on two workers at once."""
    return services.session_reminders_send()


@shared_task(acks_late=True)
def invite_newly_eligible_alts() -> int:
    """Daily: ALTs who arrived or joined a branch after a required session was published are invited too."""
    return services.sessions_invite_newly_eligible()
