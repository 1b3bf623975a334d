"""The placement changelist and change form for GRM and branch staff."""

from datetime import date

import pytest
from django.urls import reverse

from contacts.models import AltProfile, Notification
from onboarding.models import Placement, PlacementEvent, Stage
from testing.contacts import make_alt
from testing.forms import posted_version
from testing.onboarding import EnrolmentFactory, PlacementFactory, make_course

CHANGELIST = reverse("admin:onboarding_placement_changelist")


def change_url(placement):
    return reverse("admin:onboarding_placement_change", args=[placement.pk])


def form_data(placement, **changes):
    profile = AltProfile.objects.get(user_id=placement.alt_id)  # the travel dates are the profile's
    data = {
        "stage": placement.stage,
        "owner": placement.owner_id or "",
        "branch": placement.branch_id or "",
        "departure_date": profile.departure_date.isoformat() if profile.departure_date else "",
        "arrival_date": profile.arrival_date.isoformat() if profile.arrival_date else "",
        "arrival_flight": placement.arrival_flight,
        "housing_status": placement.housing_status,
        "notes_for_mc": placement.notes_for_mc,
        "orientation_track": "",
        "note": "",
        "managing_consultant": "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
        **posted_version(placement),
    }
    data.update({k: (v.pk if hasattr(v, "pk") else v) for k, v in changes.items()})
    return data


@pytest.fixture
def placements(alt_tokyo, alt_osaka, applicant, tokyo, osaka, grm):
    return {
        "tokyo": PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo, owner=grm),
        "osaka": PlacementFactory(alt=alt_osaka, stage=Stage.ARRIVED, branch=osaka, owner=grm),
        "applicant": PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm),
    }


def test_grm_sees_every_placement_with_stage_counts(client_for, grm, placements):
    response = client_for(grm).get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    for email in ["alt.tokyo@example.com", "alt.osaka@example.com", "alt.applicant@example.com"]:
        assert email in page
    assert "Placements by stage (3 in this list)" in page
    assert 'data-stage="ARRIVED">2<' in page
    assert 'data-stage="PLACEMENT">1<' in page
    assert "stage-chart-bar pct-100" in page
    assert "stage-chart-bar pct-50" in page
    assert 'style="' not in page.split('id="stage-chart-title"')[1].split("</section>")[0]


def test_branch_staff_see_only_their_branch(client_for, staff_tokyo, placements):
    page = client_for(staff_tokyo).get(CHANGELIST).content.decode()
    assert "alt.tokyo@example.com" in page
    assert "alt.osaka@example.com" not in page
    assert "alt.applicant@example.com" not in page
    assert client_for(staff_tokyo).get(change_url(placements["osaka"])).status_code == 404
    assert client_for(staff_tokyo).get(change_url(placements["tokyo"])).status_code == 200


def test_alts_do_not_reach_the_admin(client_for, alt_tokyo, placements):
    assert client_for(alt_tokyo).get(CHANGELIST, follow=True).status_code == 404


def test_filters_by_stage_owner_branch_and_departure_month(client_for, grm, placements, tokyo):
    from contacts.models import StaffRole
    from testing.contacts import make_staff

    other_grm = make_staff(role=StaffRole.Role.GRM, email="grm2@example.com")
    Placement.objects.filter(pk=placements["osaka"].pk).update(owner=other_grm)
    client = client_for(grm)
    AltProfile.objects.filter(user=placements["applicant"].alt).update(departure_date=date(2031, 4, 2))
    by_stage = client.get(CHANGELIST, {"stage__exact": "PLACEMENT"}).content.decode()
    assert "alt.applicant@example.com" in by_stage and "alt.tokyo@example.com" not in by_stage
    by_branch = client.get(CHANGELIST, {"branch__id__exact": tokyo.pk}).content.decode()
    assert "alt.tokyo@example.com" in by_branch and "alt.osaka@example.com" not in by_branch
    by_month = client.get(CHANGELIST, {"departure_month": "2031-04"}).content.decode()
    assert "alt.applicant@example.com" in by_month and "alt.tokyo@example.com" not in by_month
    by_owner = client.get(CHANGELIST, {"owner": grm.pk}).content.decode()
    assert "alt.applicant@example.com" in by_owner and "alt.tokyo@example.com" in by_owner
    assert "alt.osaka@example.com" not in by_owner
    by_other_owner = client.get(CHANGELIST, {"owner": other_grm.pk}).content.decode()
    assert "alt.osaka@example.com" in by_other_owner
    assert "alt.applicant@example.com" not in by_other_owner and "alt.tokyo@example.com" not in by_other_owner


def test_grm_confirms_with_a_branch_in_the_change_form(
    client_for, grm, placements, tokyo, mc_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    applicant = placements["applicant"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(grm).post(
            change_url(applicant), form_data(applicant, stage="CONFIRMED", branch=tokyo, note="Great fit")
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = AltProfile.objects.get(user=applicant.alt)
    assert (profile.branch, profile.managing_consultant) == (tokyo, mc_tokyo)
    event = PlacementEvent.objects.get(placement=applicant, to_stage="CONFIRMED")
    assert (event.by, event.note) == (grm, "Great fit")
    assert sorted(m.to[0] for m in mailoutbox) == ["alt.applicant@example.com", "mc.tokyo@example.com"]


def test_change_form_refuses_confirming_without_branch(client_for, grm, placements):
    applicant = placements["applicant"]
    response = client_for(grm).post(change_url(applicant), form_data(applicant, stage="CONFIRMED"))
    assert response.status_code == 200
    assert "Choose the target branch before confirming the placement." in response.content.decode()
    assert Placement.objects.get(pk=applicant.pk).stage == Stage.PLACEMENT


def test_change_form_refuses_an_mc_of_another_branch(client_for, grm, placements, tokyo, mc_tokyo, mc_osaka):
    applicant = placements["applicant"]
    response = client_for(grm).post(
        change_url(applicant), form_data(applicant, stage="CONFIRMED", branch=tokyo, managing_consultant=mc_osaka)
    )
    assert response.status_code == 200
    assert "is not a Managing Consultant of Tokyo" in response.content.decode()
    assert Placement.objects.get(pk=applicant.pk).stage == Stage.PLACEMENT


def test_change_form_refuses_an_illegal_jump(client_for, grm, placements):
    applicant = placements["applicant"]
    response = client_for(grm).post(change_url(applicant), form_data(applicant, stage="ARRIVED"))
    assert response.status_code == 200
    assert Placement.objects.get(pk=applicant.pk).stage == Stage.PLACEMENT
    assert not PlacementEvent.objects.filter(placement=applicant).exists()


def test_changing_the_owner_changes_the_grm_contact(client_for, grm, placements):
    from contacts.models import StaffRole
    from testing.contacts import make_staff

    other = make_staff(role=StaffRole.Role.GRM, email="grm2@example.com")
    applicant = placements["applicant"]
    response = client_for(grm).post(change_url(applicant), form_data(applicant, owner=other))
    assert response.status_code == 302
    assert AltProfile.objects.get(user=applicant.alt).grm_contact == other


def test_bulk_next_stage_moves_what_it_may_and_reports_the_rest(client_for, grm, placements, grm_owned_applied):
    response = client_for(grm).post(
        CHANGELIST,
        {
            "action": "move_to_next_stage",
            "_selected_action": [placements["applicant"].pk, grm_owned_applied.pk, placements["tokyo"].pk],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "1 placement moved to its next stage." in page
    assert "2 placements were not moved" in page
    assert "Choose the target branch before confirming the placement." in page
    assert Placement.objects.get(pk=grm_owned_applied.pk).stage == Stage.INTERVIEWED
    assert Placement.objects.get(pk=placements["applicant"].pk).stage == Stage.PLACEMENT
    assert PlacementEvent.objects.filter(placement=grm_owned_applied, by=grm).count() == 1


@pytest.fixture
def grm_owned_applied(grm):
    return PlacementFactory(alt=make_alt(email="new.applicant@example.com", branch=None), owner=grm)


def test_branch_staff_cannot_move_placements(client_for, staff_tokyo, tokyo, grm):
    # A confirmed placement has a legal next stage: only the permission stands in the way.
    confirmed = PlacementFactory(
        alt=make_alt(email="confirmed@example.com", branch=tokyo), stage=Stage.CONFIRMED, branch=tokyo, owner=grm
    )
    client_for(staff_tokyo).post(CHANGELIST, {"action": "move_to_next_stage", "_selected_action": [confirmed.pk]})
    assert Placement.objects.get(pk=confirmed.pk).stage == Stage.CONFIRMED
    assert not PlacementEvent.objects.exists()


def test_grm_moves_a_confirmed_alt_back_to_placement_with_another_branch(client_for, grm, tokyo, osaka, mc_tokyo):
    confirmed = PlacementFactory(
        alt=make_alt(email="confirmed@example.com", branch=tokyo, mc=mc_tokyo),
        stage=Stage.CONFIRMED,
        branch=tokyo,
        owner=grm,
    )
    response = client_for(grm).post(
        change_url(confirmed), form_data(confirmed, stage="PLACEMENT", branch=osaka, note="School fell through")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    placement = Placement.objects.get(pk=confirmed.pk)
    assert (placement.stage, placement.branch) == (Stage.PLACEMENT, osaka)
    assert AltProfile.objects.get(user=confirmed.alt).branch is None


def test_grm_adds_a_placement_for_an_alt(client_for, grm, applicant):
    response = client_for(grm).post(
        reverse("admin:onboarding_placement_add"),
        {
            "alt": applicant.pk,
            "stage": "APPLIED",
            "owner": grm.pk,
            "branch": "",
            "departure_date": "2031-04-01",
            "arrival_date": "",
            "note": "",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    placement = Placement.objects.get(alt=applicant)
    assert placement.events.count() == 1
    assert AltProfile.objects.get(user=applicant).departure_date == date(2031, 4, 1)
    assert not Notification.objects.filter(kind="onboarding.placement_confirmed").exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_changelist_query_count_does_not_grow(client_for, grm, tokyo, django_assert_max_num_queries, rows):
    for n in range(rows):
        PlacementFactory(alt=make_alt(email=f"alt{n}@example.com", branch=tokyo), branch=tokyo, owner=grm)
    client = client_for(grm)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == rows


# --- travel dates: the profile's, changed on the placement page ---------------------------------


def test_travel_dates_of_an_alt_with_a_placement_are_changed_on_the_placement_only(client_for, grm, applicant):
    PlacementFactory(alt=applicant, owner=grm, departure_date=date(2027, 3, 20), arrival_date=date(2027, 3, 21))
    profile = AltProfile.objects.get(user=applicant)
    client = client_for(grm)
    profile_page = client.get(reverse("admin:contacts_altprofile_change", args=[profile.pk])).content.decode()
    user_page = client.get(reverse("admin:contacts_user_change", args=[applicant.pk])).content.decode()
    assert 'name="departure_date"' not in profile_page and "2027" in profile_page  # shown, not editable
    assert 'name="alt_profile-0-departure_date"' not in user_page
    response = client.post(
        reverse("admin:contacts_altprofile_change", args=[profile.pk]),
        {
            "user": applicant.pk,
            "grm_contact": grm.pk,
            "country": profile.country,
            "departure_date": "2030-01-01",
            **posted_version(profile),
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.departure_date == date(2027, 3, 20)


def test_travel_dates_without_a_placement_stay_editable_on_the_profile(client_for, grm, applicant):
    profile = AltProfile.objects.get(user=applicant)
    page = client_for(grm).get(reverse("admin:contacts_altprofile_change", args=[profile.pk])).content.decode()
    assert 'name="departure_date"' in page


def test_grm_records_what_the_mc_is_handed_and_the_orientation_track(client_for, grm, placements):
    applicant = placements["applicant"]
    response = client_for(grm).post(
        change_url(applicant),
        form_data(
            applicant,
            arrival_flight="NH 10, Narita, 15:20",
            housing_status="ARRANGED",
            notes_for_mc="Vegetarian.",
            orientation_track="ALTERNATE",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    placement = Placement.objects.get(pk=applicant.pk)
    assert (placement.arrival_flight, placement.housing_status, placement.notes_for_mc) == (
        "NH 10, Narita, 15:20",
        "ARRANGED",
        "Vegetarian.",
    )
    # The track is the ALT's (training reads it from their profile).
    assert AltProfile.objects.get(user=applicant.alt).orientation_track == "ALTERNATE"
    page = client_for(grm).get(change_url(applicant)).content.decode()
    assert '<option value="ALTERNATE" selected>' in page


def test_an_unknown_orientation_track_is_a_form_error(client_for, grm, placements):
    applicant = placements["applicant"]
    response = client_for(grm).post(change_url(applicant), form_data(applicant, orientation_track="EXPRESS"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert AltProfile.objects.get(user=applicant.alt).orientation_track == ""


def test_dates_set_on_the_placement_page_are_what_the_alt_sees(client_for, grm, alt_tokyo, tokyo):
    placement = PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo, owner=grm)
    EnrolmentFactory(alt=alt_tokyo, course=make_course(tasks_per_module=(2,), with_quiz=False))
    response = client_for(grm).post(
        change_url(placement), form_data(placement, departure_date="2031-04-10", arrival_date="2031-04-11")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    profile = AltProfile.objects.get(user=alt_tokyo)
    assert (profile.departure_date, profile.arrival_date) == (date(2031, 4, 10), date(2031, 4, 11))
    alt = client_for(alt_tokyo)
    assert "Wed 9 Apr 2031" in alt.get(reverse("onboarding:index")).content.decode()  # due the day before departure
    assert "due Wed 9 Apr 2031" in alt.get(reverse("dashboard")).content.decode()
    page = client_for(grm).get(change_url(placement)).content.decode()
    assert 'name="departure_date" value="2031-04-10"' in page


def test_the_list_is_sorted_by_the_profiles_departure_dates(client_for, grm, tokyo):
    for email, day in [("late@example.com", date(2031, 6, 1)), ("early@example.com", date(2031, 4, 1))]:
        PlacementFactory(alt=make_alt(email=email, branch=tokyo), branch=tokyo, owner=grm, departure_date=day)
    page = client_for(grm).get(CHANGELIST).content.decode()
    assert page.index("early@example.com") < page.index("late@example.com")
    descending = client_for(grm).get(CHANGELIST, {"o": "-7"}).content.decode()  # the departure column
    assert descending.index("late@example.com") < descending.index("early@example.com")


def test_the_kept_list_keeps_its_stage_chart_and_shows_a_move(settings, client_for, grm, placements):
    """The list's content, stage chart included, is kept (core.admin.KeptChangelistMixin) until a write."""
    from onboarding.services import placement_move
    from testing.kept import kept_parts_on, page_and_queries

    kept_parts_on(settings)
    client = client_for(grm)
    client.get(CHANGELIST)
    client.get(CHANGELIST)
    queries, page = page_and_queries(client, CHANGELIST)
    assert queries <= 1 and "Placements by stage (3 in this list)" in page
    assert "onboarding/admin.css" in page  # the list's own styles (its template, under import-export's)
    assert 'data-stage="PLACEMENT">1<' in page
    placement_move(placement=placements["applicant"], to_stage=Stage.WITHDRAWN, by=grm, note="Changed plans")
    page = client.get(CHANGELIST).content.decode()
    assert 'data-stage="PLACEMENT">0<' in page and 'data-stage="WITHDRAWN">1<' in page
