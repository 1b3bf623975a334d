"""The onboarding counts of the staff worklist, and the admin lists they link to: placements stuck in one
of GRM's stages, placements by stage, handovers to acknowledge, checklist steps past due."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.models import Placement, Stage
from onboarding.selectors import (
    checklist_items_past_due_count_for_mc,
    handovers_to_acknowledge_count,
    placement_pipeline_for_user,
)
from onboarding.services import checklist_create_for_alt, placement_move
from testing.contacts import make_alt
from testing.onboarding import PlacementFactory


def placed(stage, *, days_in_stage, branch=None, email=None):
    placement = PlacementFactory(alt=make_alt(email=email), stage=stage, branch=branch)
    Placement.objects.filter(pk=placement.pk).update(stage_changed_at=timezone.now() - days_in_stage)
    return placement


def listed(client, url, **params) -> list[str]:
    page = client.get(url, params).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0] if 'id="result_list"' in page else ""
    return re.findall(r"<tr", rows)[1:]


def test_stuck_means_more_than_14_days_in_one_of_grms_stages(client_for, grm, tokyo):
    stuck = [placed(stage, days_in_stage=timedelta(days=14, minutes=1)) for stage in ("APPLIED", "PLACEMENT")]
    placed("OFFERED", days_in_stage=timedelta(days=14, minutes=-1))
    for stage in ("CONFIRMED", "PRE_DEPARTURE", "ARRIVED"):  # the branch's stages take as long as they take
        placed(stage, days_in_stage=timedelta(days=60), branch=tokyo)
    placed("WITHDRAWN", days_in_stage=timedelta(days=60))
    pipeline = placement_pipeline_for_user(user=grm)
    assert pipeline.stuck == 2 == len(stuck)
    assert [s.count for s in pipeline.stages] == [1, 0, 1, 1, 1, 1, 1, 1] and pipeline.total == 7
    page = client_for(grm).get(reverse("admin:onboarding_placement_changelist"), {"stuck": "yes"}).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert {str(p) for p in stuck} == set(re.findall(r"P-\d{6}", rows))


def test_branch_staff_count_only_their_branchs_placements(mc_tokyo, tokyo, osaka):
    placed("CONFIRMED", days_in_stage=timedelta(days=1), branch=tokyo)
    placed("CONFIRMED", days_in_stage=timedelta(days=1), branch=osaka)
    placed("APPLIED", days_in_stage=timedelta(days=30))  # no branch yet: GRM's
    pipeline = placement_pipeline_for_user(user=mc_tokyo)
    assert pipeline.total == 1 and pipeline.stuck == 0


def _confirm(alt, *, branch, mc, grm):
    placement = PlacementFactory(alt=alt, stage=Stage.PLACEMENT, owner=grm)
    placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=grm, branch=branch, managing_consultant=mc)


def test_handovers_to_acknowledge_are_those_handed_to_me_and_waiting(client_for, grm, tokyo, osaka, mc_tokyo, mc_osaka):
    _confirm(make_alt(email="a@example.com"), branch=tokyo, mc=mc_tokyo, grm=grm)
    _confirm(make_alt(email="b@example.com"), branch=osaka, mc=mc_osaka, grm=grm)
    assert handovers_to_acknowledge_count(user=mc_tokyo) == 1
    url = reverse("admin:onboarding_handover_changelist")
    assert len(listed(client_for(mc_tokyo), url, state="waiting", mine="received")) == 1
    from onboarding.models import Handover

    Handover.objects.filter(mc=mc_tokyo).update(acknowledged_at=timezone.now(), acknowledged_by=mc_tokyo)
    assert handovers_to_acknowledge_count(user=mc_tokyo) == 0


@pytest.mark.parametrize("active", [True, False])
def test_steps_past_due_count_active_alts_in_the_list_too(client_for, tokyo, mc_tokyo, active):
    alt = make_alt(branch=tokyo, mc=mc_tokyo, email="late@example.com")
    PlacementFactory(alt=alt, stage=Stage.ARRIVED, branch=tokyo, arrival_date=timezone.localdate() - timedelta(days=40))
    checklist_create_for_alt(alt_id=alt.pk)
    alt.is_active = active
    alt.save()
    count = checklist_items_past_due_count_for_mc(user=mc_tokyo)
    url = reverse("admin:onboarding_checklistitem_changelist")
    assert len(listed(client_for(mc_tokyo), url, past_due="yes", mine="yes")) == count
    assert (count > 0) is active
