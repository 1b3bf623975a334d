"""A real Celery worker, in its own process, consumes from Redis and sends the email once."""

import pytest

from contacts import services
from contacts.models import Notification
from contacts.tasks import deliver_notification
from interac_portal.celery import app

from .reliability.processes import sent_mails, start_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


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

    assert wait_for(sent), "the worker did not deliver the notification"
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

    assert wait_for(marker_sent)  # the queue is drained up to the marker
    messages = sent_mails(worker)
    assert sum("alt.tokyo@example.com" in m and "worker-test" in m for m in messages) == 1
    assert len(messages) == 2
