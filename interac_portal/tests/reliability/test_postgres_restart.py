"""PostgreSQL restarted under load: requests in flight fail cleanly (503, try again in a minute), the next
ones succeed, nothing half-written.

The test makes a PostgreSQL cluster of its own (`pg_createcluster` on a free
port, dropped at the end), so that the shared server and the test database
are never touched. It copies the test database into it, starts gunicorn as in
production against it, has ALTs send support requests and register for a
session from several threads, and restarts the cluster (`pg_ctlcluster ...
restart -m fast`, which cuts every connection) in the middle.
"""

import os
import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field

import psycopg
import pytest
import requests
from django.db import connection

from bench.web import login
from conftest import service_missing
from contacts.tests.factories import make_alt
from training.tests.factories import TrainingSessionFactory

from .processes import current_database_url, free_port, start_gunicorn, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREADS = 8
ANSWERED = 25  # requests answered before the restart, and started after it, before the load stops
PASSWORD = "correct-horse-battery"


def _as_root() -> list[str] | None:
    """The prefix that runs a command as root here (nothing, or sudo), or None when nothing does."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


@pytest.fixture
def private_postgres(postgres):
    """A cluster of the test's own on a free port, holding a copy of the test database."""
    root = _as_root()
    if root is None or not shutil.which("pg_createcluster"):
        service_missing("pg_createcluster as root (a private PostgreSQL cluster)")
    version = str(connection.pg_version // 10000)
    port = free_port()
    name = f"portal_reliability_{port}"

    def run(*args):
        return subprocess.run([*root, *args], check=True, capture_output=True)

    run("pg_createcluster", version, name, "-p", str(port), "--start")
    try:
        sql = "CREATE ROLE portal LOGIN SUPERUSER PASSWORD 'portal'"
        run("su", "postgres", "-c", f'psql -p {port} -qc "{sql}"')
        run("su", "postgres", "-c", f"createdb -p {port} -O portal portal")
        url = f"postgres://portal:portal@127.0.0.1:{port}/portal"
        yield {"url": url, "restart": lambda: run("pg_ctlcluster", version, name, "restart", "-m", "fast")}
    finally:
        subprocess.run([*root, "pg_dropcluster", version, name, "--stop"], capture_output=True)


def _copy_test_database(target_url: str) -> None:
    dump = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", current_database_url()], check=True, capture_output=True
    ).stdout
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target_url], input=dump, check=True)


@dataclass
class Outcome:
    started: float
    finished: float
    kind: str
    status: int  # 0: no answer at all
    token: str = ""
    body: str = ""
    location: str = ""
    alt_id: int = 0


@dataclass
class Load:
    outcomes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, outcome: Outcome):
        with self.lock:
            self.outcomes.append(outcome)

    def count(self, predicate) -> int:
        with self.lock:
            return sum(1 for o in self.outcomes if predicate(o))


def _alt_loop(base: str, alt_id: int, session: requests.Session, session_pk: int, load: Load):
    csrf = session.cookies.get("csrftoken")
    headers = {"Referer": f"{base}/support/new/"}
    n = 0
    while not load.stop.is_set():
        n += 1
        token = str(uuid.uuid4())
        started = time.monotonic()
        kind, url = "support", f"{base}/support/new/"
        data = {"category": "OTHER", "subject": f"Load {token[:8]}", "details": "Restart test.", "urgency": "NORMAL",
                "submit_token": token, "csrfmiddlewaretoken": csrf}  # fmt: skip
        if n % 4 == 0:
            kind, url, data = (
                "register",
                f"{base}/training/sessions/{session_pk}/register/",
                {"csrfmiddlewaretoken": csrf},
            )
        try:
            response = session.post(url, data=data, headers=headers, allow_redirects=False, timeout=30)
            status, body, location = response.status_code, response.text, response.headers.get("Location", "")
        except requests.RequestException as error:
            status, body, location = 0, repr(error), ""
        token = token if kind == "support" else ""
        load.record(Outcome(started, time.monotonic(), kind, status, token, body, location, alt_id))


def _rows(url: str, sql: str) -> list:
    with psycopg.connect(url) as db:
        return db.execute(sql).fetchall()


def test_requests_survive_a_postgres_restart(private_postgres, tmp_path, broker_at, tokyo, mc_tokyo, trainer_tokyo):
    alts = [make_alt(branch=tokyo, mc=mc_tokyo, email=f"alt{n}.pg@example.com") for n in range(THREADS)]
    session = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, capacity=3, title="Restart session")
    _copy_test_database(private_postgres["url"])

    web, base = start_gunicorn(
        tmp_path, workers=3, DATABASE_URL=private_postgres["url"], CELERY_BROKER_URL=broker_at.url
    )
    load = Load()
    threads = []
    try:
        threads += [
            threading.Thread(target=_alt_loop, args=(base, alt.pk, login(base, alt.email, PASSWORD), session.pk, load))
            for alt in alts
        ]
        for thread in threads:
            thread.start()
        assert wait_for(lambda: load.count(lambda o: o.status in (200, 302)) >= ANSWERED, timeout=60), (
            f"the load did not get going: {sorted(o.status for o in load.outcomes)}"
        )
        restart_began = time.monotonic()
        private_postgres["restart"]()
        back = wait_for(lambda: bool(_rows(private_postgres["url"], "SELECT 1")), timeout=30)
        assert back, "PostgreSQL did not come back"
        restart_ended = time.monotonic()
        # The load goes on until enough requests have started well after the restart (and finished).
        assert wait_for(lambda: load.count(lambda o: o.started > restart_ended + 1) >= ANSWERED, timeout=60), (
            "too few requests after the restart"
        )
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        web.stop()
    assert not any(thread.is_alive() for thread in threads), "a load thread still waits on an answer"

    outcomes = load.outcomes
    before = [o for o in outcomes if o.finished < restart_began]
    during = [o for o in outcomes if o.finished >= restart_began and o.started <= restart_ended + 1]
    after = [o for o in outcomes if o.started > restart_ended + 1]
    assert len(before) >= ANSWERED and len(after) >= ANSWERED, (len(before), len(after))
    assert during, "no request was in flight at the restart: the test proves nothing"
    assert all(o.status in (200, 302) for o in before), {o.status for o in before}
    # A redirect is always the one of a success (the "sent" page, the session's anchor), never the login page.
    for outcome in outcomes:
        if outcome.status == 302:
            expected = "/sent/" if outcome.kind == "support" else f"/training/#session-{session.pk}"
            assert expected in outcome.location, (outcome.kind, outcome.location)
    # In flight: an answer always; at worst the "try again in a minute" page (503), never a
    # traceback or the database's words.
    for outcome in during:
        assert outcome.status in (200, 302, 503), (outcome.status, outcome.body[:300])
        if outcome.status == 503:
            assert "The portal is briefly unavailable" in outcome.body
            assert "Traceback" not in outcome.body and "psycopg" not in outcome.body
            assert "OperationalError" not in outcome.body and "SELECT" not in outcome.body
    # Once it is back, everything succeeds (persistent connections are checked before use).
    assert all(o.status in (200, 302) for o in after), [(o.status, o.body[:200]) for o in after if o.status >= 400]

    # Nothing half-written: each request whole (its two emails, its number), each acknowledged one saved.
    url = private_postgres["url"]
    saved = dict(_rows(url, "SELECT submit_token::text, id FROM support_supportrequest"))
    acknowledged = {o.token: o.location for o in outcomes if o.kind == "support" and o.status == 302}
    sent = {o.token for o in outcomes if o.kind == "support"}
    assert set(acknowledged) <= set(saved), len(set(acknowledged) - set(saved))
    for token, location in acknowledged.items():  # the "sent" page of the row saved for it
        assert f"/support/{saved[token]}/sent/" in location, (location, saved[token])
    assert set(saved) <= sent  # no row nobody sent
    # Rows saved unacknowledged: committed, then the answer was lost; the ALT's retry with the same
    # submit token finds the same row. Only requests in flight at the restart may be among them.
    in_flight = {o.token for o in during}
    assert set(saved) - set(acknowledged) <= in_flight, "a request saved but answered as a failure out of the restart"
    emails = dict(_rows(url, "SELECT split_part(key, ':', 2)::int, count(*) FROM contacts_notification "
                              "WHERE kind IN ('support.received', 'support.new') GROUP BY 1"))  # fmt: skip
    assert all(emails.get(pk) == 2 for pk in saved.values()), "a request without its two emails"
    assert set(emails) == set(saved.values()), "emails about a request that was not saved"
    numbers = sorted(
        int(ref.rsplit("-", 1)[1]) for (ref,) in _rows(url, "SELECT reference FROM support_supportrequest")
    )
    assert numbers == list(range(1, len(numbers) + 1)), "reference numbers with a gap or a repeat"
    (last,) = _rows(url, "SELECT max(last) FROM support_referencecounter")[0]
    assert last == len(numbers)
    # The session: each ALT acknowledged is on it once, the three places held, the waiting list in order.
    registrations = _rows(
        url, f"SELECT alt_id, status, waitlist_position FROM training_registration WHERE session_id = {session.pk}"
    )
    alt_ids = [alt_id for alt_id, _, _ in registrations]
    assert len(alt_ids) == len(set(alt_ids)), "an ALT registered twice"
    acknowledged_alts = {o.alt_id for o in outcomes if o.kind == "register" and o.status == 302}
    tried_alts = {o.alt_id for o in outcomes if o.kind == "register"}
    assert acknowledged_alts <= set(alt_ids) <= tried_alts, (acknowledged_alts, alt_ids, tried_alts)
    assert len(acknowledged_alts) > 3  # more ALTs than places: a waiting list
    assert sum(status == "REGISTERED" for _, status, _ in registrations) == 3
    positions = sorted(position for _, status, position in registrations if status == "WAITLISTED")
    assert positions == list(range(1, len(alt_ids) - 3 + 1)), positions  # no gap left by a rolled-back one
    failed = [o for o in during if o.status == 503]
    print(f"requests: {len(outcomes)}, in flight at the restart: {len(during)}, of which failed cleanly: {len(failed)}")
