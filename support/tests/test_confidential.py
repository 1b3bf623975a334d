"""Well-being requests: only the ALT's MC and staff with the confidential permission of the branch see them.

Others in the branch do not see them at all (not in the list, 404 on the page): neither the
subject nor the existence of a well-being request leaks.
"""

import uuid

import pytest
from django.urls import reverse

from contacts.models import StaffRole
from support.models import Category
from testing.contacts import make_staff
from testing.support import SupportRequestFactory

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
    data = _wellbeing_form()
    client = client_for(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:new"), data, follow=True)
    assert settings.WELLBEING_LINE["phone"] in response.content.decode()
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == ["alt.tokyo@example.com", "mc.tokyo@example.com"]
    to_mc = next(mail for mail in mailoutbox if mail.to == ["mc.tokyo@example.com"])
    assert "Feeling isolated" not in to_mc.body
    assert "I have not talked" not in to_mc.body


# --- the permission taken away from the MC group ---------------------------------
# By default every MC holds the permission, so the "ALT's own MC" path is never the
# one that lets them in. Without it, only the ALT's own MC (and whoever is granted
# the permission) may read a well-being request.


@pytest.fixture
def mcs_without_the_permission(db):
    from django.contrib.auth.models import Group, Permission

    from contacts.roles import group_name_for_role

    permission = Permission.objects.get(content_type__app_label="support", codename="view_confidential_request")
    Group.objects.get(name=group_name_for_role(StaffRole.Role.MC)).permissions.remove(permission)
    return permission


@pytest.fixture
def other_mc(tokyo):
    return make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com")


def _with_file(support_request):
    from support.models import Attachment
    from testing.support import upload

    attachment = Attachment(
        support_request=support_request, original_name="note.pdf", content_type="application/pdf", size=10
    )
    attachment.file.save("note.pdf", upload(), save=False)
    attachment.save()
    return reverse("support:attachment", args=[support_request.pk, attachment.pk])


def test_without_the_group_permission_the_alts_own_mc_still_sees_it(
    client_for, mc_tokyo, wellbeing, mcs_without_the_permission
):
    client = client_for(mc_tokyo)
    assert not mc_tokyo.has_perm("support.view_confidential_request")
    assert _sees(client, wellbeing)
    assert client.get(_with_file(wellbeing)).status_code == 200


def test_without_the_group_permission_another_mc_of_the_branch_gets_404(
    client_for, other_mc, wellbeing, mcs_without_the_permission
):
    client = client_for(other_mc)
    assert not _sees(client, wellbeing)
    assert client.get(reverse("admin:support_supportrequest_change", args=[wellbeing.pk])).status_code == 404
    assert client.get(reverse("admin:support_supportrequest_history", args=[wellbeing.pk])).status_code == 404
    assert client.get(_with_file(wellbeing)).status_code == 404


def test_without_the_group_permission_only_those_who_may_read_it_can_be_assigned(
    client_for, mc_tokyo, other_mc, wellbeing, mcs_without_the_permission
):
    from support.selectors import is_branch_colleague

    page = client_for(mc_tokyo).get(reverse("admin:support_supportrequest_change", args=[wellbeing.pk])).content
    assert f'<option value="{mc_tokyo.pk}"'.encode() in page
    assert f'<option value="{other_mc.pk}"'.encode() not in page
    assert is_branch_colleague(user=mc_tokyo, support_request=wellbeing)
    assert not is_branch_colleague(user=other_mc, support_request=wellbeing)


def _wellbeing_form() -> dict:
    return {
        "category": Category.WELLBEING,
        "subject": "Feeling isolated",
        "details": "I have not talked to anyone for a week.",
        "urgency": "HIGH",
        "submit_token": str(uuid.uuid4()),
    }


def _send_wellbeing(client_for, alt, django_capture_on_commit_callbacks):
    data = _wellbeing_form()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(alt).post(reverse("support:new"), data).status_code == 302


def _overdue_sweep(support_request, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from support.models import SupportRequest
    from support.services import support_requests_flag_overdue

    SupportRequest.objects.filter(pk=support_request.pk).update(due_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert support_requests_flag_overdue() == 1


def test_without_the_group_permission_notices_reach_the_alts_own_mc(
    client_for,
    alt_tokyo,
    mc_tokyo,
    other_mc,
    mailoutbox,
    django_capture_on_commit_callbacks,
    mcs_without_the_permission,
):
    from support.models import SupportRequest

    _send_wellbeing(client_for, alt_tokyo, django_capture_on_commit_callbacks)
    assert sorted(a for m in mailoutbox for a in m.to) == ["alt.tokyo@example.com", "mc.tokyo@example.com"]
    mailoutbox.clear()
    _overdue_sweep(SupportRequest.objects.get(), django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]


def test_without_the_alts_mc_notices_reach_those_holding_the_permission_not_every_mc(
    client_for,
    alt_tokyo,
    mc_tokyo,
    other_mc,
    staff_tokyo,
    mailoutbox,
    django_capture_on_commit_callbacks,
    mcs_without_the_permission,
):
    from support.models import SupportRequest

    lead = make_staff(role=StaffRole.Role.SCHEDULER, branch=alt_tokyo.alt_profile.branch, email="lead@example.com")
    lead.user_permissions.add(mcs_without_the_permission)
    profile = alt_tokyo.alt_profile
    profile.managing_consultant = None
    profile.save()
    _send_wellbeing(client_for, alt_tokyo, django_capture_on_commit_callbacks)
    assert sorted(a for m in mailoutbox for a in m.to) == ["alt.tokyo@example.com", "lead@example.com"]
    mailoutbox.clear()
    _overdue_sweep(SupportRequest.objects.get(), django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["lead@example.com"]]
