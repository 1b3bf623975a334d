"""The support list's rows kept under their ALT's token (core/templatetags/kept_admin.py): the list after a
write shows it, each list with its own filters in its links."""

import re

import pytest
from django.test.utils import override_settings
from django.urls import reverse

from contacts.models import User
from support.models import Status, SupportRequest
from support.services import message_post_by_alt
from testing.kept import kept_parts_on, page_and_queries
from testing.support import SupportRequestFactory, request_sent_by

CHANGELIST = reverse("admin:support_supportrequest_changelist")


@pytest.fixture(autouse=True)
def _kept_parts_on(settings):
    kept_parts_on(settings)


def _list(client, params=None) -> tuple[int, str]:
    return page_and_queries(client, CHANGELIST, params)


def _csrf_free(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _rows(page: str) -> str:
    return _csrf_free(page.split('id="result_list"')[1].split("</table>")[0])


def test_kept_rows_are_the_rows_built_afresh_and_show_each_write(client_for, staff_tokyo, mc_tokyo, alt_tokyo):
    request = SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    client = client_for(staff_tokyo)
    _list(client)
    _list(client)
    assert "Bank account" in _list(client)[1]
    # A write through the services (the ALT's message), one through update() (the status), a rename.
    message_post_by_alt(support_request=request, author=alt_tokyo, body="Any news?")
    SupportRequest.objects.filter(pk=request.pk).update(status=Status.WAITING_ON_ALT, assignee=mc_tokyo)
    renamed = User.objects.get(pk=mc_tokyo.pk)
    renamed.first_name = "Renamed"
    renamed.save()
    _list(client)  # built after the writes, then kept
    kept = _rows(_list(client)[1])
    assert "Renamed" in kept and "Any news?" not in kept  # the list shows who, not what
    with override_settings(KEPT_PARTS=False):
        assert _rows(_list(client)[1]) == kept  # as built afresh


def test_each_filtered_list_keeps_its_own_links(client_for, staff_tokyo, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Doctor", status=Status.NEW)
    client = client_for(staff_tokyo)
    plain = _rows(_list(client)[1])
    filtered = _rows(_list(client, {"status__exact": "NEW"})[1])
    assert "_changelist_filters=status__exact" in filtered and "_changelist_filters" not in plain


# --- the whole list's content kept (core.admin.KeptChangelistMixin) ---------------------------------------


def test_the_kept_list_reads_no_rows_and_is_the_list_built_afresh(client_for, staff_tokyo, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    client = client_for(staff_tokyo)
    _list(client)  # the tokens' first use: nothing is kept under tokens just made
    built_queries, _page = _list(client)
    kept_queries, kept = _list(client)
    # The session, at most: the rows, the count, the filters, the permissions and the roles are all kept.
    assert kept_queries <= 1 < built_queries
    assert "Bank account" in kept and "kept-changelist" not in kept
    with override_settings(KEPT_PARTS=False, PEOPLE_CACHE=False):
        assert _csrf_free(_list(client)[1]) == _csrf_free(kept)


def test_writes_of_what_the_list_shows_show_on_the_next_list(client_for, staff_tokyo, mc_tokyo, alt_tokyo):
    from contacts.services import user_deactivate
    from support.models import Category

    client = client_for(staff_tokyo)
    _list(client)
    _list(client)
    offered = f"?assignee={mc_tokyo.pk}"  # the MC, offered by the "assigned to" filter
    assert offered in _list(client)[1]
    # The ALT sends a request; the MC is renamed; then leaves (the filter no longer offers them).
    request_sent_by(alt_tokyo, category=Category.BANK_ACCOUNT, subject="Bank card lost")
    assert "Bank card lost" in _list(client)[1]
    User.objects.filter(pk=mc_tokyo.pk).update(first_name="Yukiko")
    assert "Yukiko" in _list(client)[1]
    user_deactivate(user=mc_tokyo)
    assert offered not in _list(client)[1]


def test_a_revoked_role_is_refused_the_kept_list(client_for, staff_tokyo, alt_tokyo):
    from contacts.models import StaffRole
    from contacts.services import staff_roles_sync

    SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    client = client_for(staff_tokyo)
    _list(client)
    _list(client)
    assert "Bank account" in _list(client)[1]
    StaffRole.objects.filter(user=staff_tokyo).delete()
    staff_roles_sync(user=staff_tokyo)
    response = client.get(CHANGELIST)
    assert response.status_code in (302, 403) and b"Bank account" not in response.content


def test_each_session_posts_an_action_from_the_kept_list_with_its_own_csrf_field(client_for, staff_tokyo, alt_tokyo):
    from django.test import Client

    request = SupportRequestFactory(alt=alt_tokyo, subject="Bank account", status=Status.NEW)
    other = client_for(staff_tokyo)
    other.get(CHANGELIST)
    other.get(CHANGELIST)  # built and kept by another session
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_tokyo)
    page = client.get(CHANGELIST).content.decode()
    token = re.search(r'id="changelist-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    response = client.post(
        CHANGELIST,
        {"csrfmiddlewaretoken": token, "action": "assign_to_me", "_selected_action": [request.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 request assigned to you." in response.content.decode()  # the message above the list
    request.refresh_from_db()
    assert request.assignee_id == staff_tokyo.pk
    assert "Aiko" in _rows(response.content.decode())  # the list after the action shows it


def test_a_bad_filter_is_answered_as_before_and_never_kept(client_for, staff_tokyo):
    client = client_for(staff_tokyo)
    for _ in range(2):
        response = client.get(CHANGELIST, {"no_such_field": "1"})
        assert response.status_code == 302 and "e=1" in response["Location"]
