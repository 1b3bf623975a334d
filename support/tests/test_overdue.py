"""flag_overdue_requests: one message per request and due time, however often and wherever it runs."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Notification
from support.models import Category, Status, SupportRequest
from support.services import support_requests_flag_overdue
from support.tasks import flag_overdue_requests
from testing.contacts import make_alt, make_staff
from testing.support import SupportRequestFactory


def _overdue(alt, **fields):
    return SupportRequestFactory(alt=alt, due_at=timezone.now() - timedelta(hours=1), **fields)


def test_assignee_is_told_once_even_when_run_twice(
    alt_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    support_request = _overdue(alt_tokyo, assignee=staff_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_requests() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_requests() == 0
    assert [m.to for m in mailoutbox] == [["staff.tokyo@example.com"]]
    assert support_request.reference in mailoutbox[0].subject


def test_unassigned_request_goes_to_the_branch_address(alt_tokyo, mailoutbox, django_capture_on_commit_callbacks):
    _overdue(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_requests()
    assert [m.to for m in mailoutbox] == [["tokyo@example.com"]]


def test_branch_without_an_address_tells_its_schedulers(
    alt_tokyo, staff_tokyo, trainer_tokyo, staff_osaka, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.alt_profile.branch.email = ""
    alt_tokyo.alt_profile.branch.save()
    _overdue(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_requests()
    assert [m.to for m in mailoutbox] == [["staff.tokyo@example.com"]]


def test_confidential_request_goes_to_the_alts_mc_without_its_subject(
    alt_tokyo, mc_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    _overdue(alt_tokyo, category=Category.WELLBEING, subject="Feeling very low")
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_requests()
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]
    assert "Feeling very low" not in mailoutbox[0].body


def _no_longer_handles(user, how: str, *, tokyo, osaka) -> None:
    from contacts.models import StaffRole
    from contacts.services import staff_role_grant, user_deactivate

    if how == "deactivated":
        user_deactivate(user=user)
        return
    StaffRole.objects.filter(user=user).delete()
    if how == "moved to another branch":
        staff_role_grant(user=user, role=StaffRole.Role.SCHEDULER, branch=osaka)
    # else: left the branch, no role at all


@pytest.mark.parametrize("how", ["deactivated", "moved to another branch", "no role any more"])
def test_overdue_notice_for_an_assignee_who_no_longer_handles_the_branch_goes_to_the_branch(
    tokyo, osaka, alt_tokyo, staff_tokyo, mailoutbox, django_capture_on_commit_callbacks, how
):
    support_request = _overdue(alt_tokyo, assignee=staff_tokyo)
    _no_longer_handles(staff_tokyo, how, tokyo=tokyo, osaka=osaka)
    with django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_requests() == 1
    assert [m.to for m in mailoutbox] == [["tokyo@example.com"]]
    assert support_request.reference in mailoutbox[0].subject


def test_overdue_wellbeing_request_whose_assignee_left_goes_to_the_alts_mc(
    tokyo, osaka, alt_tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    from contacts.models import StaffRole

    other_mc = make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com")
    _overdue(alt_tokyo, category=Category.WELLBEING, assignee=other_mc)
    _no_longer_handles(other_mc, "moved to another branch", tokyo=tokyo, osaka=osaka)
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_requests()
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]


def test_a_new_due_time_is_flagged_again(alt_tokyo, staff_tokyo):
    support_request = _overdue(alt_tokyo, assignee=staff_tokyo)
    flag_overdue_requests()
    SupportRequest.objects.filter(pk=support_request.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert flag_overdue_requests() == 1
    assert Notification.objects.filter(kind="support.overdue").count() == 2


def test_requests_not_yet_due_or_closed_are_left_alone(alt_tokyo, staff_tokyo):
    SupportRequestFactory(alt=alt_tokyo, due_at=timezone.now() + timedelta(hours=1))
    _overdue(alt_tokyo, status=Status.RESOLVED)
    _overdue(alt_tokyo, status=Status.CLOSED)
    assert flag_overdue_requests() == 0
    assert not Notification.objects.filter(kind="support.overdue").exists()


def test_waiting_on_alt_still_counts_as_open(alt_tokyo, staff_tokyo):
    _overdue(alt_tokyo, status=Status.WAITING_ON_ALT, assignee=staff_tokyo)
    assert flag_overdue_requests() == 1


def test_query_count_does_not_grow_with_the_number_of_requests(
    tokyo, osaka, mc_tokyo, staff_tokyo, staff_osaka, django_assert_max_num_queries
):
    osaka.email = ""
    osaka.save()
    alts = [make_alt(branch=branch, mc=mc_tokyo) for branch in (tokyo, osaka) for _ in range(3)]
    # Assignees are checked against their branch: some have left it (deactivated), whose requests go to the branch.
    former = make_staff(role="SCHEDULER", branch=tokyo, email="former.tokyo@example.com")
    for i in range(60):
        alt = alts[i % len(alts)]
        in_tokyo = alt.alt_profile.branch == tokyo
        _overdue(
            alt,
            assignee=(staff_tokyo if i % 3 == 0 else former if i % 3 == 1 else None) if in_tokyo else None,
            category=Category.WELLBEING if i % 5 == 0 else Category.OTHER,
        )
    former.is_active = False
    former.save()
    with django_assert_max_num_queries(8):
        assert support_requests_flag_overdue() == 60
    assert Notification.objects.filter(kind="support.overdue").count() >= 60


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_message_per_request(postgres, tokyo, staff_tokyo, grm):
    alt = make_alt(branch=tokyo, email="alt.many@example.com")
    for _ in range(30):
        _overdue(alt, assignee=staff_tokyo)
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            support_requests_flag_overdue()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.filter(kind="support.overdue").count() == 30
    assert SupportRequest.objects.filter(overdue_flagged_for__isnull=True).count() == 0


def test_branch_without_address_or_scheduler_tells_its_mcs(
    alt_tokyo, mc_tokyo, trainer_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.alt_profile.branch.email = ""
    alt_tokyo.alt_profile.branch.save()
    _overdue(alt_tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        flag_overdue_requests()
    assert [m.to for m in mailoutbox] == [["mc.tokyo@example.com"]]


def test_the_sweep_tells_the_same_people_as_a_single_notice(
    tokyo, osaka, alt_tokyo, alt_osaka, staff_tokyo, mc_tokyo, mc_osaka, trainer_osaka
):
    from contacts.models import User
    from support.selectors import branch_people_for_notices
    from support.services._common import staff_recipients

    osaka.email = ""
    osaka.save()
    no_mc = make_alt(branch=tokyo, email="alt.nomc@example.com")
    requests = [
        _overdue(alt_tokyo, assignee=staff_tokyo),
        _overdue(alt_tokyo),  # the branch address
        _overdue(alt_osaka),  # no address: the schedulers, or the MCs
        _overdue(alt_tokyo, category=Category.WELLBEING),  # the ALT's MC
        _overdue(no_mc, category=Category.WELLBEING),  # no MC: who may read it
        _overdue(alt_osaka, category=Category.WELLBEING, assignee=mc_osaka),
    ]
    expected = {}
    for support_request in requests:
        fresh = SupportRequest.objects.get(pk=support_request.pk)
        one_by_one = staff_recipients(fresh, prefer_assignee=True)
        preloaded = staff_recipients(
            fresh, prefer_assignee=True, people=branch_people_for_notices(branch_ids={tokyo.pk, osaka.pk})
        )
        assert one_by_one == preloaded
        assert one_by_one, support_request
        expected[support_request.pk] = sorted(
            t["recipient"].email if t["recipient"] else t["to_email"] for t in one_by_one
        )
    support_requests_flag_overdue()
    told = {}
    for notification in Notification.objects.filter(kind="support.overdue"):
        pk = int(notification.key.split(":")[1])
        told.setdefault(pk, []).append(notification.to_email)
    assert {pk: sorted(emails) for pk, emails in told.items()} == expected
    assert expected[requests[4].pk] == sorted(
        User.objects.filter(staff_roles__branch=tokyo, staff_roles__role="MC").values_list("email", flat=True)
    )
