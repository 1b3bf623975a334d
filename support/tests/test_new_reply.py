"""'New reply': a reply the other side has not opened is marked, on the ALT's pages and in the admin, until
they open the request. Opening is a GET, which never writes: the opened page marks it read with a POST."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from support.models import Status, SupportRequest
from support.services import message_post_by_alt, support_request_staff_save
from testing.support import SupportRequestFactory

LIST = reverse("support:list")
HTMX = {"HTTP_HX_REQUEST": "true"}


def staff_reply(support_request, by, text="Bring your passport.", internal=False):
    support_request.refresh_from_db()
    support_request_staff_save(
        support_request=support_request,
        changed_fields=[],
        by=by,
        expected_version=support_request.version,
        reply=text,
        internal=internal,
    )
    support_request.refresh_from_db()


def nav_count(page: str) -> str:
    """What the navigation shows beside "Support requests" (empty when nothing is new)."""
    badge = re.search(r'<span id="nav-new-replies"[^>]*>(.*?)</span>\s*</a>', page, re.DOTALL).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", badge).split())


def list_row(page: str, subject: str) -> str:
    row = next(row for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if subject in row)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def open_request(client, support_request, **headers):
    """Open the request's page as the browser does: the GET, then the POST its form sends once it has loaded."""
    page = client.get(support_request.get_absolute_url()).content.decode()
    seen = re.search(r'id="mark-read".*?name="seen_up_to" value="([^"]+)"', page, re.DOTALL)
    assert seen, "no mark-read form on the page"
    response = client.post(reverse("support:seen", args=[support_request.pk]), {"seen_up_to": seen[1]}, **headers)
    return page, response


@pytest.fixture
def bank(alt_tokyo, staff_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, subject="Opening a bank account", assignee=staff_tokyo)


# --- the ALT -------------------------------------------------------------------------------


def test_a_staff_reply_is_marked_new_on_the_list_the_dashboard_and_in_the_navigation(
    client_for, alt_tokyo, staff_tokyo, bank
):
    quiet = SupportRequestFactory(alt=alt_tokyo, subject="Nothing new here")
    client = client_for(alt_tokyo)
    assert "New reply" not in client.get(LIST).content.decode()

    staff_reply(bank, staff_tokyo)
    page = client.get(LIST).content.decode()
    assert "New reply" in list_row(page, "Opening a bank account")
    assert "New reply" not in list_row(page, quiet.subject)
    assert nav_count(page) == "1 1 request with a new reply"
    home = client.get("/").content.decode()
    card = home.split('id="support-card-title"')[1].split("</section>")[0]
    assert re.search(r"Opening a bank account\s*<span[^>]*>New reply</span>", card)
    assert nav_count(home) == "1 1 request with a new reply"


def test_opening_the_request_clears_the_mark_and_the_count(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    page, response = open_request(client, bank, **HTMX)
    # The page shows which message is new, with htmx to send the form as soon as it has loaded.
    assert re.search(r"New reply</span></p>\s*<div>Bring your passport.</div>", page)
    assert 'hx-post="/support/' in page and 'hx-trigger="load"' in page
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page
    # The answer takes the form away and puts the navigation right (out of band).
    assert response.status_code == 200
    assert response.content.decode().strip() == '<span id="nav-new-replies" hx-swap-oob="true"></span>'

    page = client.get(LIST).content.decode()
    assert "New reply" not in page and nav_count(page) == ""
    assert "New reply" not in client.get("/").content.decode()
    again = client.get(bank.get_absolute_url()).content.decode()
    assert 'id="mark-read"' not in again and "New reply" not in again and "htmx" not in again


def test_opening_the_page_alone_writes_nothing(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    client.get(bank.get_absolute_url())
    assert SupportRequest.objects.get(pk=bank.pk).alt_seen_up_to is None
    assert "New reply" in client.get(LIST).content.decode()


def test_without_javascript_the_button_marks_it_read_and_comes_back_to_the_request(
    client_for, alt_tokyo, staff_tokyo, bank
):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    page, response = open_request(client, bank)
    assert "Mark as read" in page
    assert response.status_code == 302 and response["Location"] == bank.get_absolute_url()
    assert "New reply" not in client.get(LIST).content.decode()


def test_answering_from_the_page_marks_it_read_too(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    page = client.get(bank.get_absolute_url()).content.decode()
    reply_form = page.split(f'action="/support/{bank.pk}/reply/"')[1].split("</form>")[0]
    seen = re.search(r'name="seen_up_to" value="([^"]+)"', reply_form)[1]
    client.post(reverse("support:reply", args=[bank.pk]), {"body": "I have it.", "seen_up_to": seen})
    assert "New reply" not in client.get(LIST).content.decode()


def test_a_reply_written_after_the_page_was_shown_stays_new(client_for, alt_tokyo, staff_tokyo, bank, time_machine):
    time_machine.move_to("2026-06-10 15:00 +09:00", tick=False)
    staff_reply(bank, staff_tokyo, "First answer.")
    client = client_for(alt_tokyo)
    page = client.get(bank.get_absolute_url()).content.decode()
    seen = re.search(r'name="seen_up_to" value="([^"]+)"', page)[1]
    time_machine.move_to("2026-06-10 15:05 +09:00", tick=False)
    staff_reply(bank, staff_tokyo, "Second answer.")  # while the page was loading
    client.post(reverse("support:seen", args=[bank.pk]), {"seen_up_to": seen}, **HTMX)
    page = client.get(LIST).content.decode()
    assert "New reply" in list_row(page, "Opening a bank account") and nav_count(page).startswith("1 ")
    thread = client.get(bank.get_absolute_url()).content.decode().split('id="thread"')[1]
    assert "New reply" not in thread.split("First answer.")[0].split("Please help.")[1]
    assert re.search(r"New reply</span></p>\s*<div>Second answer.</div>", thread)


def test_a_made_up_time_marks_nothing(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    url = reverse("support:seen", args=[bank.pk])
    assert client.post(url, {"seen_up_to": "2099-01-01T00:00:00+00:00"}, **HTMX).status_code == 200
    assert client.post(url, {"seen_up_to": "yesterday"}, **HTMX).status_code == 400
    response = client.post(url, {"seen_up_to": "yesterday"}, follow=True)
    assert "This page was out of date" in response.content.decode()
    assert SupportRequest.objects.get(pk=bank.pk).alt_seen_up_to is None
    assert "New reply" in client.get(LIST).content.decode()


def test_an_internal_note_is_not_a_reply(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo, "Check the visa first.", internal=True)
    page = client_for(alt_tokyo).get(LIST).content.decode()
    assert "New reply" not in page and nav_count(page) == ""


def test_a_reply_on_a_resolved_request_is_marked_until_opened(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo, "The bank opened your account. Resolving this.")
    SupportRequest.objects.filter(pk=bank.pk).update(status=Status.RESOLVED, resolved_at=timezone.now())
    client = client_for(alt_tokyo)
    home = client.get("/").content.decode()
    card = home.split('id="support-card-title"')[1].split("</section>")[0]
    assert "No open requests" in card and "Opening a bank account" in card and "New reply" in card
    open_request(client, bank, **HTMX)
    assert "Opening a bank account" not in client.get("/").content.decode()


def test_an_old_closed_request_with_a_new_reply_comes_to_the_first_page(
    client_for, alt_tokyo, staff_tokyo, time_machine
):
    time_machine.move_to("2026-06-10 15:00 +09:00", tick=False)
    now = timezone.now()
    for n in range(15):
        SupportRequestFactory(
            alt=alt_tokyo, subject=f"Closed {n:02d}", status=Status.CLOSED, last_activity_at=now - timedelta(days=n)
        )
    oldest = SupportRequest.objects.get(subject="Closed 14")
    staff_reply(oldest, staff_tokyo, "One more thing about this one.")
    SupportRequest.objects.filter(pk=oldest.pk).update(last_activity_at=now - timedelta(days=30))
    client = client_for(alt_tokyo)
    page = client.get(LIST).content.decode()
    subjects = [re.sub(r"<[^>]+>", " ", cells[1]).split()[:2] for cells in _cells(page)]
    assert subjects[0] == ["Closed", "14"] and len(subjects) == 11
    assert "New reply" in list_row(page, "Closed 14") and nav_count(page).startswith("1 ")
    assert "Closed 14" not in client.get(LIST, {"page": 2}).content.decode()


def _cells(page: str) -> list[list[str]]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def test_marking_read_is_not_a_change_of_the_request(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    before = SupportRequest.objects.get(pk=bank.pk)
    history = bank.history.count()
    open_request(client_for(alt_tokyo), bank, **HTMX)
    after = SupportRequest.objects.get(pk=bank.pk)
    # A colleague's admin form loaded before is not refused, nor is the request's activity moved.
    for field in ("version", "last_activity_at", "status"):
        assert getattr(after, field) == getattr(before, field), field
    assert bank.history.count() == history
    assert after.alt_seen_up_to == after.last_staff_reply_at


def test_in_japanese(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    client.post(reverse("contacts:set_language"), {"language": "ja", "next": "/"})
    page = client.get(LIST).content.decode()
    assert "新しい返信" in list_row(page, "Opening a bank account")
    assert nav_count(page) == "1 新しい返信のある依頼: 1件"
    assert "新しい返信" in client.get("/").content.decode()
    detail, _response = open_request(client, bank, **HTMX)
    assert "既読にする" in detail and "新しい返信" in detail
    assert "新しい返信" not in client.get(LIST).content.decode()


def test_the_navigation_count_is_on_the_alts_django_pages_too(client_for, alt_tokyo, staff_tokyo, bank):
    staff_reply(bank, staff_tokyo)
    client = client_for(alt_tokyo)
    assert nav_count(client.get(reverse("contacts:profile")).content.decode()) == "1 1 request with a new reply"
    open_request(client, bank, **HTMX)
    assert nav_count(client.get(reverse("contacts:profile")).content.decode()) == ""


def test_the_mark_is_the_owners_only(client_for, alt_osaka, staff_tokyo, outsider, bank, alt_tokyo):
    staff_reply(bank, staff_tokyo)
    url = reverse("support:seen", args=[bank.pk])
    data = {"seen_up_to": bank.last_staff_reply_at.isoformat()}
    for person in (alt_osaka, staff_tokyo, outsider):
        assert client_for(person).post(url, data).status_code == 404
    assert client_for(alt_tokyo).get(url).status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alt_tokyo)
    assert csrf_client.post(url, data).status_code == 403
    assert SupportRequest.objects.get(pk=bank.pk).alt_seen_up_to is None


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("new", [1, 20])
def test_the_count_rides_on_the_pages_own_queries(
    client_for, alt_tokyo, staff_tokyo, new, django_assert_max_num_queries
):
    requests = [SupportRequestFactory(alt=alt_tokyo, subject=f"Request {n}") for n in range(new)]
    for support_request in requests:
        staff_reply(support_request, staff_tokyo)
    client = client_for(alt_tokyo)
    client.get(LIST)  # the first request of a session also refreshes the session's expiry
    # The session, the user, then the page's own queries (those that need the ALT, the latest others):
    # nothing more for the navigation.
    with django_assert_max_num_queries(4):
        page = client.get(LIST).content.decode()
    assert nav_count(page).startswith(f"{new} ") and page.count("New reply") == new
    with django_assert_max_num_queries(10):
        page = client.get("/").content.decode()
    assert nav_count(page).startswith(f"{new} ")
    # Any other page: one query for the count (a request's page: the request, its messages, the count).
    with django_assert_max_num_queries(5):
        page = client.get(requests[0].get_absolute_url()).content.decode()
    assert nav_count(page).startswith(f"{new} ")
    with django_assert_max_num_queries(4):
        page = client.get(reverse("support:cards")).content.decode()
    assert nav_count(page).startswith(f"{new} ")


def test_staff_pages_never_count(client_for, staff_tokyo, django_assert_max_num_queries):
    client = client_for(staff_tokyo)
    wellbeing = reverse("contacts:wellbeing")
    client.get(wellbeing)
    with django_assert_max_num_queries(2):
        page = client.get(wellbeing).content.decode()
    assert 'id="nav-new-replies"' not in page


# --- staff ----------------------------------------------------------------------------------

CHANGELIST = reverse("admin:support_supportrequest_changelist")


def _admin_rows(page: str) -> dict[str, str]:
    """Each row of the admin's list by its reference, as text."""
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1].split("</tbody>")[0], re.DOTALL)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    return {re.search(r"SR-\d{4}-\d{6}", text)[0]: text for text in texts}


def test_an_alts_reply_is_marked_in_the_admins_list_and_found_by_the_filter(
    client_for, alt_tokyo, staff_tokyo, staff_osaka, bank
):
    other = SupportRequestFactory(alt=alt_tokyo, subject="Quiet")
    message_post_by_alt(support_request=bank, author=alt_tokyo, body="Which branch should I go to?")
    client = client_for(staff_tokyo)
    rows = _admin_rows(client.get(CHANGELIST).content.decode())
    assert "New reply" in rows[bank.reference] and "New reply" not in rows[other.reference]
    page = client.get(CHANGELIST, {"alt_replied": "new"}).content.decode()
    assert "ALT replied" in page
    assert list(_admin_rows(page)) == [bank.reference]
    assert bank.reference not in client_for(staff_osaka).get(CHANGELIST, {"alt_replied": "new"}).content.decode()


def test_staff_opening_the_request_clears_the_mark(client_for, alt_tokyo, staff_tokyo, mc_tokyo, bank):
    message_post_by_alt(support_request=bank, author=alt_tokyo, body="Which branch should I go to?")
    client = client_for(staff_tokyo)
    change = reverse("admin:support_supportrequest_change", args=[bank.pk])
    page = client.get(change).content.decode()
    assert 'id="mark-read"' in page and 'hx-trigger="load"' in page
    seen = re.search(r'name="seen_up_to" value="([^"]+)"', page)[1]
    url = reverse("admin:support_supportrequest_seen", args=[bank.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"seen_up_to": seen}, **HTMX).status_code == 200
    assert "New reply" not in _admin_rows(client.get(CHANGELIST).content.decode())[bank.reference]
    # The same for every colleague: it is the request's mark, not a person's.
    assert bank.reference not in client_for(mc_tokyo).get(CHANGELIST, {"alt_replied": "new"}).content.decode()
    assert 'id="mark-read"' not in client.get(change).content.decode()


def test_staff_of_another_branch_cannot_mark_it(client_for, alt_tokyo, staff_osaka, bank):
    message_post_by_alt(support_request=bank, author=alt_tokyo, body="Hello?")
    bank.refresh_from_db()
    url = reverse("admin:support_supportrequest_seen", args=[bank.pk])
    assert client_for(staff_osaka).post(url, {"seen_up_to": bank.last_alt_reply_at.isoformat()}).status_code == 404
    assert SupportRequest.objects.get(pk=bank.pk).staff_seen_up_to is None


def test_answering_in_the_admin_marks_the_alts_reply_read(client_for, alt_tokyo, staff_tokyo, bank):
    message_post_by_alt(support_request=bank, author=alt_tokyo, body="Which branch should I go to?")
    staff_reply(bank, staff_tokyo, "The one by the station.")
    assert bank.staff_seen_up_to == bank.last_alt_reply_at
    assert bank.reference not in client_for(staff_tokyo).get(CHANGELIST, {"alt_replied": "new"}).content.decode()
    # And the ALT now has a new reply.
    assert "New reply" in client_for(alt_tokyo).get(LIST).content.decode()
