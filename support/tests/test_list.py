"""The ALT's list of requests and their dashboard card."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from support.models import Status
from testing.support import SupportRequestFactory

URL = reverse("support:list")


def test_alt_sees_only_their_requests_open_first(client_for, alt_tokyo, alt_osaka):
    now = timezone.now()
    SupportRequestFactory(alt=alt_tokyo, subject="Old resolved", status=Status.RESOLVED, last_activity_at=now)
    SupportRequestFactory(alt=alt_tokyo, subject="Open one", last_activity_at=now - timedelta(days=3))
    SupportRequestFactory(alt=alt_osaka, subject="Someone else's")
    response = client_for(alt_tokyo).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Open one") < page.index("Old resolved")
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert "Received" in page and "Resolved" in page


def _rows(page: str) -> list[list[str]]:
    """The list's table as the ALT reads it on a laptop: one list of cell texts per request, top to bottom
    (without the line a phone shows under the subject, which repeats the columns a phone hides)."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    body = re.sub(r'<div class="small d-md-none">.*?</div>', "", body, flags=re.DOTALL)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row] for row in cells]


def test_list_shows_last_activity_and_puts_the_most_recently_active_open_requests_first(
    client_for, alt_tokyo, staff_tokyo, time_machine
):
    from support.services import message_post_by_alt

    time_machine.move_to("2026-06-10 15:00 +09:00", tick=False)
    now = timezone.now()

    def make(subject, status, active_ago, **extra):
        created = now - timedelta(days=30)
        return SupportRequestFactory(
            alt=alt_tokyo, subject=subject, status=status, created=created, last_activity_at=now - active_ago, **extra
        )

    make("Quiet one", Status.IN_PROGRESS, timedelta(days=2), assignee=staff_tokyo)
    make("Busy one", Status.WAITING_ON_ALT, timedelta(minutes=30), assignee=staff_tokyo)
    replied = make("Older one", Status.NEW, timedelta(days=6))
    # Resolved and closed come after every open request, however recent their activity.
    make("Done one", Status.RESOLVED, timedelta(minutes=5), resolved_at=now - timedelta(minutes=5))
    make("Closed one", Status.CLOSED, timedelta(days=20))
    make("Done earlier", Status.RESOLVED, timedelta(days=3), resolved_at=now - timedelta(days=3))
    client = client_for(alt_tokyo)
    rows = _rows(client.get(URL).content.decode())
    # Subject and the "Last activity" column (Japan time), in the order the page shows them.
    assert [(row[1], row[4]) for row in rows] == [
        ("Busy one", "Wed 10 Jun 2026, 14:30"),
        ("Quiet one", "Mon 8 Jun 2026, 15:00"),
        ("Older one", "Thu 4 Jun 2026, 15:00"),
        ("Done one", "Wed 10 Jun 2026, 14:55"),
        ("Done earlier", "Sun 7 Jun 2026, 15:00"),
        ("Closed one", "Thu 21 May 2026, 15:00"),
    ]
    assert [row[2] for row in rows] == [
        "Waiting for your reply",
        "In progress",
        "Received",
        "Resolved",
        "Resolved",
        "Closed",
    ]

    # The ALT writes on the oldest open request an hour later: its last activity is now, and it comes first.
    time_machine.move_to("2026-06-10 16:00 +09:00", tick=False)
    message_post_by_alt(support_request=replied, author=alt_tokyo, body="Any news?")
    rows = _rows(client.get(URL).content.decode())
    assert [(row[1], row[4]) for row in rows][:3] == [
        ("Older one", "Wed 10 Jun 2026, 16:00"),
        ("Busy one", "Wed 10 Jun 2026, 14:30"),
        ("Quiet one", "Mon 8 Jun 2026, 15:00"),
    ]


def test_empty_list_invites_to_ask(client_for, alt_tokyo):
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "You have not asked for help yet" in page
    assert reverse("support:new") in page


def test_applicant_is_told_their_questions_go_to_grm(client_for, applicant):
    page = client_for(applicant).get(URL).content.decode()
    assert "your questions go to the recruiting team (GRM)" in page
    assert reverse("support:new") in page


def test_staff_and_outsiders_get_404(client_for, staff_tokyo, outsider):
    assert client_for(staff_tokyo).get(URL).status_code == 404
    assert client_for(outsider).get(URL).status_code == 404


def test_list_refuses_post(client_for, alt_tokyo):
    assert client_for(alt_tokyo).post(URL).status_code == 405


def test_list_query_count_is_the_same_for_1_and_50_requests(
    client_for, alt_tokyo, staff_tokyo, django_assert_max_num_queries
):
    client = client_for(alt_tokyo)
    client.get(URL)  # the first request of a session also refreshes the session's expiry
    SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo)
    # The session, the user, the requests that need the ALT, the latest others, who handles them (their roles).
    with django_assert_max_num_queries(5) as one:
        client.get(URL)
    for n in range(49):
        SupportRequestFactory(alt=alt_tokyo, assignee=staff_tokyo, status=Status.CLOSED if n % 2 else Status.NEW)
    with django_assert_max_num_queries(5) as fifty:
        page = client.get(URL).content.decode()
    # Older requests: the older ones and their roles, and the navigation's count of new replies (the first
    # page has it from its rows).
    with django_assert_max_num_queries(5):
        client.get(URL, {"page": 2})
    assert len(one.captured_queries) == len(fifty.captured_queries)
    assert len(_rows(page)) == 26 + 10  # every open request, the ten latest closed ones


def test_open_requests_come_first_then_the_ten_latest_closed_and_older_ones_on_the_next_pages(
    client_for, alt_tokyo, time_machine
):
    time_machine.move_to("2026-06-10 15:00 +09:00", tick=False)
    now = timezone.now()
    for n in range(35):
        SupportRequestFactory(
            alt=alt_tokyo, subject=f"Closed {n:02d}", status=Status.CLOSED, last_activity_at=now - timedelta(days=n)
        )
    SupportRequestFactory(alt=alt_tokyo, subject="Still open", last_activity_at=now - timedelta(days=90))
    client = client_for(alt_tokyo)

    page = client.get(URL).content.decode()
    assert [row[1] for row in _rows(page)] == ["Still open"] + [f"Closed {n:02d}" for n in range(10)]
    assert 'href="/support/?page=2"' in page and "Older requests" in page

    page = client.get(URL, {"page": 2}).content.decode()
    assert [row[1] for row in _rows(page)] == [f"Closed {n:02d}" for n in range(10, 30)]
    assert 'href="/support/?page=3"' in page and 'href="/support/"' in page

    page = client.get(URL, {"page": 3}).content.decode()
    assert [row[1] for row in _rows(page)] == [f"Closed {n:02d}" for n in range(30, 35)]
    assert "?page=4" not in page

    assert client.get(URL, {"page": 4}).status_code == 404
    assert client.get(URL, {"page": "x"}).status_code == 404
    assert client.get(URL, {"page": 0}).status_code == 404


def test_ten_closed_requests_need_no_second_page(client_for, alt_tokyo):
    for _ in range(10):
        SupportRequestFactory(alt=alt_tokyo, status=Status.RESOLVED)
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert len(_rows(page)) == 10
    assert "?page=2" not in page


def test_dashboard_card_shows_open_requests_and_what_waits_on_the_alt(client_for, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Phone plan", status=Status.WAITING_ON_ALT)
    SupportRequestFactory(alt=alt_tokyo, subject="Bank", status=Status.IN_PROGRESS)
    SupportRequestFactory(alt=alt_tokyo, subject="Done", status=Status.RESOLVED)
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert "2 open requests" in page
    assert "1 request is waiting for your reply" in page
    assert "Phone plan" in page
    assert "Done" not in page


def test_dashboard_card_with_no_requests_invites_to_ask(client_for, alt_tokyo):
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert "No open requests" in page
    assert reverse("support:new") in page


def test_dashboard_card_is_two_queries(alt_tokyo, django_assert_num_queries):
    from support.selectors import support_dashboard_card

    profile = alt_tokyo.alt_profile
    for _ in range(5):
        SupportRequestFactory(alt=alt_tokyo, status=Status.WAITING_ON_ALT)
    # The requests, and the visits to come.
    with django_assert_num_queries(2):
        card = support_dashboard_card(profile=profile)
    assert card["open_count"] == 5
    assert card["waiting_count"] == 5


def test_applicant_card_invites_to_ask_grm(client_for, applicant):
    page = client_for(applicant).get(reverse("dashboard")).content.decode()
    assert 'id="support-card-title"' in page
    assert "Ask the recruiting team (GRM) here" in page


def test_the_list_names_each_handlers_role_as_the_admin_rule_does(alt_tokyo, applicant, mc_tokyo, sesps, grm, tokyo):
    """with_assignee_roles (one query for the page) gives the role assignee_role_annotation gives."""
    from contacts.models import StaffRole
    from support.models import SupportRequest
    from support.selectors import assignee_role_annotation
    from support.selectors.alt import with_assignee_roles

    StaffRole.objects.create(user=sesps, role=StaffRole.Role.MC, branch=tokyo)  # SESPS, and an MC in Tokyo too
    requests = [
        SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo),
        SupportRequestFactory(alt=alt_tokyo, assignee=sesps),
        SupportRequestFactory(alt=alt_tokyo, assignee=grm),
        SupportRequestFactory(alt=applicant, assignee=grm),
        SupportRequestFactory(alt=applicant, assignee=sesps),
        SupportRequestFactory(alt=alt_tokyo),
    ]
    expected = dict(SupportRequest.objects.annotate(role=assignee_role_annotation()).values_list("pk", "role"))
    with_assignee_roles(requests)
    assert {r.pk: r.assignee_role for r in requests} == expected
    assert [r.assignee_role for r in requests] == ["MC", "MC", "GRM", "GRM", "SESPS", None]


def test_on_a_phone_who_handles_a_request_and_its_last_activity_are_under_the_subject(client_for, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Gas bill")
    page = client_for(alt_tokyo).get(URL).content.decode()
    phone_line = re.search(r'<div class="small d-md-none">(.*?)</div>', page, re.DOTALL).group(1)
    assert "Not yet assigned" in phone_line
    assert re.search(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", phone_line)  # "Thu 3 Dec 2026, 20:11"
    # The columns that line repeats are hidden on a phone.
    assert '<th scope="col" class="d-none d-md-table-cell">Handled by</th>' in page
