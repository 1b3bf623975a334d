from celery import shared_task


@shared_task
def send_session_reminders() -> int:
    """7 days and 1 day before each registered session (built with the training app)."""
    return 0
