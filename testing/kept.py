"""Kept parts on for a test (core.versions, contacts.people_cache), and a page with the queries it read."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def kept_parts_on(settings) -> None:
    settings.PEOPLE_CACHE = True
    settings.KEPT_PARTS = True
    settings.KEPT_PARTS_VERIFY = False  # these tests count what a kept page reads; the audit compares elsewhere


def page_and_queries(client, url: str, params=None) -> tuple[int, str]:
    """The page at `url` (200) and how many queries it read."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response.content.decode()
