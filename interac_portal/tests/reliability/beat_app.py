"""The portal's Celery app with every periodic task due every second: two beats of it race in a test."""

from datetime import timedelta

from interac_portal.celery import app

app.conf.beat_schedule = {
    name: {**entry, "schedule": timedelta(seconds=1)} for name, entry in app.conf.beat_schedule.items()
}

__all__ = ["app"]
