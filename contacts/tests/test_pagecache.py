"""Pages kept per session for a minute and dropped by any write (contacts/pagecache.py).

A page seen again is not rendered again; whatever was written since shows at
once, however it was written; nothing is shared between two sessions; a
message after a form is shown once; and a form with a one-time token is never
kept.
"""

import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from support.models import Status, SupportRequest
from support.tests.factories import SupportRequestFactory

LIST = reverse("support:list")


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture(autouse=True)
def _early_in_a_minute():
    # A page is kept within its minute: each test starts early in one, so that
    # two requests a moment apart are never on either side of a minute's end.
    start = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=True):
        yield


def _log_in(client, user):
    # As after the login form: signed in, with the CSRF cookie a real login leaves.
    client.force_login(user)
    client.get(reverse("contacts:wellbeing"))
    # What a kept page costs: the session and the user (as a page that reads nothing
    # of its own), and nothing more. Sessions in Redis or in the database differ.
    client.kept_page_queries = _queries(client, reverse("contacts:wellbeing"))[1]
    return client


@pytest.fixture
def alt_client(client, alt_tokyo):
    return _log_in(client, alt_tokyo)


@pytest.mark.parametrize(
    "name", ["dashboard", "support:list", "training:index", "onboarding:index", "contacts:support_team"]
)
def test_a_page_seen_again_is_not_rendered_again(alt_client, name):
    first, rendered = _queries(alt_client, reverse(name))
    again, kept = _queries(alt_client, reverse(name))
    assert again == first
    assert rendered > alt_client.kept_page_queries
    assert kept <= alt_client.kept_page_queries


def test_a_thread_seen_again_is_not_rendered_again_and_shows_a_reply_at_once(alt_client, alt_tokyo, staff_tokyo):
    from support.tests.factories import MessageFactory

    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    path = support_request.get_absolute_url()
    _queries(alt_client, path)
    assert _queries(alt_client, path)[1] <= alt_client.kept_page_queries
    MessageFactory(
        support_request=support_request, author=staff_tokyo, from_staff=True, body="Bring your residence card."
    )
    page, queries = _queries(alt_client, path)
    assert "Bring your residence card." in page
    assert queries > alt_client.kept_page_queries


def test_a_new_request_shows_on_the_list_at_once(alt_client, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="City hall registration")
    assert "City hall registration" in _queries(alt_client, LIST)[0]
    form = alt_client.get(reverse("support:new")).content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', form).group(1)
    data = {"category": "HOUSING", "subject": "Water from the ceiling", "details": "It drips.",
            "urgency": "HIGH", "submit_token": token}  # fmt: skip
    assert alt_client.post(reverse("support:new"), data).status_code == 302
    page = _queries(alt_client, LIST)[0]
    assert "Water from the ceiling" in page and "City hall registration" in page


def test_a_change_made_by_a_bulk_update_shows_at_once(alt_client, alt_tokyo):
    # update() sends no model signal: the database's own statements are watched.
    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Mobile phone contract")
    _queries(alt_client, LIST)
    SupportRequest.objects.filter(pk=support_request.pk).update(subject="Mobile phone: SIM only")
    assert "Mobile phone: SIM only" in _queries(alt_client, LIST)[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE support_supportrequest SET subject = %s WHERE id = %s", ["Raw SQL", support_request.pk])
    assert "Raw SQL" in _queries(alt_client, LIST)[0]


@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_before_a_commit_is_not_kept_after_it(postgres, tokyo, mc_tokyo, grm):
    # As with a Celery worker's transaction (PostgreSQL: two connections at once): another worker renders the list while
    # the write is not yet committed, and keeps what it saw. After the commit that
    # page must not be served.
    from contacts.tests.factories import make_alt

    alt = make_alt(branch=tokyo, mc=mc_tokyo, email="alt.commit@example.com")
    browser = _log_in(Client(), alt)
    support_request = SupportRequestFactory(alt=alt, subject="Doctor who speaks English")
    _queries(browser, LIST)
    assert _queries(browser, LIST)[1] <= browser.kept_page_queries
    seen = []

    def other_worker():
        try:
            seen.append(_queries(browser, LIST))
        finally:
            connections.close_all()

    with transaction.atomic():
        SupportRequest.objects.filter(pk=support_request.pk).update(subject="Doctor found")
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join()
    page, queries = seen[0]
    assert "Doctor who speaks English" in page and queries > browser.kept_page_queries
    assert "Doctor found" in _queries(browser, LIST)[0]


def test_pages_are_never_shared_between_sessions(alt_tokyo, alt_osaka):
    SupportRequestFactory(alt=alt_tokyo, subject="Tokyo apartment key")
    SupportRequestFactory(alt=alt_osaka, subject="Osaka gas meter")
    tokyo_browser, osaka_browser, tokyo_phone = (_log_in(Client(), user) for user in (alt_tokyo, alt_osaka, alt_tokyo))
    assert "Tokyo apartment key" in _queries(tokyo_browser, LIST)[0]
    osaka_page, osaka_queries = _queries(osaka_browser, LIST)
    assert "Osaka gas meter" in osaka_page and "Tokyo apartment key" not in osaka_page
    assert osaka_queries > osaka_browser.kept_page_queries
    # The same ALT on another device: its own session, its own page.
    assert _queries(tokyo_phone, LIST)[1] > tokyo_phone.kept_page_queries


def test_a_message_after_a_form_is_shown_once_and_the_page_is_kept_after(alt_client, alt_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, status=Status.WAITING_ON_ALT)
    path = support_request.get_absolute_url()
    _queries(alt_client, path)
    response = alt_client.post(reverse("support:solve", args=[support_request.pk]), follow=True)
    assert "marked as solved" in response.content.decode()
    page, _count = _queries(alt_client, path)
    assert "marked as solved" not in page
    assert _queries(alt_client, path)[1] <= alt_client.kept_page_queries


def test_the_page_follows_the_language_at_once(alt_client):
    assert 'lang="en"' in _queries(alt_client, LIST)[0]
    alt_client.post(reverse("contacts:set_language"), {"language": "ja", "next": LIST})
    assert 'lang="ja"' in _queries(alt_client, LIST)[0]


def test_after_a_minute_the_page_is_rendered_again(alt_client, alt_tokyo):
    # What changes with the clock alone (a request becoming overdue) shows within a minute.
    with time_machine.travel(timezone.now().replace(second=1), tick=False) as clock:
        _queries(alt_client, LIST)
        clock.shift(timedelta(seconds=10))
        assert _queries(alt_client, LIST)[1] <= alt_client.kept_page_queries
        clock.shift(timedelta(seconds=60))
        assert _queries(alt_client, LIST)[1] > alt_client.kept_page_queries


def test_a_session_saved_does_not_drop_the_pages(alt_client):
    # The idle timeout pushes the session's expiry every few minutes: not a change of any page.
    _queries(alt_client, LIST)
    session = alt_client.session
    session["_seen"] = int(time.time())
    session.save()
    assert _queries(alt_client, LIST)[1] <= alt_client.kept_page_queries


def test_an_email_sent_does_not_drop_the_pages(alt_client):
    # The outbox marks each email sent; no kept page shows the outbox (see the last test).
    from contacts.models import Notification

    _queries(alt_client, LIST)
    Notification.objects.filter(status=Notification.Status.PENDING).update(status=Notification.Status.SENT)
    assert _queries(alt_client, LIST)[1] <= alt_client.kept_page_queries


def test_the_new_request_form_is_never_kept(alt_client):
    # Its one-time token tells a double click from a second request: a kept form would merge two requests.
    tokens = {
        re.search(
            r'name="submit_token" value="([^"]+)"', alt_client.get(reverse("support:new")).content.decode()
        ).group(1)
        for _ in range(2)
    }
    assert len(tokens) == 2


def test_a_kept_page_is_not_served_after_logging_out(alt_client):
    # On a shared computer: the next person presses back or replays the old cookie.
    _queries(alt_client, LIST)
    assert _queries(alt_client, LIST)[1] <= alt_client.kept_page_queries
    old_cookie = alt_client.cookies["sessionid"].value
    assert alt_client.post(reverse("account_logout")).status_code == 302
    assert alt_client.get(LIST).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    replay.cookies[settings.CSRF_COOKIE_NAME] = alt_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = replay.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_off_when_the_setting_is_zero(alt_client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _queries(alt_client, LIST)
    assert _queries(alt_client, LIST)[1] > alt_client.kept_page_queries


def test_the_admin_list_is_kept_and_shows_a_change_at_once(client, staff_tokyo, alt_tokyo):
    support_request = SupportRequestFactory(alt=alt_tokyo, subject="Residence card address")
    _log_in(client, staff_tokyo)
    path = reverse("admin:support_supportrequest_changelist")
    first, _count = _queries(client, path)
    assert "Residence card address" in first
    # The admin checks the staff member's roles on every request, kept page or not.
    assert _queries(client, path)[1] <= client.kept_page_queries + 1
    SupportRequest.objects.filter(pk=support_request.pk).update(subject="Residence card: new address")
    assert "Residence card: new address" in _queries(client, path)[0]


@pytest.mark.django_db(transaction=True)
def test_writes_are_still_seen_on_a_connection_opened_inside_another_wrapper(postgres, tokyo, mc_tokyo, grm):
    # The benchmark counts each request's queries with a wrapper of its own: a
    # worker's connection, opened inside it, must keep watching writes after it.
    from contacts.tests.factories import make_alt

    alt = make_alt(branch=tokyo, mc=mc_tokyo, email="alt.wrapper@example.com")
    support_request = SupportRequestFactory(alt=alt, subject="Parking permit")
    browser = _log_in(Client(), alt)
    _queries(browser, LIST)
    assert _queries(browser, LIST)[1] <= browser.kept_page_queries

    def new_worker():
        # A thread has a connection of its own, opened by its first query.
        try:
            with connection.execute_wrapper(lambda execute, sql, params, many, ctx: execute(sql, params, many, ctx)):
                assert SupportRequest.objects.exists()
            SupportRequest.objects.filter(pk=support_request.pk).update(subject="Parking permit granted")
        finally:
            connections.close_all()

    thread = threading.Thread(target=new_worker)
    thread.start()
    thread.join()
    assert "Parking permit granted" in _queries(browser, LIST)[0]


def test_the_placement_list_is_kept_whole_with_its_stage_chart(client, grm, alt_tokyo):
    # The placement admin adds its chart after Django's changelist view: the kept page has it too.
    _log_in(client, grm)
    path = reverse("admin:onboarding_placement_changelist")
    first, rendered = _queries(client, path)
    assert "Placements by stage" in first
    again, kept = _queries(client, path)
    assert again == first and kept < rendered


def test_no_kept_page_reads_a_table_whose_writes_are_not_watched(client, alt_tokyo, staff_tokyo, grm):
    # Writes to the email outbox do not drop kept pages (each email sent would drop them
    # all): no kept page may show what it holds.
    from contacts.pagecache import UNSHOWN_TABLES

    support_request = SupportRequestFactory(alt=alt_tokyo)
    pages = {
        alt_tokyo: [reverse(name) for name in ["dashboard", "support:list", "training:index", "onboarding:index"]]
        + [reverse("contacts:support_team"), support_request.get_absolute_url()],
        staff_tokyo: [reverse("admin:support_supportrequest_changelist"), "/admin/support/supportrequest/?overdue=yes"],
        grm: [reverse("admin:onboarding_placement_changelist")],
    }
    unwatched = {f'"{table}"' for table in UNSHOWN_TABLES - {"django_session"}}
    for user, paths in pages.items():
        browser = _log_in(Client(), user)
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert browser.get(path).status_code == 200
            read = [query["sql"] for query in queries if any(table in query["sql"] for table in unwatched)]
            assert not read, (path, read)


@pytest.mark.parametrize(
    "sql, changes",
    [
        ('SELECT "support_supportrequest"."id" FROM "support_supportrequest"', False),
        ("  savepoint s1", False),
        ('UPDATE "support_supportrequest" SET "subject" = %s', True),
        ('INSERT INTO "training_registration" ("session_id") VALUES (%s)', True),
        ('DELETE FROM "contacts_user" WHERE "contacts_user"."id" IN (%s)', True),
        ("TRUNCATE support_message", True),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "contacts_notification" ("key") VALUES (%s)', False),
        ('UPDATE "contacts_notificationx" SET "a" = %s', True),
    ],
)
def test_which_statements_drop_the_kept_pages(sql, changes):
    from psycopg import sql as composed

    from contacts.pagecache import _changes_pages

    assert _changes_pages(sql) is changes
    assert _changes_pages(composed.SQL("SELECT 1")) is True  # not plain text: counted as a write
