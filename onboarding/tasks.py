from celery import shared_task


@shared_task
def send_elearning_invitations() -> int:
    """Enrol and invite ALTs departing within 30 days (built with the onboarding app)."""
    return 0


@shared_task
def send_elearning_nudges() -> int:
    """Remind ALTs who are behind, before departure (built with the onboarding app)."""
    return 0
