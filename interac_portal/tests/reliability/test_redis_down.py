"""Redis goes down while ALTs log in, send requests and register for sessions.

The test runs its own redis-server (the shared one is never touched) as the
broker and the cache, with a real Celery worker consuming from it. Redis is
killed; ALTs carry on: every page works, every row is saved and the emails
wait in the outbox. Redis comes back; the sweep (as the scheduler sends it)
delivers every email exactly once.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from contacts.models import Notification
from contacts.tasks import deliver_notification, deliver_pending_notifications
from support.models import SupportRequest
from testing.contacts import make_alt
from testing.processes import sent_mails, start_worker, wait_for
from testing.training import TrainingSessionFactory
from training.models import Registration

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
ALTS = 4


@pytest.fixture
def cache_at(settings, broker_at):
    """The cache (login rate limits) on the same Redis, as on a one-Redis production (settings.py
    makes this backend of a redis:// CACHE_URL)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{broker_at.port}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return broker_at


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_alts_carry_on_while_redis_is_down_and_every_email_goes_out_once(
    postgres, tmp_path, broker_at, cache_at, tokyo, mc_tokyo, client
):
    redis = broker_at
    worker = start_worker(tmp_path, CELERY_BROKER_URL=redis.url)
    try:
        alts = [make_alt(branch=tokyo, mc=mc_tokyo, email=f"alt{n}.down@example.com") for n in range(ALTS)]
        session = TrainingSessionFactory(branch=tokyo, capacity=2, title="Tokyo phonics")

        redis.kill()
        slowest = 0.0
        for n, alt in enumerate(alts):
            browser = type(client)()
            response, took = _timed(
                lambda a=alt, b=browser: b.post(reverse("account_login"), {"login": a.email, "password": PASSWORD})
            )
            assert response.status_code == 302, response.content.decode()[:300]
            slowest = max(slowest, took)
            assert browser.get("/").status_code == 200
            form = browser.get(reverse("support:new"))
            token = re.search(r'name="submit_token" value="([^"]+)"', form.content.decode()).group(1)
            data = {"category": "HOUSING", "subject": f"Leak {n}", "details": "Water from the ceiling.",
                    "urgency": "HIGH", "submit_token": token}  # fmt: skip
            response, took = _timed(lambda b=browser, d=data: b.post(reverse("support:new"), d))
            assert response.status_code == 302
            slowest = max(slowest, took)
            assert browser.get(response["Location"]).status_code == 200  # the "sent" page
            response, took = _timed(lambda b=browser: b.post(reverse("training:register", args=[session.pk])))
            assert response.status_code == 302
            slowest = max(slowest, took)
            assert browser.get(reverse("training:index")).status_code == 200
        health = client.get("/healthz/")
        assert health.status_code == 503 and health.json() == {"status": "failing"}  # details are for staff

        # Everything is saved; the emails wait in the outbox.
        assert SupportRequest.objects.count() == ALTS
        assert Registration.objects.filter(status="REGISTERED").count() == 2
        assert Registration.objects.filter(status="WAITLISTED").count() == ALTS - 2
        expected = Notification.objects.count()
        assert expected == 2 * ALTS  # a receipt for each ALT, a notice to the branch for each request
        assert not Notification.objects.exclude(status=Notification.Status.PENDING).exists()
        assert slowest < 5, f"a request took {slowest:.1f}s with the broker down"

        # Redis is back: the worker reconnects, the scheduler's sweep delivers the outbox.
        redis.start()
        assert wait_for(lambda: client.get("/healthz/").status_code == 200, timeout=30)
        deliver_pending_notifications.delay()
        mail_dir = Path(tmp_path / "mail")

        def all_sent():
            return Notification.objects.filter(status=Notification.Status.SENT).count() == expected

        assert wait_for(all_sent, timeout=60), worker.output()[-3000:]
        # Everything once: more sweeps and redelivered tasks send nothing more.
        deliver_pending_notifications.delay()
        for pk in Notification.objects.values_list("pk", flat=True):
            deliver_notification.delay(pk)
        marker = make_alt(branch=tokyo, email="alt.marker@example.com")
        client.force_login(marker)
        client.post(reverse("support:new"), {**data, "subject": "Marker", "submit_token": str(uuid.uuid4())})
        deliver_pending_notifications.delay()  # the scheduler's next sweep (the marker may have been left to it)
        assert wait_for(lambda: Notification.objects.filter(status="SENT").count() == expected + 2, timeout=60)
        mails = sent_mails(mail_dir)
        assert len(mails) == expected + 2
        for n in range(ALTS):
            assert sum(f"Leak {n}" in m for m in mails) == 2, n  # the receipt and the branch's notice, once each
    finally:
        worker.stop()


def test_login_limits_still_hold_in_the_process_while_the_cache_is_down(cache_at, alt_tokyo, client):
    cache_at.kill()
    for _ in range(5):
        assert client.post(reverse("account_login"), {"login": alt_tokyo.email, "password": "wrong"}).status_code == 200
    response = client.post(reverse("account_login"), {"login": alt_tokyo.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    cache_at.start()


def test_a_redis_cache_url_gets_the_fallback_backend():
    script = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])"
    env = {**os.environ, "DJANGO_DEBUG": "true", "CACHE_URL": "redis://127.0.0.1:6379/1"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert "core.cache.FallbackRedisCache" in result.stdout, result.stderr
    assert "'socket_timeout': 1" in result.stdout


def test_a_hanging_redis_costs_one_timeout_not_one_per_email(
    postgres, broker_at, cache_at, tokyo, mc_tokyo, mailoutbox, settings
):
    """Redis stops answering (frozen, or a network partition): the first email waits for the socket
    timeout, the next ones go straight to the outbox. Before, every email of every request waited."""
    from contacts.outbox import notifications_deliver_pending

    alts = [make_alt(branch=tokyo, mc=mc_tokyo, email=f"alt{n}.hang@example.com") for n in range(3)]
    browsers = []
    for alt in alts:
        browser = Client()
        browser.force_login(alt)
        browsers.append(browser)
    broker_at.freeze()
    try:
        started = time.monotonic()
        for n, browser in enumerate(browsers):
            data = {"category": "OTHER", "subject": f"Frozen {n}", "details": "Hello?", "urgency": "NORMAL",
                    "submit_token": str(uuid.uuid4())}  # fmt: skip
            assert browser.post(reverse("support:new"), data).status_code == 302
            assert browser.get("/").status_code == 200
        took = time.monotonic() - started
    finally:
        broker_at.thaw()
    assert took < 12, f"three requests (six emails) took {took:.1f}s with Redis hanging"
    assert SupportRequest.objects.count() == 3
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 6
    assert notifications_deliver_pending() == 6  # the sweep, once Redis answers again
    assert len(mailoutbox) == 6


def test_a_logout_while_redis_hangs_stays_a_logout_when_it_answers_again(cache_at, alt_tokyo, settings, monkeypatch):
    """Sessions are cached in Redis (cached_db). Signed out while Redis did not answer, the session was
    deleted from the database but not from Redis: when Redis answered again, the old cookie was let in."""
    from django.core.cache import caches

    from core.cache import FallbackRedisCache

    monkeypatch.setattr(FallbackRedisCache, "retry_after", 0.5)
    settings.SESSION_ENGINE = "core.sessions.cached_db"
    browser = Client()
    assert browser.post(reverse("account_login"), {"login": alt_tokyo.email, "password": PASSWORD}).status_code == 302
    assert browser.get("/").status_code == 200
    cookie = browser.cookies["sessionid"].value
    cache_at.freeze()
    try:
        assert browser.post(reverse("account_logout")).status_code == 302
    finally:
        cache_at.thaw()
    cache = caches["default"]  # this thread's backend, the one the test client's requests used
    assert cache._down_until > 0, "the logout did not find Redis hanging"
    # The fallback's window closes: the next request tries Redis again.
    assert wait_for(lambda: time.monotonic() >= cache._down_until, timeout=10), "the cache never tried Redis again"
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/").status_code == 302
    assert replay.get("/").status_code == 302


def test_a_production_worker_rides_out_a_broker_outage_with_a_task_in_flight(postgres, tmp_path, broker_at, alt_tokyo):
    """Redis went away while a worker held a task: "Restoring 1 unacknowledged message(s)", then the
    worker exited ("Unrecoverable error: AttributeError(...'hostname')"): kombu's Redis transport
    closing, after the connection was dropped, a channel (gossip's, the event dispatcher's) whose
    transport was already cleared. The worker of supervisord.conf, as production runs it, lives on
    and delivers again as soon as Redis is back."""
    from contacts.services import notify
    from testing.processes import PYTHON, portal_env, reset_celery_pools
    from testing.servers import Process, supervised_command

    from .smtp import FakeSMTPServer

    smtp = FakeSMTPServer()
    env = portal_env(tmp_path, CELERY_BROKER_URL=broker_at.url, EMAIL_URL=smtp.url)
    (tmp_path / "var" / "run").mkdir(parents=True)
    worker = Process("worker1", [PYTHON, "-m", *supervised_command("worker1", tmp_path / "var")], env, tmp_path)

    def send(key):
        return notify(kind="test.outage", key=key, template="contacts/email/invitation", recipient=alt_tokyo,
                      context={"user": alt_tokyo, "url": "https://portal.example/set-password"})  # fmt: skip

    def sent(notification):
        return Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT

    try:
        assert wait_for(lambda: "ready." in worker.output(), timeout=60), worker.output()[-3000:]
        smtp.hold.set()
        in_flight = send("in-flight")
        assert smtp.stalled.wait(30), worker.output()[-3000:]  # the worker holds the task, unacknowledged
        broker_at.kill()
        assert wait_for(lambda: "Connection to broker lost" in worker.output(), timeout=30), worker.output()[-3000:]
        smtp.release.set()  # the send in flight finishes while Redis is away
        assert wait_for(lambda: sent(in_flight), timeout=30), worker.output()[-3000:]
        assert wait_for(lambda: "Cannot connect to redis" in worker.output(), timeout=30), worker.output()[-3000:]
        assert worker.alive(), worker.output()[-3000:]

        broker_at.start()  # the same port
        back = time.monotonic()
        reset_celery_pools()  # this process publishes again at once
        after = send("after-the-outage")
        assert wait_for(lambda: sent(after), timeout=60), worker.output()[-3000:]
        assert time.monotonic() - back < 60
        assert worker.alive()
        log = worker.output()
        assert "Unrecoverable error" not in log, log[-3000:]
    finally:
        worker.stop()
        smtp.close()
    assert len(smtp.messages) == 2  # each once
