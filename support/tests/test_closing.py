"""Resolved requests the ALT did not reopen within 14 days are closed by a daily task."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from support.models import Status, SupportRequest
from support.tasks import close_resolved_requests
from testing.support import SupportRequestFactory


def _resolved(alt, days_ago):
    return SupportRequestFactory(alt=alt, status=Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=days_ago))


def test_requests_resolved_over_14_days_ago_are_closed_and_the_alt_sees_it(client_for, alt_tokyo):
    old, recent = _resolved(alt_tokyo, 15), _resolved(alt_tokyo, 13)
    still_open = SupportRequestFactory(alt=alt_tokyo, status=Status.IN_PROGRESS)
    assert close_resolved_requests() == 1
    statuses = dict(SupportRequest.objects.values_list("pk", "status"))
    assert statuses == {old.pk: Status.CLOSED, recent.pk: Status.RESOLVED, still_open.pk: Status.IN_PROGRESS}
    old.refresh_from_db()
    assert old.version == 2  # an admin form opened before the close is refused, not saved over it
    latest = old.history.latest()
    assert latest.status == Status.CLOSED and latest.history_change_reason.startswith("Closed 14 days")
    page = client_for(alt_tokyo).get(reverse("support:detail", args=[old.pk])).content.decode()
    assert "Closed" in page
    assert reverse("support:reopen", args=[old.pk]) not in page


def test_running_twice_closes_each_once(alt_tokyo):
    _resolved(alt_tokyo, 20)
    assert close_resolved_requests() == 1
    assert close_resolved_requests() == 0
    assert SupportRequest.objects.get().history.filter(status=Status.CLOSED).count() == 1


def test_the_close_takes_the_same_queries_for_1_and_30_requests(alt_tokyo, django_assert_max_num_queries):
    _resolved(alt_tokyo, 20)
    with django_assert_max_num_queries(6) as one:
        close_resolved_requests()
    for _ in range(30):
        _resolved(alt_tokyo, 20)
    with django_assert_max_num_queries(6) as thirty:
        assert close_resolved_requests() == 30
    assert len(one.captured_queries) == len(thirty.captured_queries)
