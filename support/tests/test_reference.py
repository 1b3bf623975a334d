"""References SR-YYYY-NNNNNN are unique and gap-free, also when many ALTs send at once."""

import re
import uuid

import pytest
from django.utils import timezone

from support.models import ReferenceCounter, SupportRequest
from support.services import reference_next
from testing.concurrency import run_at_once
from testing.contacts import make_alt
from testing.support import request_sent_by


def _create(alt, token=None, subject="Help"):
    return request_sent_by(alt, subject=subject, token=token)


def test_reference_format_and_sequence(alt_tokyo, time_machine):
    time_machine.move_to("2026-03-01 12:00 +09:00", tick=False)
    first, _ = _create(alt_tokyo, subject="One")
    second, _ = _create(alt_tokyo, subject="Two")
    assert first.reference == "SR-2026-000001"
    assert second.reference == "SR-2026-000002"
    assert re.fullmatch(r"SR-\d{4}-\d{6}", first.reference)


def test_numbering_starts_again_each_year_in_japan_time(alt_tokyo, time_machine):
    time_machine.move_to("2026-12-31 23:30 +09:00", tick=False)
    assert _create(alt_tokyo, subject="Old year")[0].reference == "SR-2026-000001"
    # 15:30 UTC on 31 December is already 1 January in Tokyo.
    time_machine.move_to("2026-12-31 15:30 +00:00", tick=False)
    assert _create(alt_tokyo, subject="New year")[0].reference == "SR-2027-000001"


def test_a_failed_request_leaves_no_gap(alt_tokyo, monkeypatch, time_machine):
    time_machine.move_to("2026-03-01 12:00 +09:00", tick=False)
    from support import services

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(services.alt, "_notify_alt", broken)
    with pytest.raises(RuntimeError):
        _create(alt_tokyo, subject="Lost")
    monkeypatch.undo()
    assert _create(alt_tokyo, subject="Kept")[0].reference == "SR-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_unique_consecutive_references(postgres, tokyo, grm):
    alts = [make_alt(branch=tokyo, email=f"alt{i}@example.com") for i in range(12)]
    results, errors = run_at_once(12, lambda i: _create(alts[i], subject=f"Request {i}")[0].reference)
    assert errors == []
    year = timezone.localtime().year
    assert sorted(results) == [f"SR-{year}-{n:06d}" for n in range(1, 13)]
    assert ReferenceCounter.objects.get(year=year).last == 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_counter_creation_for_a_new_year(postgres):
    results, errors = run_at_once(8, lambda i: reference_next(year=2031))
    assert errors == []
    assert sorted(results) == [f"SR-2031-{n:06d}" for n in range(1, 9)]


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_creates_one_request(postgres, tokyo, grm):
    alt = make_alt(branch=tokyo, email="alt.double@example.com")
    token = uuid.uuid4()
    results, errors = run_at_once(6, lambda i: _create(alt, token=token, subject=f"Click {i}")[0].pk)
    assert errors == []
    assert SupportRequest.objects.count() == 1
    assert set(results) == {SupportRequest.objects.get().pk}
