"""The triage list stays a fixed number of queries and never counts a large branch row by row."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from core.admin import EstimatedCountPaginator
from support.models import Category, SupportRequest, Urgency
from testing.support import SupportRequestFactory

CHANGELIST = reverse("admin:support_supportrequest_changelist")


def _overdue(alt, **extra):
    return SupportRequestFactory(alt=alt, created=timezone.now() - timedelta(days=10), **extra)


def test_overdue_list_query_count_is_the_same_for_1_and_50_requests(
    client_for, staff_tokyo, alt_tokyo, mc_tokyo, django_assert_max_num_queries
):
    client = client_for(staff_tokyo)
    client.get(CHANGELIST)  # the first request of a session also refreshes the session's expiry
    _overdue(alt_tokyo, assignee=staff_tokyo)
    with django_assert_max_num_queries(12) as one:
        page = client.get(CHANGELIST, {"overdue": "yes"}).content.decode()
    assert page.count("overdue</strong>") == 1
    for i in range(49):
        _overdue(alt_tokyo, assignee=mc_tokyo if i % 2 else None, urgency=Urgency.URGENT)
    with django_assert_max_num_queries(12) as fifty:
        page = client.get(CHANGELIST, {"overdue": "yes"}).content.decode()
    assert page.count("overdue</strong>") == 25  # a full page (list_per_page)
    assert len(one.captured_queries) == len(fifty.captured_queries)


def test_a_wellbeing_request_stays_hidden_from_the_scheduler_and_shown_to_the_alts_mc(
    client_for, staff_tokyo, mc_tokyo, alt_tokyo
):
    private = SupportRequestFactory(alt=alt_tokyo, category=Category.WELLBEING, subject="Feeling low")
    public = SupportRequestFactory(alt=alt_tokyo, subject="Bank card")
    scheduler_page = client_for(staff_tokyo).get(CHANGELIST).content.decode()
    assert public.reference in scheduler_page and private.reference not in scheduler_page
    assert private.reference in client_for(mc_tokyo).get(CHANGELIST).content.decode()


def test_a_long_list_is_estimated_past_the_exact_limit(postgres, monkeypatch, alt_tokyo):
    for _ in range(40):
        SupportRequestFactory(alt=alt_tokyo)
    queryset = SupportRequest.objects.all()
    assert EstimatedCountPaginator(queryset, 5).count == 40  # under the limit: exact
    monkeypatch.setattr(EstimatedCountPaginator, "exact_up_to", 10)
    with postgres.cursor() as cursor:
        cursor.execute(f"ANALYZE {SupportRequest._meta.db_table}")
    # Past it: the planner's estimate, close to the real count (not just the rows already seen).
    estimate = EstimatedCountPaginator(queryset, 5).count
    assert abs(estimate - 40) <= 8, estimate
