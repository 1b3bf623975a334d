"""The fixed cast of every test: an ALT of each branch, staff of each branch, GRM,
SESPS and an outsider; plus the services (PostgreSQL, Redis, Chromium) that some
tests need. Under REQUIRE_SERVICES=1 (.ci/run) a missing service fails the test
instead of skipping it. PORTAL_TEST_NOW runs the session at another instant."""

import os
import re
import shutil
import socket
from collections import Counter
from datetime import datetime
from urllib.parse import urlparse

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from contacts.models import StaffRole
from testing.contacts import BranchFactory, UserFactory, make_alt, make_staff

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Property-based tests (Hypothesis): few examples, always the same ones (derandomize), so that the suite stays
# fast and CI deterministic. HYPOTHESIS_PROFILE=thorough tries many more, at random, to look for new faults.
_HYPOTHESIS_COMMON = {
    "deadline": None,  # a request's time varies with the machine's load
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
# No shrinking in the default profile: a failure is reported as found, in seconds rather than minutes.
hypothesis_settings.register_profile(
    "portal", max_examples=10, derandomize=True, phases=[Phase.explicit, Phase.generate], **_HYPOTHESIS_COMMON
)
hypothesis_settings.register_profile("thorough", max_examples=300, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def _flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """After each test that commits, Django empties every table; on PostgreSQL with one TRUNCATE of all of
    them, which makes new files for each table and index: about 140 ms, against 10 ms for a DELETE of each
    table of a test's few rows. The foreign keys are deferred (Django makes them so): the order is free."""
    if reset_sequences or not tables:
        return _truncate_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    delete_from = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
    return [f"{delete_from} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]


try:
    from django.db.backends.postgresql.operations import DatabaseOperations as _PostgresOperations
except ImportError:  # no psycopg: SQLite only
    _PostgresOperations = None
if _PostgresOperations is not None:
    _truncate_flush = _PostgresOperations.sql_flush
    _PostgresOperations.sql_flush = _flush_by_delete


def service_missing(reason: str):
    """Skip the test, or fail it when the CI run promises every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"service required but missing: {reason}")
    pytest.skip(f"service missing: {reason}")


@pytest.fixture(scope="session", autouse=True)
def _portal_test_now():
    """PORTAL_TEST_NOW=2026-12-31T23:50:00+09:00 runs the whole session from that instant, the
    clock ticking: CI runs at any hour, so a test that reads the wall clock is tried at the
    awkward ones (midnight in Japan or UTC, weekends, holidays, year and month ends)."""
    now = os.environ.get("PORTAL_TEST_NOW")
    if not now:
        yield
        return
    destination = datetime.fromisoformat(now)
    if destination.tzinfo is None:
        raise pytest.UsageError(f"PORTAL_TEST_NOW needs an offset (+09:00 or Z): {now}")
    # A fixed offset, not a zone name, so that the process's local time zone stays as it is.
    with time_machine.travel(destination, tick=True):
        yield


def _xdist_worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... under pytest-xdist
    return int(worker[2:]) if worker.startswith("gw") else None


@pytest.fixture(scope="session", autouse=True)
def _own_redis_cache_per_worker():
    """Under pytest-xdist each worker has a Redis database of its own for the cache (10, 11, ...):
    clearing the cache after a test (FLUSHDB) must not wipe another worker's sessions and rate limits.
    Processes a test starts read CACHE_URL from the environment, which follows."""
    from django.conf import settings
    from django.test.utils import override_settings

    number = _xdist_worker_number()
    location = str(settings.CACHES["default"].get("LOCATION", ""))
    if number is None or not location.startswith("redis://"):
        yield
        return
    own = re.sub(r"(/\d+)?$", f"/{10 + number}", location, count=1)
    caches = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": own}}
    previous = os.environ.get("CACHE_URL")
    os.environ["CACHE_URL"] = "rediscache" + own.removeprefix("redis")
    try:
        with override_settings(CACHES=caches):
            yield
    finally:
        if previous is None:
            os.environ.pop("CACHE_URL", None)
        else:
            os.environ["CACHE_URL"] = previous


@pytest.fixture(scope="session", autouse=True)
def _people_cache_off():
    """Tests write rows with update() and SQL to stand for another person's change, which the portal's
    own code never does without renewing the kept users' and parts' tokens (contacts.people_cache,
    core.versions): both are off here and tested on their own (contacts/tests/test_people_cache.py,
    interac_portal/tests/test_kept_parts.py, support/tests/test_admin_kept_rows.py), and the whole suite
    runs with them on, each kept part compared with one built afresh, under KEPT_PARTS_AUDIT=1."""
    from django.test.utils import override_settings

    if os.environ.get("KEPT_PARTS_AUDIT"):
        # The audit of core.versions: every kept part is used, and built again to compare (a stale one fails).
        with override_settings(PEOPLE_CACHE=True, KEPT_PARTS=True, KEPT_PARTS_VERIFY=True):
            yield
        return
    with override_settings(PEOPLE_CACHE=False, KEPT_PARTS=False):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the portal's default language, whatever the one before it activated."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _no_connection_left_at_the_end(django_db_setup, django_db_blocker):
    """At the end of the session, closes what a thread left connected to the test database: PostgreSQL's
    DROP DATABASE waits five seconds for any other session, then fails and leaves the database behind."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (Redis in CI): no test inherits another's."""
    from django.core.cache import cache

    yield
    cache.clear()


# --- services -------------------------------------------------------------------


@pytest.fixture
def postgres(db):
    """Tests of concurrency need PostgreSQL's row locks."""
    from django.db import connection

    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (set DATABASE_URL)")
    return connection


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        service_missing("Redis (set CELERY_BROKER_URL=redis://...)")
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1).close()
    except OSError:
        service_missing(f"Redis not answering at {parsed.hostname}:{parsed.port}")
    return url


@pytest.fixture
def broker_down(monkeypatch):
    """The Celery broker refuses connections (nothing listens on the discard port).

    Tasks are really published (not run eagerly), so `.delay()` fails as it
    would in production when Redis is down. `broker_down.back()`: tasks run again.
    """
    from celery import current_app as app

    from testing.processes import reset_celery_pools as reset_pool

    class Broker:
        @staticmethod
        def back():
            app.conf.task_always_eager = True

    monkeypatch.setenv("CELERY_BROKER_WRITE_URL", "redis://127.0.0.1:9/0")
    reset_pool()
    app.conf.task_always_eager = False
    yield Broker
    app.conf.task_always_eager = True
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL")
    reset_pool()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        service_missing("Chromium (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Asia/Tokyo"}


@pytest.fixture
def new_page(browser, browser_context_args):
    """A page in a browser of its own (another person; `viewport=...` for a phone), closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{**browser_context_args, **options})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# --- the cast ---------------------------------------------------------------------


@pytest.fixture
def tokyo(db):
    return BranchFactory(code="tokyo", name_en="Tokyo", name_ja="東京支店", emergency_phone="090-0000-1999")


@pytest.fixture
def osaka(db):
    return BranchFactory(code="osaka", name_en="Osaka", name_ja="大阪支店", emergency_phone="090-0000-2999")


@pytest.fixture
def grm(db):
    return make_staff(role=StaffRole.Role.GRM, email="grm@example.com", first_name="Haruka", last_name="Sato")


@pytest.fixture
def sesps(db):
    return make_staff(role=StaffRole.Role.SESPS, email="sesps@example.com", first_name="Kenji", last_name="Watanabe")


@pytest.fixture
def mc_tokyo(tokyo):
    return make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc.tokyo@example.com", first_name="Yuki")


@pytest.fixture
def mc_osaka(osaka):
    return make_staff(role=StaffRole.Role.MC, branch=osaka, email="mc.osaka@example.com", first_name="Takeshi")


@pytest.fixture
def staff_tokyo(tokyo):
    """A scheduler of the Tokyo branch."""
    return make_staff(role=StaffRole.Role.SCHEDULER, branch=tokyo, email="staff.tokyo@example.com", first_name="Aiko")


@pytest.fixture
def staff_osaka(osaka):
    return make_staff(role=StaffRole.Role.SCHEDULER, branch=osaka, email="staff.osaka@example.com", first_name="Mei")


@pytest.fixture
def trainer_tokyo(tokyo):
    return make_staff(role=StaffRole.Role.TRAINER, branch=tokyo, email="trainer.tokyo@example.com")


@pytest.fixture
def trainer_osaka(osaka):
    return make_staff(role=StaffRole.Role.TRAINER, branch=osaka, email="trainer.osaka@example.com")


@pytest.fixture
def alt_tokyo(tokyo, mc_tokyo, grm):
    return make_alt(branch=tokyo, mc=mc_tokyo, grm=grm, email="alt.tokyo@example.com")


@pytest.fixture
def alt_osaka(osaka, mc_osaka, grm):
    return make_alt(branch=osaka, mc=mc_osaka, grm=grm, email="alt.osaka@example.com")


@pytest.fixture
def applicant(grm):
    """An ALT still in the placement phase: no branch yet."""
    return make_alt(branch=None, grm=grm, email="alt.applicant@example.com")


@pytest.fixture
def outsider(db):
    """Logged in, but neither an ALT nor staff."""
    return UserFactory(email="outsider@example.com")


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for():
    """A test client logged in as `user` (or anonymous for None)."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def browser_login(live_server):
    """Log `page` in through the real login form. Factory users have this password."""

    def login(page, email: str, password: str = "correct-horse-battery"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return login


# --- the order: the longest tests first ---------------------------------------------------------


def _database_order(item) -> int:
    """pytest-django's order (Django's): tests in a rolled-back transaction, then those that commit (their
    flush empties the tables, data migrations' rows included), then those without a database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    kwargs = marker.kwargs if marker else {}
    if (
        kwargs.get("transaction")
        or kwargs.get("reset_sequences")
        or {"transactional_db", "live_server"} & set(fixtures)
    ):
        return 1
    return 0 if marker or "db" in fixtures else 2


def _weight(item) -> int:
    """0 for the longest kinds of test, then 1, 2, 3: the production processes and the worker (one group,
    run in a row), the crawls, the browser journeys, the tests of services; then the rest."""
    if item.get_closest_marker("xdist_group"):
        return 0
    for weight, marker in enumerate(("crawl", "browser", "services"), start=1):
        if item.get_closest_marker(marker):
            return weight
    return 4


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest-xdist hands tests to its workers in this order. Within pytest-django's order, the longest
    first: the last minute is then short tests on both workers, rather than one crawl or browser walk on
    one of them while the other idles."""
    items.sort(key=lambda item: (_database_order(item), _weight(item)))


# --- the crawl's figures -------------------------------------------------------------


def pytest_terminal_summary(terminalreporter):
    """The crawl's figures (interac_portal/tests/hostile/test_crawl.py), summed over its tests and over
    pytest-xdist's workers (they come with the reports). Here, so that xdist's controller has it too."""
    totals = Counter()
    for status in ("passed", "failed"):
        for report in terminalreporter.stats.get(status, []):
            for name, value in getattr(report, "user_properties", []):
                if name.startswith("crawl_"):
                    totals[name] += value
    if totals:
        terminalreporter.write_line(
            f"crawl: {totals['crawl_urls']} URLs (by person) asked {totals['crawl_requests']} times with odd "
            f"parameters; answers of 500 or more: {totals['crawl_failures']}"
        )
