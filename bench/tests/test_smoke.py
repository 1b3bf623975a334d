"""A few seconds of `make bench` at a tiny scale, so that the benchmark does not rot.

The same seeding (COPY, PostgreSQL only), the same pages with the query
targets of the benchmark, the reminder tasks over the seeded data, and the
report. The full run (`make bench`) measures throughput; this only checks
that the machinery works and that query counts hold.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import run
from bench.scale import TINY, seed_scale
from contacts.models import AltProfile, Notification, User
from interac_portal.bench import QueryCountHeaderMiddleware
from onboarding.models import Placement, TaskCompletion
from support.models import ReferenceCounter, SupportRequest
from training.models import Registration

pytestmark = pytest.mark.services


@pytest.fixture
def seeded(postgres, settings):
    settings.DEBUG = False
    call_command("seed_demo", force=True, verbosity=0)
    return seed_scale(TINY)


def test_the_tiny_data_set_is_whole_and_consistent(seeded):
    assert seeded["alts"] == TINY.alts and seeded["support_requests"] == TINY.requests
    assert seeded["training_sessions"] == TINY.sessions and seeded["task_completions"] > 0
    assert Placement.objects.count() == AltProfile.objects.count()
    # Every branch's request has that branch's ALT (GRM's desk has none: the demo's applicant's questions),
    # and a reference the counters will not hand out again.
    branch_requests = SupportRequest.objects.filter(branch__isnull=False)
    assert not branch_requests.exclude(branch=F("alt__alt_profile__branch")).exists()
    last = max(int(ref.rsplit("-", 1)[1]) for ref in SupportRequest.objects.values_list("reference", flat=True))
    assert max(ReferenceCounter.objects.values_list("last", flat=True)) >= last
    # Sessions over have their roll taken, but for the demo's "last week" meetings, left for the trainers'
    # worklists (and the open day, under way all today).
    unmarked = Registration.objects.filter(status="REGISTERED", session__end__lt=timezone.now())
    assert set(unmarked.values_list("session__title", flat=True)) <= {
        "Tokyo ALT meeting (last week)",
        "Osaka ALT meeting (last week)",
    }


def test_the_measured_pages_answer_within_the_query_targets(seeded, client):
    """Every page of the benchmark (run.PAGES: a page added there is checked here), as the person it loads it as."""
    thread = run.thread_request_id(run.ALT)
    measured = [(path, email, kind) for _, path, email, kind in run.PAGES if kind in run.MAX_QUERIES]
    # The others are the bare view (/bench/baseline/, mounted only with PORTAL_BENCH=1) the pages are compared with.
    assert {kind for *_, kind in run.PAGES} - set(run.MAX_QUERIES) == {"baseline", "reference"}
    assert {kind for *_, kind in measured} == set(run.MAX_QUERIES)
    for path, email, kind in measured:
        path = path.format(thread=thread)
        client.force_login(User.objects.get(email=email))
        client.get(path)  # the session's first request refreshes its expiry
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        assert len(queries) <= run.MAX_QUERIES[kind], (path, len(queries))


def test_the_reminders_have_work_and_stay_a_few_queries(seeded, django_capture_on_commit_callbacks):
    before = Notification.objects.count()  # the demo's own emails (a safety check drill)
    with django_capture_on_commit_callbacks(execute=False):
        results = run.reminders()
    assert {r["task"] for r in results} >= {"e-learning invitations", "session reminders", "overdue requests"}
    for result in results:
        assert result["notifications"] > 0, result
        assert result["queries"] < 100, result
    assert Notification.objects.count() - before == sum(r["notifications"] for r in results)
    assert TaskCompletion.objects.exists()


def test_the_query_header_counts_every_statement(db):
    def view(request):
        list(User.objects.all())
        User.objects.count()
        return HttpResponse("ok")

    response = QueryCountHeaderMiddleware(view)(RequestFactory().get("/"))
    assert response["X-Queries"] == "2"


SEEDING = {"seconds": 1.0, "rows": {"alts": 10}}


def _rows_with(page: dict) -> list:
    """A baseline of 1,000 req/s and one ALT page measured beside it."""
    rows = [
        {"page": "baseline", "kind": "baseline", "rps": 1000, "p50_ms": 1, "p99_ms": 2, "ratio": 1, "queries": 0},
        {"kind": "alt", **page},
    ]
    for row in rows:
        row.update(errors=0, peak_worker_mb=80.0)
    return rows


def test_the_report_names_every_miss():
    rows = _rows_with({"page": "slow", "rps": 100, "p50_ms": 9, "p99_ms": 30, "ratio": 0.1, "queries": 11})
    text = run.report("meta\n", SEEDING, rows, [{"pid": 1, "peak_mb": 90.0, "rss_mb": 80.0}], [])
    assert "| slow | 100 |" in text
    assert "ratio < 0.25; queries > 10" in text


def test_a_p99_over_the_limit_is_a_miss_whatever_the_ratio():
    rows = _rows_with({"page": "jumpy", "rps": 800, "p50_ms": 2, "p99_ms": 75, "ratio": 0.8, "queries": 3})
    text = run.report("meta\n", SEEDING, rows, [], [])
    assert "| jumpy | 800 | 2.0 | 75.0 | 0.80 | 3 | 80 | p99 > 60 ms |" in text


def test_the_mixed_runs_people_are_signed_in_and_their_pages_answer(seeded, client, settings):
    from bench import mixed

    alts, staff = mixed._alts(), mixed._staff()
    assert 10 <= len(alts) <= mixed.ALTS and {p["email"] for p in staff} == set(mixed.STAFF)
    for person, pages in [(alts[0], alts[0]["pages"]), (staff[0], [staff[0]["list"]])]:
        client.cookies["sessionid"] = person["session"]
        for page in pages:
            assert client.get(page).status_code == 200, page


def test_the_report_shows_the_mixed_run_and_names_lost_writes():
    rows = _rows_with({"page": "page", "rps": 400, "p50_ms": 3, "p99_ms": 9, "ratio": 0.4, "queries": 4})
    mixed = {
        "seconds": 60,
        "connections": 16,
        "requests": 9000,
        "rps": 150.0,
        "errors": 0,
        "status_4xx": 0,
        "p50_ms": 20.0,
        "p99_ms": 55.0,
        "acknowledged": {"new_request": 400, "alt_reply": 410, "staff_reply": 380},
        "lost": 2,
    }
    text = run.report("meta\n", SEEDING, rows, [], [], mixed)
    assert (
        "| 9000 | 150 | 0 | 0 | 20.0 | 55.0 | new request 400, alt reply 410, staff reply 380 | 2 | lost writes |"
        in text
    )
