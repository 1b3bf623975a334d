"""`make prod` on 127.0.0.1: gunicorn, two workers and a scheduler with debug off,
PostgreSQL and Redis. Log in over HTTP, send a support request, and see a worker
deliver its emails."""

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from contacts.models import Notification
from support.models import SupportRequest
from testing.contacts import make_alt
from testing.processes import Process, free_port, portal_env, sent_mails, wait_for
from testing.web import login

# Real workers consume the shared Redis broker (database 0): one pytest-xdist worker runs these in turn.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("shared-broker")]


def test_make_prod_refuses_to_start_without_a_shared_cache(tmp_path):
    """Several web workers, each with a cache of its own, would each allow five login failures."""
    env = portal_env(tmp_path, DATABASE_URL="postgres://x@127.0.0.1/x", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    env.pop("CACHE_URL", None)
    result = subprocess.run(["make", "-s", "prod"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "CACHE_URL is required" in result.stdout + result.stderr


@pytest.fixture
def prod(postgres, redis_url, tmp_path):
    port = free_port()
    env = portal_env(
        tmp_path,
        CELERY_BROKER_URL=redis_url,
        DJANGO_SECRET_KEY="prod-test-" + "s3cr3t" * 10,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=3,
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    env.pop("STATIC_MANIFEST")  # as in production: collectstatic's hashed names
    process = Process("prod", ["make", "-s", "prod"], env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    started = wait_for(lambda: requests.get(f"{base}/healthz/", timeout=2).status_code == 200, timeout=60)
    try:
        if started:
            yield base, tmp_path / "mail"
    finally:
        process.stop(timeout=60)
    log = process.output()
    assert started, f"portal did not start:\n{log[-4000:]}"
    # supervisord names each process it starts: the web server, two workers and one scheduler.
    for name in ("web", "worker1", "worker2", "scheduler"):
        assert f"success: {name} entered RUNNING state" in log, (name, log[:2000])
    assert "Traceback" not in log, log[-4000:]


def test_production_processes_serve_pages_deliver_email_and_restart_a_dead_one(prod, tokyo, tmp_path):
    base, mail_dir = prod
    make_alt(branch=tokyo, email="alt.prod@example.com")
    session = login(base, "alt.prod@example.com", "correct-horse-battery")
    home = session.get(f"{base}/")
    assert home.status_code == 200
    assert "Tokyo" in home.text
    # Hashed by collectstatic (a name with its content's hash), as served in production.
    assert re.search(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css", home.text)
    assert "Content-Security-Policy" in home.headers

    page = session.get(f"{base}/support/new/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    submit_token = re.search(r'name="submit_token" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/support/new/",
        data={
            "category": "CITY_HALL",
            "subject": "Registering my address",
            "details": "Which documents do I need at the ward office?",
            "urgency": "NORMAL",
            "submit_token": submit_token,
            "csrfmiddlewaretoken": token,
        },
        headers={"Referer": f"{base}/support/new/"},
    )
    assert response.status_code == 200 and "/sent/" in response.url, response.text[:500]
    request = SupportRequest.objects.get(alt__email="alt.prod@example.com")
    assert request.reference in response.text

    def delivered():
        return Notification.objects.filter(status=Notification.Status.SENT).count() == 2

    assert wait_for(delivered, timeout=30), "the worker did not deliver the request's emails"
    mails = sent_mails(Path(mail_dir))
    assert len(mails) == 2
    assert sum("alt.prod@example.com" in m and request.reference in m for m in mails) == 1  # the ALT's receipt
    assert sum(tokyo.email in m and request.reference in m for m in mails) == 1  # the branch is told

    # A process that dies is started again and the rest go on (under honcho, one process exiting stopped
    # them all, the web server too). On the same stack: starting it takes most of this test's time.
    pidfile = tmp_path / "var" / "run" / "worker1.pid"
    log = tmp_path / "prod.log"
    running = "success: worker1 entered RUNNING state"
    assert wait_for(lambda: running in log.read_text() and pidfile.exists(), timeout=30), log.read_text()[-3000:]
    first = int(pidfile.read_text())
    os.kill(first, signal.SIGKILL)
    assert requests.get(f"{base}/healthz/", timeout=5).status_code == 200  # the web server goes on
    started_again = wait_for(lambda: pidfile.exists() and int(pidfile.read_text()) != first, timeout=30)
    assert started_again, "worker1 was not started again"
    assert "exited: worker1 (terminated by SIGKILL; not expected)" in log.read_text(), log.read_text()[-3000:]
    assert wait_for(lambda: log.read_text().count(running) == 2, timeout=30), log.read_text()[-3000:]
