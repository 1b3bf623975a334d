"""Template helpers for the training pages that are still Django templates (the staff pages, the dashboard card)."""

from django import template

register = template.Library()


@register.simple_tag
def session_when(session):
    """`<time>Tue March 4, 2031 10:00</time>–12:00` in Japan time (`TrainingSession.when`)."""
    return session.when
