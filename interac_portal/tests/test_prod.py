"""`make prod` on 127.0.0.1: gunicorn, two workers and a scheduler with debug off,
PostgreSQL and Redis. Log in over HTTP, send a support request, and see a worker
deliver its emails."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from contacts.models import Notification
from contacts.tests.factories import make_alt
from support.models import SupportRequest

from .reliability.processes import sent_mails

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except requests.RequestException:  # not listening yet, or workers still booting
            pass
        time.sleep(0.2)
    return False


@pytest.fixture
def prod(postgres, redis_url, tmp_path):
    port = _free_port()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "prod-test-" + "s3cr3t" * 10,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "3",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("STATIC_MANIFEST", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # for the test server only; the deploy check refuses it
    process = subprocess.Popen(
        ["make", "-s", "prod"],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    started = _wait_for(lambda: requests.get(f"{base}/healthz/", timeout=2).status_code == 200)
    try:
        if started:
            yield base, mail_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
    log = output or ""
    assert started, f"portal did not start:\n{log[-4000:]}"
    assert "Traceback" not in log, log[-4000:]


def _login(base: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def test_production_processes_serve_pages_and_deliver_email(prod, tokyo):
    base, mail_dir = prod
    make_alt(branch=tokyo, email="alt.prod@example.com")
    session = _login(base, "alt.prod@example.com", "correct-horse-battery")
    home = session.get(f"{base}/")
    assert home.status_code == 200
    assert "Tokyo" in home.text
    assert "/static/vendor/bootstrap/bootstrap.min." in home.text  # hashed by collectstatic
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

    assert _wait_for(delivered, timeout=30), "the worker did not deliver the request's emails"
    mails = sent_mails(Path(mail_dir))
    assert len(mails) == 2
    assert sum("alt.prod@example.com" in m and request.reference in m for m in mails) == 1  # the ALT's receipt
    assert sum(tokyo.email in m and request.reference in m for m in mails) == 1  # the branch is told
