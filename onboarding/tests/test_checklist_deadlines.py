"""Arrival checklist deadlines: each step due some days after arrival, past-due steps on the ALT's
dashboard and on the MC's list, and a reminder to the ALT 3 days before."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Notification
from onboarding.checklist import STEPS, STEPS_BY_KIND
from onboarding.models import ChecklistItem, Stage
from onboarding.selectors import checklist_items_past_due_for_mc
from onboarding.services import checklist_create_for_alt, placement_move, placement_update
from onboarding.tasks import send_checklist_reminders
from testing.contacts import make_alt
from testing.onboarding import PlacementFactory

JAPAN = ZoneInfo("Asia/Tokyo")
ARRIVAL = date(2026, 6, 1)
ADMIN_LIST = reverse("admin:onboarding_checklistitem_changelist")


def at(day: str, hour: int = 9):
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=JAPAN)


def arrive(alt, branch, *, on=ARRIVAL):
    placement = PlacementFactory(alt=alt, stage=Stage.ARRIVED, branch=branch, arrival_date=on)
    checklist_create_for_alt(alt_id=alt.pk)
    return placement


def due(alt, kind):
    return ChecklistItem.objects.get(alt=alt, kind=kind).due_on


def test_every_kind_of_step_is_described_once():
    assert sorted(STEPS_BY_KIND) == sorted(ChecklistItem.Kind.values)
    assert len(STEPS) == len(ChecklistItem.Kind.values)


def test_arriving_opens_every_step_with_its_due_date(alt_tokyo, tokyo, grm):
    placement = PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo, arrival_date=ARRIVAL)
    placement_move(placement=placement, to_stage=Stage.ARRIVED, by=grm)
    assert due(alt_tokyo, "CITY_HALL") == date(2026, 6, 15)  # within 14 days of moving in
    assert due(alt_tokyo, "HEALTH_INSURANCE") == due(alt_tokyo, "PENSION") == date(2026, 6, 15)  # the same visit
    assert due(alt_tokyo, "MEET_MC") == date(2026, 6, 8)
    assert due(alt_tokyo, "MY_NUMBER") == date(2026, 7, 31)
    assert ChecklistItem.objects.filter(alt=alt_tokyo, due_on__isnull=True).count() == 0


def test_a_corrected_arrival_date_moves_the_open_steps_only(alt_tokyo, tokyo, grm):
    placement = arrive(alt_tokyo, tokyo)
    ChecklistItem.objects.filter(alt=alt_tokyo, kind="MEET_MC").update(done_at=timezone.now())
    placement_update(placement=placement, by=grm, arrival_date=date(2026, 6, 5))
    assert due(alt_tokyo, "CITY_HALL") == date(2026, 6, 19)
    assert due(alt_tokyo, "MEET_MC") == date(2026, 6, 8)  # done: left as it was


def test_the_dashboard_card_lists_the_steps_past_due(client_for, alt_tokyo, tokyo, time_machine):
    arrive(alt_tokyo, tokyo)
    ChecklistItem.objects.filter(alt=alt_tokyo, kind="MEET_MC").update(done_at=timezone.now())
    time_machine.move_to(at("2026-06-16"), tick=False)
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    past_due = page.split('data-testid="checklist-past-due"')[1].split("</div>")[0]
    assert "Register your address at city hall (due Mon 15 Jun 2026)" in past_due
    assert "Join the national pension" in past_due
    assert "Meet your Managing Consultant" not in past_due  # done
    assert "Open a bank account" not in past_due  # due 29 June


def test_no_past_due_box_when_all_is_on_time(client_for, alt_tokyo, tokyo, time_machine):
    arrive(alt_tokyo, tokyo)
    time_machine.move_to(at("2026-06-03"), tick=False)
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert 'data-testid="checklist-past-due"' not in page


def test_the_alt_is_reminded_3_days_before_once_per_step(
    alt_tokyo, tokyo, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    arrive(alt_tokyo, tokyo)
    time_machine.move_to(at("2026-06-04"), tick=False)  # MEET_MC is due on 8 June: 4 days away
    with django_capture_on_commit_callbacks(execute=True):
        assert send_checklist_reminders() == 0
    time_machine.move_to(at("2026-06-05"), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_checklist_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_checklist_reminders() == 0
    (email,) = mailoutbox
    assert email.to == ["alt.tokyo@example.com"]
    assert email.subject == "Due on Mon 8 Jun 2026: Meet your Managing Consultant"
    assert "/onboarding/#checklist" in email.body
    # City hall, health insurance and pension are due together on 15 June: three reminders on the 12th.
    time_machine.move_to(at("2026-06-12"), tick=False)
    assert send_checklist_reminders() == 3


def test_a_step_done_or_an_alt_who_left_is_not_reminded(alt_tokyo, alt_osaka, tokyo, osaka, time_machine):
    arrive(alt_tokyo, tokyo)
    arrive(alt_osaka, osaka)
    ChecklistItem.objects.filter(alt=alt_tokyo, kind="MEET_MC").update(done_at=timezone.now())
    alt_osaka.is_active = False
    alt_osaka.save()
    time_machine.move_to(at("2026-06-05"), tick=False)
    assert send_checklist_reminders() == 0
    assert not Notification.objects.filter(kind="onboarding.checklist_due").exists()


@pytest.mark.parametrize("alts", [1, 10])
def test_the_reminder_run_is_a_fixed_number_of_queries(tokyo, alts, time_machine, django_assert_max_num_queries):
    for n in range(alts):
        arrive(make_alt(email=f"a{n}@example.com", branch=tokyo), tokyo)
    time_machine.move_to(at("2026-06-12"), tick=False)
    with django_assert_max_num_queries(5):
        assert send_checklist_reminders() == 3 * alts


def test_the_mc_list_has_their_alts_steps_past_due(alt_tokyo, alt_osaka, tokyo, osaka, mc_tokyo, time_machine):
    other = make_alt(branch=tokyo, email="alt2.tokyo@example.com")  # Tokyo, but not this MC's
    for alt, branch in ((alt_tokyo, tokyo), (alt_osaka, osaka), (other, tokyo)):
        arrive(alt, branch)
    ChecklistItem.objects.filter(alt=alt_tokyo, kind="PENSION").update(done_at=timezone.now())
    time_machine.move_to(at("2026-06-16"), tick=False)
    items = list(checklist_items_past_due_for_mc(user=mc_tokyo))
    assert {item.alt for item in items} == {alt_tokyo}
    assert [item.kind for item in items] == ["MEET_MC", "CITY_HALL", "HEALTH_INSURANCE"]


def test_the_mc_filters_the_admin_list_to_their_alts_steps_past_due(
    client_for, alt_tokyo, tokyo, mc_tokyo, time_machine
):
    other = make_alt(branch=tokyo, email="alt2.tokyo@example.com")
    arrive(alt_tokyo, tokyo)
    arrive(other, tokyo, on=date(2026, 6, 10))
    time_machine.move_to(at("2026-06-16"), tick=False)
    page = client_for(mc_tokyo).get(ADMIN_LIST, {"past_due": "yes", "mine": "yes"}).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "alt.tokyo@example.com" in rows and "alt2.tokyo@example.com" not in rows
    assert "Register your address at city hall" in rows and "Past due" in rows
    assert "Open a bank account" not in rows


@pytest.mark.parametrize("alts", [1, 20])
def test_the_admin_list_costs_the_same_queries_for_1_or_20_alts(
    client_for, tokyo, mc_tokyo, alts, time_machine, django_assert_max_num_queries
):
    for n in range(alts):
        arrive(make_alt(email=f"a{n}@example.com", branch=tokyo, mc=mc_tokyo), tokyo)
    time_machine.move_to(at("2026-06-16"), tick=False)
    client = client_for(mc_tokyo)
    client.get(ADMIN_LIST)
    with django_assert_max_num_queries(9):
        assert client.get(ADMIN_LIST, {"past_due": "yes", "mine": "yes"}).status_code == 200
