"""The handover from GRM to the MC: opened on confirmation, acknowledged once, reminded after 2 working days."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from contacts.models import AltProfile, Notification, OrientationTrack, StaffRole
from onboarding.handover import HandoverSection
from onboarding.models import Handover, HousingStatus, Stage
from onboarding.services import (
    HandoverRefused,
    handover_acknowledge,
    handover_reminders_send,
    placement_move,
)
from onboarding.tasks import send_handover_reminders
from testing.contacts import make_alt, make_staff
from testing.onboarding import PlacementFactory

JAPAN = ZoneInfo("Asia/Tokyo")
# A Friday; Monday 20 July 2026 is Marine Day, a public holiday.
FRIDAY = datetime(2026, 7, 17, 15, 0, tzinfo=JAPAN)


@pytest.fixture
def placement(applicant, grm):
    return PlacementFactory(
        alt=applicant,
        stage=Stage.PLACEMENT,
        owner=grm,
        arrival_flight="NH 10, Narita, 15:20",
        housing_status=HousingStatus.ARRANGING,
        notes_for_mc="Vegetarian.\nWould like a school near a station.",
    )


@pytest.fixture
def stand_in_sources(monkeypatch):
    """What training and support add is wired from above (interac_portal): stand-ins here."""

    def orientation(*, alt_ids):
        return {alt_id: [HandoverSection("Orientation registration", ("Flagship, 6 April",))] for alt_id in alt_ids}

    def questions(*, alt_ids):
        return {alt_id: [HandoverSection("Open questions with GRM", ("SR-2026-000007 · Visa",))] for alt_id in alt_ids}

    monkeypatch.setattr("onboarding.handover._sources", [orientation, questions])


def confirm(placement, grm, tokyo):
    return placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)


def test_confirming_hands_the_alt_to_the_mc_with_what_they_need(
    placement, grm, tokyo, mc_tokyo, stand_in_sources, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(FRIDAY, tick=False)
    AltProfile.objects.filter(user=placement.alt).update(orientation_track=OrientationTrack.FLAGSHIP)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(placement, grm, tokyo)
    handover = Handover.objects.get()
    assert (handover.mc, handover.grm_owner, handover.branch) == (mc_tokyo, grm, tokyo)
    assert handover.is_waiting
    # Two working days: Monday is Marine Day, so Tuesday and Wednesday.
    assert handover.due_at == datetime(2026, 7, 22, 15, 0, tzinfo=JAPAN)
    (email,) = [m for m in mailoutbox if m.to == ["mc.tokyo@example.com"]]
    assert "Handover" in email.subject and placement.alt.display_name in email.subject
    for expected in [
        "NH 10, Narita, 15:20",
        "Being arranged",
        "Pre-departure course",
        "Not enrolled yet",
        "Orientation track",
        "Flagship",
        "Orientation registration",
        "Flagship, 6 April",
        "Open questions with GRM",
        "SR-2026-000007 · Visa",
        "- Vegetarian.",
        "- Would like a school near a station.",
        "Wed 22 Jul 2026, 15:00",
        f"/admin/onboarding/handover/{handover.pk}/change/",
        "grm@example.com",
    ]:
        assert expected in email.body, expected


def test_the_handover_is_written_in_the_mcs_language(placement, grm, tokyo, mc_tokyo, mailoutbox):
    mc_tokyo.preferred_language = "ja"
    mc_tokyo.save()
    confirm(placement, grm, tokyo)
    notification = Notification.objects.get(kind="onboarding.handover")
    assert notification.language == "ja"
    assert "引き継ぎ" in notification.subject
    assert "住居" in notification.body and "手配中" in notification.body


def test_a_branch_without_an_mc_still_gets_a_handover_that_waits(placement, grm, tokyo):
    confirm(placement, grm, tokyo)
    handover = Handover.objects.get()
    assert handover.mc is None and handover.is_waiting
    assert not Notification.objects.filter(kind="onboarding.handover").exists()


def test_the_mc_acknowledges_once_and_a_second_click_changes_nothing(placement, grm, tokyo, mc_tokyo, time_machine):
    time_machine.move_to(FRIDAY, tick=False)
    confirm(placement, grm, tokyo)
    handover = Handover.objects.get()
    time_machine.move_to(datetime(2026, 7, 21, 10, 0, tzinfo=JAPAN), tick=False)
    assert handover_acknowledge(handover=handover, by=mc_tokyo) is True
    first = Handover.objects.values("acknowledged_at", "acknowledged_by").get()
    time_machine.move_to(datetime(2026, 7, 21, 11, 0, tzinfo=JAPAN), tick=False)
    assert handover_acknowledge(handover=handover, by=mc_tokyo) is False
    assert Handover.objects.values("acknowledged_at", "acknowledged_by").get() == first
    assert first["acknowledged_at"] == datetime(2026, 7, 21, 10, 0, tzinfo=JAPAN)


def test_another_mc_of_the_branch_may_acknowledge_but_nobody_else(
    placement, grm, tokyo, osaka, mc_tokyo, mc_osaka, staff_tokyo
):
    colleague = make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com")
    confirm(placement, grm, tokyo)
    handover = Handover.objects.get()
    for outsider in (mc_osaka, staff_tokyo, grm):
        with pytest.raises(HandoverRefused):
            handover_acknowledge(handover=handover, by=outsider)
    assert Handover.objects.get().acknowledged_at is None
    assert handover_acknowledge(handover=handover, by=colleague) is True
    assert Handover.objects.get().acknowledged_by == colleague


def test_going_back_to_placement_calls_the_handover_off(placement, grm, tokyo, mc_tokyo):
    confirm(placement, grm, tokyo)
    placement_move(placement=placement, to_stage=Stage.PLACEMENT, by=grm, note="School cancelled")
    handover = Handover.objects.get()
    assert handover.cancelled_at is not None and not handover.is_waiting
    with pytest.raises(HandoverRefused):
        handover_acknowledge(handover=handover, by=mc_tokyo)


def test_unacknowledged_after_two_working_days_the_mc_and_grm_are_reminded_once(
    placement, grm, tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(FRIDAY, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(placement, grm, tokyo)
    mailoutbox.clear()
    # Wednesday morning: Monday was a holiday, so only one working day and a half have gone by.
    time_machine.move_to(datetime(2026, 7, 22, 9, 15, tzinfo=JAPAN), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_handover_reminders() == 0
    assert mailoutbox == []
    # Thursday morning: past due.
    time_machine.move_to(datetime(2026, 7, 23, 9, 15, tzinfo=JAPAN), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_handover_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_handover_reminders() == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["grm@example.com", "mc.tokyo@example.com"]
    to_grm = next(m for m in mailoutbox if m.to == ["grm@example.com"])
    assert "has not acknowledged" in to_grm.body and mc_tokyo.display_name in to_grm.body
    to_mc = next(m for m in mailoutbox if m.to == ["mc.tokyo@example.com"])
    assert "acknowledge it in the admin" in to_mc.body
    assert Handover.objects.get().reminded_at is not None


def test_an_acknowledged_or_called_off_handover_is_not_reminded(placement, grm, tokyo, mc_tokyo, time_machine):
    time_machine.move_to(FRIDAY, tick=False)
    other = PlacementFactory(alt=make_alt(email="other@example.com"), stage=Stage.PLACEMENT, owner=grm)
    confirm(placement, grm, tokyo)
    confirm(other, grm, tokyo)
    handover_acknowledge(handover=Handover.objects.get(placement=placement), by=mc_tokyo)
    placement_move(placement=other, to_stage=Stage.WITHDRAWN, by=grm)
    time_machine.move_to(datetime(2026, 7, 30, 9, 15, tzinfo=JAPAN), tick=False)
    assert handover_reminders_send() == 0
    assert not Notification.objects.filter(kind="onboarding.handover_reminder").exists()


@pytest.mark.parametrize("handovers", [1, 10])
def test_the_reminder_run_is_a_fixed_number_of_queries(
    grm, tokyo, mc_tokyo, handovers, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(FRIDAY, tick=False)
    for n in range(handovers):
        placement = PlacementFactory(alt=make_alt(email=f"a{n}@example.com"), stage=Stage.PLACEMENT, owner=grm)
        confirm(placement, grm, tokyo)
    time_machine.move_to(datetime(2026, 7, 24, 9, 15, tzinfo=JAPAN), tick=False)
    with django_assert_max_num_queries(5):
        assert handover_reminders_send() == handovers
    assert Notification.objects.filter(kind="onboarding.handover_reminder").count() == 2 * handovers
