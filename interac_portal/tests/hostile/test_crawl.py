"""Every URL of the portal, for every person, with odd parameters: none answers 500 or more.

The superuser reaches every page: each parameter a page reads of its own meets each odd value on its own (the pages
are split into PARTS tests so that pytest-xdist spreads them). Everyone else asks every page with all of
its parameters odd at once: their own branch's rows, what they may not see, and the refusals.

    pytest -m crawl -p no:randomly    # prints the figures: URLs, requests, answers of 500 or more
"""

import pytest

from .crawl import crawl, every_url

PARTS = 6
PEOPLE = [
    "anonymous",
    "owner",  # an ALT who has arrived, with requests, registrations, a course and a checklist
    "applicant",  # an ALT before a branch is confirmed
    "mc",
    "scheduler",
    "trainer",
    "other_branch_staff",  # MC, scheduler and trainer of Osaka: every branch power, the other branch
    "grm",
    "sesps",
]

pytestmark = pytest.mark.crawl


@pytest.fixture(autouse=True)
def _people_cache_on(settings):
    """As in production: the logged-in user and the parts of pages kept in the cache (contacts.people_cache,
    core.versions), each odd parameter meeting the kept paths too."""
    settings.PEOPLE_CACHE = True
    settings.KEPT_PARTS = True


def _record(report, record_property) -> None:
    print(f"crawl: {report.urls} URLs, {report.requests} requests, {len(report.failures)} answers of 500 or more")
    record_property("crawl_urls", report.urls)
    record_property("crawl_requests", report.requests)
    record_property("crawl_failures", len(report.failures))
    shown = "\n".join(report.failures[:40])
    assert not report.failures, f"{len(report.failures)} answers of 500 or more:\n{shown}"


@pytest.mark.parametrize("part", range(PARTS))
def test_the_superuser_meets_no_server_error_on_any_page(part, rows, superuser, record_property):
    urls = every_url(rows)
    assert len(urls) > 100
    _record(crawl(superuser, urls[part::PARTS], thorough=True), record_property)


@pytest.mark.parametrize("person", PEOPLE)
def test_no_one_meets_a_server_error_on_any_page(person, rows, applicant, record_property):
    user = applicant if person == "applicant" else rows.people[person]
    _record(crawl(user, every_url(rows), thorough=False), record_property)
