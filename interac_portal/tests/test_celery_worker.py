"""A real Celery worker, in its own process, consumes from Redis and sends the email once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from contacts import services
from contacts.models import Notification
from contacts.tasks import deliver_notification
from interac_portal.celery import app

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def worker(postgres, redis_url, tmp_path):
    """Start `celery worker` against Redis and the test database; stop it by its pid file."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    pidfile = tmp_path / "worker.pid"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # four slashes: an absolute path
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "interac_portal",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--pidfile",
            str(pidfile),
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    assert _wait_for(pidfile.exists), "worker did not start"
    app.conf.task_always_eager = False
    try:
        yield mail_dir
    finally:
        app.conf.task_always_eager = True
        os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        process.wait(timeout=30)


def test_a_real_worker_sends_the_notification_exactly_once(worker, alt_tokyo):
    notification = services.notify(
        kind="test",
        key="worker-test",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "http://127.0.0.1:8000/x"},
        recipient=alt_tokyo,
    )  # autocommit: queued on commit, i.e. now

    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    assert _wait_for(sent), "the worker did not deliver the notification"
    # The same task queued again (a retry, a second scheduler) sends nothing more.
    deliver_notification.delay(notification.pk)
    services.notify(
        kind="test",
        key="worker-test",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "x"},
        recipient=alt_tokyo,
    )
    marker = services.notify(
        kind="test",
        key="worker-marker",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "x"},
        recipient=alt_tokyo,
    )

    def marker_sent():
        marker.refresh_from_db()
        return marker.status == Notification.Status.SENT

    assert _wait_for(marker_sent)  # the queue is drained up to the marker
    messages = [p.read_text() for p in Path(worker).iterdir()]
    assert sum("alt.tokyo@example.com" in m and "worker-test" in m for m in messages) == 1
    assert len(messages) == 2
