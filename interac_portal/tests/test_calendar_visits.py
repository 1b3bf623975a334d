"""The support app's visits in the ALT's calendar feed, which the training app serves: wired here (apps.py),
since neither app imports the other."""

from datetime import timedelta

import pytest
from django.urls import reverse

from support.models import Category
from testing.support import SupportRequestFactory, VisitFactory, jst
from training.services import calendar_feed_create


@pytest.fixture
def bank_request(alt_tokyo, staff_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, category=Category.BANK_ACCOUNT, subject="Bank account")


def test_the_visit_is_in_the_alts_calendar_feed(client_for, bank_request, staff_tokyo, alt_tokyo):
    visit = VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    feed = calendar_feed_create(alt=alt_tokyo)
    response = client_for(None).get(reverse("training:calendar_feed", args=[feed.token]))
    body = response.content.decode().replace("\r\n ", "")
    assert f"UID:support-visit-{visit.pk}@alt-portal" in body
    assert "DTSTART:20300604T010000Z" in body
    assert f"SUMMARY:Going with {staff_tokyo.display_name}: Bank account" in body
    assert "LOCATION:Ward office\\, main entrance" in body
    assert "STATUS:TENTATIVE" in body


def test_the_calendar_feed_query_count_does_not_grow_with_visits(
    client_for, bank_request, staff_tokyo, alt_tokyo, django_assert_max_num_queries
):
    feed = calendar_feed_create(alt=alt_tokyo)
    url = reverse("training:calendar_feed", args=[feed.token])
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    with django_assert_max_num_queries(10) as one:
        client_for(None).get(url)
    for day in range(10):
        VisitFactory(
            support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-05 10:00") + timedelta(days=day)
        )
    with django_assert_max_num_queries(10) as many:
        client_for(None).get(url)
    assert len(one.captured_queries) == len(many.captured_queries)


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled(client_for, bank_request, staff_tokyo, alt_tokyo):
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"), status="CANCELLED")
    feed = calendar_feed_create(alt=alt_tokyo)
    body = client_for(None).get(reverse("training:calendar_feed", args=[feed.token])).content.decode()
    assert "STATUS:CANCELLED" in body and "SUMMARY:Cancelled: Going with" in body.replace("\r\n ", "")


def test_another_alts_visits_are_not_in_the_feed(client_for, bank_request, staff_tokyo, alt_osaka):
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    feed = calendar_feed_create(alt=alt_osaka)
    assert (
        "support-visit-"
        not in client_for(None).get(reverse("training:calendar_feed", args=[feed.token])).content.decode()
    )


def test_the_feed_is_in_the_alts_language(client_for, bank_request, staff_tokyo, alt_tokyo):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    VisitFactory(support_request=bank_request, staff=staff_tokyo, starts_at=jst("2030-06-04 10:00"))
    feed = calendar_feed_create(alt=alt_tokyo)
    body = client_for(None).get(reverse("training:calendar_feed", args=[feed.token])).content.decode()
    assert "さんが同行" in body.replace("\r\n ", "")
