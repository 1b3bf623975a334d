"""50 ALTs at once for five seconds: no 5xx, and the rows saved are exactly the requests acknowledged.

gunicorn runs as in production (gunicorn.conf.py, debug off) on 127.0.0.1,
against PostgreSQL, with Redis as the broker. Fifty threads, one per ALT,
each with its own signed-in session, open their pages, send support requests
and register for sessions (small ones: the waiting lists fill up) until the
time is over. LOAD_SECONDS lengthens it (`make bench`'s mixed run is the
minute-long arrival week at 16 connections).
"""

import os
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from support.models import SupportRequest
from testing.contacts import make_alt
from testing.processes import start_gunicorn
from testing.training import TrainingSessionFactory
from training.models import Registration

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ALTS = 50
SESSIONS = 12
CAPACITY = 15
SECONDS = float(os.environ.get("LOAD_SECONDS", "5"))


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    requests_acked: set = field(default_factory=set)  # submit tokens answered with the "sent" page
    registrations_acked: set = field(default_factory=set)  # (ALT id, session id)
    latencies: list = field(default_factory=list)

    def add(self, method, path, response, took):
        with self.lock:
            self.latencies.append(took)
            if response is None:
                self.statuses["no answer"] += 1
                self.failures.append((method, path, "no answer"))
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.failures.append((method, path, response.status_code))


def _browser(base: str, alt) -> requests.Session:
    """A signed-in browser: the session made by the test client, a CSRF cookie of our own."""
    client = Client()
    client.force_login(alt)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value, domain="127.0.0.1")
    session.cookies.set("csrftoken", _get_new_csrf_string(), domain="127.0.0.1")
    return session


def _alt(base, browser, alt_id, session_ids, deadline, tally: Tally):
    csrf = browser.cookies.get("csrftoken")
    pending_sessions = list(session_ids)

    def call(method, path, **kwargs):
        started = time.monotonic()
        try:
            response = browser.request(method, base + path, allow_redirects=False, timeout=60, **kwargs)
        except requests.RequestException:
            response = None
        tally.add(method, path, response, time.monotonic() - started)
        return response

    while time.monotonic() < deadline:
        call("GET", "/")
        call("GET", "/support/new/")
        token = str(uuid.uuid4())
        data = {"category": "OTHER", "subject": f"Load {token[:8]}", "details": "Load test.", "urgency": "NORMAL",
                "submit_token": token, "csrfmiddlewaretoken": csrf}  # fmt: skip
        response = call("POST", "/support/new/", data=data)
        if response is not None and response.status_code == 302 and "/sent/" in response.headers["Location"]:
            with tally.lock:
                tally.requests_acked.add(token)
        call("GET", "/training/")
        if pending_sessions:
            session_id = pending_sessions.pop(0)
            response = call("POST", f"/training/sessions/{session_id}/register/", data={"csrfmiddlewaretoken": csrf})
            if response is not None and response.status_code == 302:
                with tally.lock:
                    tally.registrations_acked.add((alt_id, session_id))
        call("GET", "/support/")


def test_fifty_alts_at_once(postgres, tmp_path, broker_at, tokyo, mc_tokyo, trainer_tokyo):
    alts = [make_alt(branch=tokyo, mc=mc_tokyo, email=f"alt{n:02d}.load@example.com") for n in range(ALTS)]
    sessions = [
        TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, capacity=CAPACITY, title=f"Load session {n}")
        for n in range(SESSIONS)
    ]
    web, base = start_gunicorn(
        tmp_path, workers=4, CELERY_BROKER_URL=broker_at.url, DJANGO_SECRET_KEY=settings.SECRET_KEY
    )
    tally = Tally()
    try:
        browsers = [_browser(base, alt) for alt in alts]
        deadline = time.monotonic() + SECONDS
        threads = []
        for n, (alt, browser) in enumerate(zip(alts, browsers, strict=True)):
            order = [s.pk for s in sessions[n % SESSIONS :] + sessions[: n % SESSIONS]]  # everyone starts elsewhere
            threads.append(threading.Thread(target=_alt, args=(base, browser, alt.pk, order, deadline, tally)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        web.stop()

    total = sum(tally.statuses.values())
    latencies = sorted(tally.latencies)
    summary = (
        f"{total} requests in {SECONDS:.0f}s ({total / SECONDS:.0f}/s) by {ALTS} ALTs; "
        f"statuses {dict(tally.statuses)}; "
        f"median {latencies[len(latencies) // 2]:.2f}s, p99 {latencies[int(len(latencies) * 0.99)]:.2f}s; "
        f"{len(tally.requests_acked)} requests and {len(tally.registrations_acked)} registrations acknowledged"
    )
    print(summary)
    assert not tally.failures, (summary, tally.failures[:10])
    assert set(tally.statuses) <= {200, 302}, summary
    assert len(tally.requests_acked) >= ALTS, summary  # everyone got through at least once

    # What was acknowledged is what was saved, no more, no less.
    saved = {str(token) for token in SupportRequest.objects.values_list("submit_token", flat=True)}
    assert saved == tally.requests_acked
    registered = set(Registration.objects.values_list("alt_id", "session_id"))
    assert registered == tally.registrations_acked
    # The places held: never more than the capacity, a waiting list in order behind.
    for session in sessions:
        rows = Registration.objects.filter(session=session)
        assert rows.filter(status=Registration.Status.REGISTERED).count() <= CAPACITY
        positions = sorted(
            rows.filter(status=Registration.Status.WAITLISTED).values_list("waitlist_position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))
    references = sorted(SupportRequest.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references) == len(saved)
