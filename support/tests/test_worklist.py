"""What waits for a member of staff (support_worklist), and the admin filters the worklist links to: the same
rows on both sides, at the edges (5 days waiting, well-being requests, a GRM who is also branch staff)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import StaffRole
from contacts.services import staff_role_grant
from support.models import Category, Status
from support.selectors import support_worklist
from testing.support import SupportRequestFactory

CHANGELIST = reverse("admin:support_supportrequest_changelist")


def listed(client, **params) -> set[str]:
    page = client.get(CHANGELIST, params).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0] if 'id="result_list"' in page else ""
    return set(re.findall(r"SR-\d{4}-\d{6}", rows))


def waiting(alt, *, quiet_for, **fields):
    return SupportRequestFactory(
        alt=alt,
        status=Status.WAITING_ON_ALT,
        last_activity_at=timezone.now() - quiet_for,
        due_at=timezone.now() + timedelta(days=1),
        **fields,
    )


def test_waiting_on_the_alt_counts_from_more_than_5_days_without_change(client_for, alt_tokyo, staff_tokyo):
    long_ago = waiting(alt_tokyo, quiet_for=timedelta(days=5, minutes=1), assignee=staff_tokyo)
    waiting(alt_tokyo, quiet_for=timedelta(days=5, minutes=-1), assignee=staff_tokyo)
    SupportRequestFactory(alt=alt_tokyo, status=Status.IN_PROGRESS, last_activity_at=timezone.now() - timedelta(days=9))
    found = support_worklist(user=staff_tokyo)
    assert found.waiting_long == 1
    assert listed(client_for(staff_tokyo), desk="branch", state="waiting_long") == {long_ago.reference}


def test_a_scheduler_does_not_count_the_well_being_requests_they_may_not_read(
    client_for, alt_tokyo, mc_tokyo, staff_tokyo
):
    plain = SupportRequestFactory(alt=alt_tokyo)
    private = SupportRequestFactory(alt=alt_tokyo, category=Category.WELLBEING)
    assert support_worklist(user=mc_tokyo).unassigned == 2
    assert support_worklist(user=staff_tokyo).unassigned == 1
    assert listed(client_for(mc_tokyo), desk="branch", assignee="none", state="open") == {
        plain.reference,
        private.reference,
    }
    assert listed(client_for(staff_tokyo), desk="branch", assignee="none", state="open") == {plain.reference}


def test_grm_who_also_works_a_branch_queue_gets_both_desks_apart(client_for, grm, tokyo, alt_tokyo, applicant):
    staff_role_grant(user=grm, role=StaffRole.Role.SCHEDULER, branch=tokyo)
    branch = SupportRequestFactory(alt=alt_tokyo)
    desk = SupportRequestFactory(alt=applicant, branch=None)
    found = support_worklist(user=grm)
    assert (found.unassigned, found.grm_desk) == (1, 1)
    client = client_for(grm)
    assert listed(client, desk="branch", state="open") == {branch.reference}
    assert listed(client, desk="grm", state="open") == {desk.reference}


def test_closed_requests_count_nowhere(alt_tokyo, mc_tokyo):
    for status in (Status.RESOLVED, Status.CLOSED):
        SupportRequestFactory(alt=alt_tokyo, status=status, due_at=timezone.now() - timedelta(days=3))
    found = support_worklist(user=mc_tokyo)
    assert (found.assigned, found.unassigned, found.overdue, found.waiting_long) == (0, 0, 0, 0)


@pytest.mark.parametrize("who", ["alt_tokyo", "outsider"])
def test_people_who_may_not_see_requests_get_no_counts(request, who):
    assert support_worklist(user=request.getfixturevalue(who)) is None


def test_a_trainer_counts_only_what_is_handed_to_them(alt_tokyo, trainer_tokyo):
    SupportRequestFactory(alt=alt_tokyo)
    SupportRequestFactory(alt=alt_tokyo, assignee=trainer_tokyo, status=Status.IN_PROGRESS)
    found = support_worklist(user=trainer_tokyo)
    assert (found.works_queue, found.assigned, found.unassigned) == (False, 1, None)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_counts_are_one_query(alt_tokyo, mc_tokyo, rows, django_assert_max_num_queries):
    for _ in range(rows):
        SupportRequestFactory(alt=alt_tokyo)
    mc_tokyo.has_perm("support.view_supportrequest")  # the permissions, loaded once per request anyway
    # The user's roles (kept with the permissions where the people cache is on), then the counts.
    with django_assert_max_num_queries(2):
        assert support_worklist(user=mc_tokyo).unassigned == rows
