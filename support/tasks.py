from celery import shared_task

from . import services


@shared_task
def flag_overdue_requests() -> int:
    """Tell the assignee, or the branch, about requests past their due time; once per request and due time."""
    return services.support_requests_flag_overdue()


@shared_task
def close_resolved_requests() -> int:
    """Close requests resolved more than 14 days ago (the ALT can no longer reopen them)."""
    return services.support_requests_close_resolved()
