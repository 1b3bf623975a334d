"""A real Celery worker, in its own process, consumes from Redis and sends the email once."""

import pytest

from contacts import outbox
from contacts.models import Notification
from contacts.tasks import deliver_notification
from interac_portal.celery import app
from testing.processes import sent_mails, start_worker, wait_for

# Real workers consume the shared Redis broker (database 0): one pytest-xdist worker runs these in turn.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("shared-broker")]


@pytest.fixture
def worker(postgres, redis_url, tmp_path):
    """`celery worker` against Redis and the test database, consuming once it says it is ready."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    process = start_worker(tmp_path, CELERY_BROKER_URL=redis_url)  # its emails: files in tmp_path / "mail"
    app.conf.task_always_eager = False
    try:
        yield tmp_path / "mail"
    finally:
        app.conf.task_always_eager = True
        process.stop()


def test_a_real_worker_sends_the_notification_exactly_once(worker, alt_tokyo):
    notification = outbox.notify(
        kind="test",
        key="worker-test",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "http://127.0.0.1:8000/x"},
        recipient=alt_tokyo,
    )  # autocommit: queued on commit, i.e. now

    def sent():
        notification.refresh_from_db()
        return notification.status == Notification.Status.SENT

    assert wait_for(sent), "the worker did not deliver the notification"
    # The same task queued again (a retry, a second scheduler) sends nothing more.
    deliver_notification.delay(notification.pk)
    outbox.notify(
        kind="test",
        key="worker-test",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "x"},
        recipient=alt_tokyo,
    )
    marker = outbox.notify(
        kind="test",
        key="worker-marker",
        template="contacts/email/invitation",
        context={"user": alt_tokyo, "url": "x"},
        recipient=alt_tokyo,
    )

    def marker_sent():
        marker.refresh_from_db()
        return marker.status == Notification.Status.SENT

    assert wait_for(marker_sent)  # the queue is drained up to the marker
    messages = sent_mails(worker)
    message_id = outbox.notification_message_id(notification)
    assert sum("alt.tokyo@example.com" in m and message_id in m for m in messages) == 1
    assert len(messages) == 2


def test_make_runs_embedded_broker_has_a_real_worker_deliver(postgres, tmp_path, alt_tokyo):
    """`make run` without CELERY_BROKER_URL: kombu's filesystem transport under the var directory, no server.

    A web-side process queues an email there (as the web server does on commit) and a real worker, with
    the same settings, consumes it and sends it once.
    """
    import subprocess
    import sys
    from pathlib import Path

    from testing.processes import portal_env

    process = start_worker(tmp_path, CELERY_BROKER_URL="filesystem://")
    try:
        code = (
            "from contacts.models import User; from contacts.outbox import notify; "
            "alt = User.objects.get(email='alt.tokyo@example.com'); "
            "notify(kind='test', key='embedded-broker', template='contacts/email/invitation', "
            "context={'user': alt, 'url': 'http://127.0.0.1:8000/x'}, recipient=alt)"
        )
        env = portal_env(tmp_path, CELERY_BROKER_URL="filesystem://")
        root = Path(__file__).resolve().parents[2]
        subprocess.run([sys.executable, "manage.py", "shell", "-c", code], env=env, cwd=root, check=True, timeout=120)
        assert (tmp_path / "var" / "broker" / "queue").is_dir()  # the broker is a folder, not a server

        def sent():
            return Notification.objects.filter(key="embedded-broker", status=Notification.Status.SENT).exists()

        assert wait_for(sent, timeout=60), process.output()[-3000:]
        assert len([m for m in sent_mails(tmp_path / "mail") if "alt.tokyo@example.com" in m]) == 1
    finally:
        process.stop()
