"""Daily onboarding emails (scheduled in interac_portal/celery.py). Thin wrappers: the work is in services."""

from celery import shared_task

from . import services


@shared_task
def send_elearning_invitations() -> int:
    """Enrol and invite CONFIRMED ALTs departing within 30 days, once each."""
    return services.elearning_invitations_send()


@shared_task
def send_elearning_nudges() -> int:
    """Remind ALTs who are behind schedule, at most every 3 days, none after departure."""
    return services.elearning_nudges_send()


@shared_task
def send_handover_reminders() -> int:
    """Remind the MC and the GRM owner of handovers unacknowledged after 2 working days, once each."""
    return services.handover_reminders_send()


@shared_task
def send_checklist_reminders() -> int:
    """Remind arrived ALTs of checklist steps due within 3 days, once per step."""
    return services.checklist_reminders_send()
