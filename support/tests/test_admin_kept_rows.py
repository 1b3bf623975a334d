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
from testing.support import SupportRequestFactory

CHANGELIST = reverse("admin:support_supportrequest_changelist")


@pytest.fixture(autouse=True)
def _kept_parts_on(settings):
    kept_parts_on(settings)


def _list(client, params=None) -> tuple[int, str]:
    return page_and_queries(client, CHANGELIST, params)


def _rows(page: str) -> str:
    body = page.split('id="result_list"')[1].split("</table>")[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


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
