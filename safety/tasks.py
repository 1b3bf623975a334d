from celery import shared_task

from . import services


@shared_task(acks_late=True)
def fan_out_safety_check(check_id: int) -> int:
    """A check just started: an answer row and an email for every ALT in scope. Safe to run twice."""
    return services.safety_check_fan_out(check_id=check_id)


@shared_task(acks_late=True)
def send_safety_reminders() -> int:
    """Every 10 minutes: a round of reminders where one is due; fan-outs the broker never ran."""
    return services.safety_reminders_send()


@shared_task(acks_late=True)
def send_wellbeing_checkins() -> int:
    """Daily: invite ALTs 1, 3 and 6 months after arrival, once per ALT and month."""
    return services.wellbeing_checkins_invite()
