"""The safety part of `make bench` (bench/safety.py) at a tiny scale, in this process instead of over HTTP:
the same seeding, the same fan-out run twice, the staff view's queries, answers through the links, the
count of what the database holds, and the report."""

import re
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import safety
from contacts.models import User
from safety.models import SafetyCheck
from safety.selectors import alts_in_scope

pytestmark = pytest.mark.services

ALTS = 60


@pytest.fixture
def seeded(postgres, settings):
    settings.DEBUG = False
    call_command("seed_demo", force=True, verbosity=0)
    return safety.seed_arrived_alts(ALTS)


def test_the_alts_are_topped_up_to_the_number_asked_once(seeded):
    assert seeded > 0
    assert alts_in_scope(branch_ids=[], prefectures=[]).count() == ALTS
    assert safety.seed_arrived_alts(ALTS) == 0
    assert not alts_in_scope(branch_ids=[], prefectures=[]).filter(prefecture="").exists()


def test_the_measured_steps_meet_the_targets_at_a_tiny_scale(seeded, client, django_capture_on_commit_callbacks):
    sesps = User.objects.get(email="sesps@example.com")
    client.force_login(sesps)
    add = "/admin/safety/safetycheck/add/"
    data = {"title": "Drill", "message": "Are you safe?", "reason": "OTHER", "title_ja": "", "message_ja": ""}
    with django_capture_on_commit_callbacks(execute=False):  # the fan-out is queued, not run: as with a broker
        started = time.perf_counter()
        response = client.post(add, {**data, "_save": "Save"})
        start_seconds = time.perf_counter() - started
    check_id = int(re.search(r"/safetycheck/(\d+)/change/", response["Location"]).group(1))
    fanned = safety.fan_out(check_id)
    assert fanned["first"]["notifications"] == ALTS and fanned["second"]["notifications"] == 0

    def staff_view(answered: str) -> list[dict]:
        rows = []
        for email in safety.STAFF:
            client.force_login(User.objects.get(email=email))
            for view, path in (("page", "change/"), ("live part", "status/")):
                url = f"/admin/safety/safetycheck/{check_id}/{path}"
                client.get(url)
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                rows.append({"who": email, "view": view, "queries": len(queries), "ms": 0.0})
        return rows

    unanswered = staff_view("none")
    client.logout()
    paths = safety.link_paths(check_id)
    statuses: dict = {}
    started = time.perf_counter()
    for index, path in enumerate(paths):
        status = "NEED_HELP" if index % safety.HELP_EVERY == 0 else "SAFE"
        code = client.post(path, {"status": status, "note": ""}).status_code
        statuses[code] = statuses.get(code, 0) + 1
    answers = {
        "seconds": time.perf_counter() - started,
        "statuses": statuses,
        "sent": len(paths),
        "need_help_sent": len(paths[:: safety.HELP_EVERY]),
    }
    figures = {
        "gunicorn_workers": 0,
        "alts_added": seeded,
        "in_scope": len(paths),
        "start_seconds": start_seconds,
        "fan_out": fanned,
        "staff_view_unanswered": unanswered,
        "answers": answers,
        "held": safety.tally(check_id),
        "staff_view_answered": staff_view("all"),
    }
    assert figures["held"]["no_answer"] == 0 and figures["held"]["requests"] == answers["need_help_sent"]
    assert safety.verdicts(figures) == dict.fromkeys(safety.verdicts(figures), True)
    text = safety.report(figures)
    assert f"Safety check over {ALTS} arrived ALTs" in text and "MISSED" not in text
    assert SafetyCheck.objects.get(pk=check_id).recipients == ALTS


def test_the_report_names_a_missed_target():
    view = [{"who": "sesps@example.com", "view": "page", "queries": 12, "ms": 40.0}]
    figures = {
        "gunicorn_workers": 4,
        "in_scope": 10_000,
        "start_seconds": 2.5,
        "fan_out": {
            "first": {"seconds": 9.0, "queries": 40, "notifications": 10_000},
            "second": {"seconds": 0.1, "queries": 2, "notifications": 0},
        },
        "staff_view_unanswered": view,
        "staff_view_answered": view,
        "answers": {"seconds": 75.0, "statuses": {200: 9_999, 500: 1}, "sent": 10_000, "need_help_sent": 500},
        "held": {"safe": 9_499, "need_help": 500, "no_answer": 1, "requests": 500, "history": 9_999},
    }
    verdicts = safety.verdicts(figures)
    assert verdicts == {
        "start": False,
        "fan_out_once": True,
        "staff_view": False,
        "answers_in_time": False,
        "nothing_lost": False,
    }
    text = safety.report(figures)
    assert "| starting the check (admin add page, POST) | 2500 ms | under 2 s | MISSED |" in text
    assert text.count("MISSED") == 4
