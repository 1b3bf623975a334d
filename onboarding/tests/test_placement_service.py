"""placement_move and friends: the pipeline, its refusals and what a confirmation changes."""

from datetime import date

import pytest

from contacts.models import AltProfile, Notification, StaffRole
from onboarding.models import ChecklistItem, Placement, PlacementEvent, Stage
from onboarding.services import IllegalMove, next_stage, placement_create, placement_move, placement_update
from testing.contacts import make_alt, make_staff
from testing.onboarding import PlacementFactory


@pytest.fixture
def applicant_placement(applicant, grm):
    return PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)


def test_each_move_is_recorded_with_who_and_why(applicant, grm):
    placement = PlacementFactory(alt=applicant, owner=grm)
    placement_move(placement=placement, to_stage=Stage.INTERVIEWED, by=grm, note="Went well")
    event = PlacementEvent.objects.get(placement=placement)
    assert (event.from_stage, event.to_stage, event.by, event.note) == ("APPLIED", "INTERVIEWED", grm, "Went well")
    assert Placement.objects.get(pk=placement.pk).stage == Stage.INTERVIEWED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Stage.APPLIED, Stage.ARRIVED),
        (Stage.APPLIED, Stage.CONFIRMED),
        (Stage.OFFERED, Stage.PRE_DEPARTURE),
        (Stage.ARRIVED, Stage.APPLIED),
        (Stage.WITHDRAWN, Stage.CONFIRMED),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(applicant, grm, tokyo, start, target):
    placement = PlacementFactory(alt=applicant, stage=start, branch=tokyo if start == Stage.ARRIVED else None)
    with pytest.raises(IllegalMove) as refused:
        placement_move(placement=placement, to_stage=target, by=grm)
    assert "cannot move from" in refused.value.messages[0]
    assert Placement.objects.get(pk=placement.pk).stage == start
    assert not PlacementEvent.objects.filter(placement=placement).exists()


def test_the_refusal_names_where_the_placement_can_go(applicant, grm):
    placement = PlacementFactory(alt=applicant)
    with pytest.raises(IllegalMove) as refused:
        placement_move(placement=placement, to_stage=Stage.ARRIVED, by=grm)
    assert refused.value.messages == [
        "A placement cannot move from Applied to Arrived. From Applied it can move to: Interviewed, Withdrawn."
    ]


def test_confirming_without_a_branch_is_refused(applicant_placement, grm):
    with pytest.raises(IllegalMove) as refused:
        placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm)
    assert refused.value.messages == ["Choose the target branch before confirming the placement."]
    assert AltProfile.objects.get(user=applicant_placement.alt).branch is None


def test_confirming_hands_the_alt_to_the_branch_and_emails_alt_and_mc(
    applicant_placement, grm, tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    profile = AltProfile.objects.get(user=applicant_placement.alt)
    assert profile.branch == tokyo
    assert profile.managing_consultant == mc_tokyo
    assert profile.grm_contact == grm
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["alt.applicant@example.com", "mc.tokyo@example.com"]
    to_alt = next(m for m in mailoutbox if m.to == ["alt.applicant@example.com"])
    assert "Tokyo" in to_alt.subject
    assert "mc.tokyo@example.com" in to_alt.body
    assert "/contacts/" in to_alt.body


def test_the_mc_with_fewest_alts_is_chosen(applicant_placement, grm, tokyo, mc_tokyo):
    busy_mc = mc_tokyo
    quiet_mc = make_staff(role=StaffRole.Role.MC, branch=tokyo, email="mc2.tokyo@example.com")
    make_alt(branch=tokyo, mc=busy_mc, email="someone@example.com")
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    assert AltProfile.objects.get(user=applicant_placement.alt).managing_consultant == quiet_mc


def test_grm_may_choose_the_mc_but_only_one_of_the_branch(applicant_placement, grm, tokyo, mc_tokyo, mc_osaka):
    with pytest.raises(IllegalMove):
        placement_move(
            placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo, managing_consultant=mc_osaka
        )
    placement_move(
        placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo, managing_consultant=mc_tokyo
    )
    assert AltProfile.objects.get(user=applicant_placement.alt).managing_consultant == mc_tokyo


def test_going_back_to_placement_takes_the_branch_team_off(applicant_placement, grm, tokyo, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    placement_move(placement=applicant_placement, to_stage=Stage.PLACEMENT, by=grm, note="School cancelled")
    profile = AltProfile.objects.get(user=applicant_placement.alt)
    assert profile.branch is None and profile.managing_consultant is None


def test_withdrawing_after_confirmation_takes_the_branch_team_off(applicant_placement, grm, tokyo, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    placement_move(placement=applicant_placement, to_stage=Stage.WITHDRAWN, by=grm, note="Changed plans")
    profile = AltProfile.objects.get(user=applicant_placement.alt)
    assert profile.branch is None and profile.managing_consultant is None


def test_moving_back_to_placement_may_change_the_branch(applicant_placement, grm, tokyo, osaka, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    placement_move(placement=applicant_placement, to_stage=Stage.PLACEMENT, by=grm, branch=osaka)
    assert Placement.objects.get(pk=applicant_placement.pk).branch == osaka


def test_a_move_within_the_branch_stages_cannot_change_the_branch(applicant_placement, grm, tokyo, osaka, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    with pytest.raises(IllegalMove):
        placement_move(placement=applicant_placement, to_stage=Stage.PRE_DEPARTURE, by=grm, branch=osaka)


def test_branch_cannot_change_once_confirmed(applicant_placement, grm, tokyo, osaka, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    with pytest.raises(IllegalMove):
        placement_update(placement=applicant_placement, by=grm, branch=osaka)


def test_arrival_opens_the_checklist_and_sets_the_arrival_date(alt_tokyo, grm, tokyo):
    placement = PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo, arrival_date=None)
    placement_move(placement=placement, to_stage=Stage.ARRIVED, by=grm)
    assert ChecklistItem.objects.filter(alt=alt_tokyo).count() == 8
    assert AltProfile.objects.get(user=alt_tokyo).arrival_date is not None


def test_owner_and_dates_are_written_to_the_profile(applicant, grm):
    other_grm = make_staff(role=StaffRole.Role.GRM, email="grm2@example.com")
    placement = placement_create(
        alt=applicant, by=grm, owner=grm, departure_date=date(2031, 4, 1), arrival_date=date(2031, 4, 2)
    )
    profile = AltProfile.objects.get(user=applicant)
    assert (profile.grm_contact, profile.departure_date, profile.arrival_date) == (
        grm,
        date(2031, 4, 1),
        date(2031, 4, 2),
    )
    seen = Placement.objects.get(pk=placement.pk).version
    placement_update(placement=placement, by=grm, owner=other_grm, departure_date=date(2031, 5, 1))
    profile = AltProfile.objects.get(user=applicant)
    assert (profile.grm_contact, profile.departure_date, profile.arrival_date) == (
        other_grm,
        date(2031, 5, 1),
        date(2031, 4, 2),
    )
    placement_update(placement=placement, by=grm, arrival_date=date(2031, 5, 2))
    assert AltProfile.objects.get(user=applicant).arrival_date == date(2031, 5, 2)
    # A placement form opened before either change is refused (its version is older).
    assert Placement.objects.get(pk=placement.pk).version > seen + 1


def test_owner_must_be_grm(applicant, grm, staff_tokyo):
    placement = placement_create(alt=applicant, by=grm, owner=grm)
    with pytest.raises(IllegalMove):
        placement_update(placement=placement, by=grm, owner=staff_tokyo)


def test_one_placement_per_alt_and_only_for_alts(applicant, grm, staff_tokyo):
    placement_create(alt=applicant, by=grm)
    with pytest.raises(IllegalMove):
        placement_create(alt=applicant, by=grm)
    with pytest.raises(IllegalMove):
        placement_create(alt=staff_tokyo, by=grm)


def test_a_new_placement_cannot_start_confirmed(applicant, grm, tokyo):
    with pytest.raises(IllegalMove):
        placement_create(alt=applicant, by=grm, branch=tokyo, stage=Stage.CONFIRMED)


def test_next_stage_walks_the_pipeline():
    assert next_stage(Stage.APPLIED) == Stage.INTERVIEWED
    assert next_stage(Stage.PRE_DEPARTURE) == Stage.ARRIVED
    assert next_stage(Stage.ARRIVED) is None
    assert next_stage(Stage.WITHDRAWN) is None


def test_confirmation_email_is_written_once_per_move(applicant_placement, grm, tokyo, mc_tokyo):
    placement_move(placement=applicant_placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    assert Notification.objects.filter(kind="onboarding.placement_confirmed").count() == 1
    assert Notification.objects.filter(kind="onboarding.handover", recipient=mc_tokyo).count() == 1
