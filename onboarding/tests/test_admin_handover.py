"""The handover in the admin: the MC reads and acknowledges it (one click, twice is harmless);
GRM sees which wait; other branches see nothing of it."""

import pytest
from django.urls import reverse

from onboarding.models import Handover, HousingStatus, Stage
from onboarding.services import placement_move
from testing.contacts import make_alt
from testing.onboarding import PlacementFactory

CHANGELIST = reverse("admin:onboarding_handover_changelist")


def change_url(handover):
    return reverse("admin:onboarding_handover_change", args=[handover.pk])


def acknowledge_url(handover):
    return reverse("admin:onboarding_handover_acknowledge", args=[handover.pk])


def handed_over(alt, *, grm, branch, **placement_fields) -> Handover:
    placement = PlacementFactory(alt=alt, stage=Stage.PLACEMENT, owner=grm, **placement_fields)
    placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=grm, branch=branch)
    return Handover.objects.get(placement=placement)


@pytest.fixture
def tokyo_handover(applicant, grm, tokyo, mc_tokyo):
    return handed_over(
        applicant,
        grm=grm,
        branch=tokyo,
        arrival_flight="NH 10 <b>Narita</b>",
        housing_status=HousingStatus.ARRANGED,
        notes_for_mc="<script>alert(1)</script> Loves hiking",
    )


@pytest.fixture
def osaka_handover(grm, osaka, mc_osaka):
    return handed_over(make_alt(email="new.osaka@example.com"), grm=grm, branch=osaka)


def test_the_mc_reads_the_handover_and_acknowledges_it_with_one_click(client_for, mc_tokyo, tokyo_handover):
    client = client_for(mc_tokyo)
    page = client.get(change_url(tokyo_handover)).content.decode()
    assert "Acknowledge the handover" in page
    assert "NH 10 &lt;b&gt;Narita&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Loves hiking" in page and "<script>alert(1)" not in page
    assert "Arranged" in page and "Pre-departure course" in page
    response = client.post(acknowledge_url(tokyo_handover), follow=True)
    assert response.status_code == 200
    assert "Handover acknowledged" in response.content.decode()
    assert "Acknowledge the handover" not in response.content.decode()
    handover = Handover.objects.get(pk=tokyo_handover.pk)
    assert handover.acknowledged_by == mc_tokyo


def test_a_second_acknowledgement_is_no_error_and_changes_nothing(client_for, mc_tokyo, tokyo_handover):
    client = client_for(mc_tokyo)
    client.post(acknowledge_url(tokyo_handover))
    first = Handover.objects.values_list("acknowledged_at", "acknowledged_by").get()
    response = client.post(acknowledge_url(tokyo_handover), follow=True)
    assert response.status_code == 200
    assert "Already acknowledged by" in response.content.decode()
    assert Handover.objects.values_list("acknowledged_at", "acknowledged_by").get() == first


def test_acknowledging_needs_a_post(client_for, mc_tokyo, tokyo_handover):
    assert client_for(mc_tokyo).get(acknowledge_url(tokyo_handover)).status_code == 405
    assert Handover.objects.get().acknowledged_at is None


def test_grm_sees_what_waits_but_only_the_mc_acknowledges(client_for, grm, tokyo_handover, osaka_handover):
    client = client_for(grm)
    page = client.get(CHANGELIST, {"state": "waiting"}).content.decode()
    assert "alt.applicant@example.com" in page and "new.osaka@example.com" in page
    assert "Acknowledge the handover" not in client.get(change_url(tokyo_handover)).content.decode()
    response = client.post(acknowledge_url(tokyo_handover), follow=True)
    assert "Only the ALT&#x27;s Managing Consultant" in response.content.decode()
    assert Handover.objects.get(pk=tokyo_handover.pk).acknowledged_at is None


def test_the_waiting_filter_leaves_out_acknowledged_ones(client_for, grm, mc_osaka, tokyo_handover, osaka_handover):
    client_for(mc_osaka).post(acknowledge_url(osaka_handover))
    client = client_for(grm)
    waiting = client.get(CHANGELIST, {"state": "waiting"}).content.decode()
    assert "alt.applicant@example.com" in waiting and "new.osaka@example.com" not in waiting
    done = client.get(CHANGELIST, {"state": "acknowledged"}).content.decode()
    assert "new.osaka@example.com" in done and "alt.applicant@example.com" not in done


def test_another_branch_sees_nothing_of_it(client_for, mc_osaka, staff_osaka, tokyo_handover, osaka_handover):
    for person in (mc_osaka, staff_osaka):
        client = client_for(person)
        page = client.get(CHANGELIST).content.decode()
        assert "new.osaka@example.com" in page and "alt.applicant@example.com" not in page
        assert client.get(change_url(tokyo_handover)).status_code == 404
        assert client.post(acknowledge_url(tokyo_handover)).status_code == 404
    assert Handover.objects.get(pk=tokyo_handover.pk).acknowledged_at is None


def test_the_mc_filters_their_own(client_for, mc_tokyo, tokyo_handover):
    page = client_for(mc_tokyo).get(CHANGELIST, {"mine": "received", "state": "waiting"}).content.decode()
    assert "alt.applicant@example.com" in page


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_costs_the_same_queries_for_1_or_20_handovers(
    client_for, grm, tokyo, mc_tokyo, rows, django_assert_max_num_queries
):
    for n in range(rows):
        handed_over(make_alt(email=f"a{n}@example.com"), grm=grm, branch=tokyo)
    client = client_for(grm)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(8):
        assert client.get(CHANGELIST, {"state": "waiting"}).status_code == 200
