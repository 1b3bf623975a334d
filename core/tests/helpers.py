"""Helpers for tests of any app: admin forms built by hand, several requests at the same moment."""

import threading

from concurrency.forms import VersionField
from django.db import connection

from core.adminsite import version_field_name


def posted_version(obj) -> dict:
    """The version field a change form of `obj` loaded now would post (signed, as django-concurrency renders it)."""
    model = type(obj)
    name = version_field_name(model)
    current = model._base_manager.filter(pk=obj.pk).values_list(name, flat=True).get()
    return {name: str(VersionField().prepare_value(current))}


def run_together(jobs) -> list:
    """Start every job at the same moment, each on its own thread and database connection; the errors raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as exc:  # collected: the test asserts none happened
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
