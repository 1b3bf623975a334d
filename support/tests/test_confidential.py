"""Well-being requests: only the ALT's MC and staff with the confidential permission of the branch see them.

Others in the branch do not see them at all (not in the list, 404 on the page): neither the
subject nor the existence of a well-being request leaks.
"""

import uuid

import pytest
from django.urls import reverse

from contacts.models import StaffRole
from contacts.tests.factories import make_staff
from support.models import Category

from .factories import SupportRequestFactory

CHANGELIST = reverse("admin:support_supportrequest_changelist")


@pytest.fixture
def wellbeing(alt_tokyo):
    return SupportRequestFactory(alt=alt_tokyo, category=Category.WELLBEING, subject="Feeling isolated")


def _sees(client, support_request) -> bool:
    listed = support_request.reference in client.get(CHANGELIST).content.decode()
    url = reverse("admin:support_supportrequest_change", args=[support_request.pk])
    opened = client.get(url).status_code == 200
    assert listed == opened
    return opened


def test_alts_own_mc_sees_it(client_for, mc_tokyo, wellbeing):
    assert _sees(client_for(mc_tokyo), wellbeing)


def test_another_mc_of_the_branch_holds_the_permission_and_sees_it(client_for, tokyo, wellbeing):
    other_mc = make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com")
    assert _sees(client_for(other_mc), wellbeing)


def test_scheduler_of_the_branch_does_not_see_it_at_all(client_for, staff_tokyo, wellbeing):
    client = client_for(staff_tokyo)
    assert not _sees(client, wellbeing)
    assert "Feeling isolated" not in client.get(CHANGELIST).content.decode()
    history = reverse("admin:support_supportrequest_history", args=[wellbeing.pk])
    assert client.get(history).status_code == 404


def test_mc_of_another_branch_does_not_see_it(client_for, mc_osaka, wellbeing):
    assert not _sees(client_for(mc_osaka), wellbeing)


def test_scheduler_still_sees_the_alts_other_requests(client_for, staff_tokyo, alt_tokyo, wellbeing):
    other = SupportRequestFactory(alt=alt_tokyo, category=Category.BANK_ACCOUNT)
    assert _sees(client_for(staff_tokyo), other)


def test_superuser_sees_it(client_for, superuser, wellbeing):
    assert _sees(client_for(superuser), wellbeing)


def test_the_alt_sees_their_own_request(client_for, alt_tokyo, wellbeing):
    page = client_for(alt_tokyo).get(wellbeing.get_absolute_url()).content.decode()
    assert "Feeling isolated" in page


def test_only_those_who_may_read_it_can_be_assigned(client_for, mc_tokyo, staff_tokyo, wellbeing):
    page = client_for(mc_tokyo).get(reverse("admin:support_supportrequest_change", args=[wellbeing.pk])).content
    assert f'<option value="{mc_tokyo.pk}"'.encode() in page
    assert f'<option value="{staff_tokyo.pk}"'.encode() not in page


def test_new_wellbeing_request_goes_to_the_mc_not_the_branch_and_shows_the_counselling_line(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks, settings
):
    data = {
        "category": Category.WELLBEING,
        "subject": "Feeling isolated",
        "details": "I have not talked to anyone for a week.",
        "urgency": "HIGH",
        "submit_token": str(uuid.uuid4()),
    }
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:new"), data, follow=True)
    assert settings.WELLBEING_LINE["phone"] in response.content.decode()
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == ["alt.tokyo@example.com", "mc.tokyo@example.com"]
    to_mc = next(mail for mail in mailoutbox if mail.to == ["mc.tokyo@example.com"])
    assert "Feeling isolated" not in to_mc.body
    assert "I have not talked" not in to_mc.body
