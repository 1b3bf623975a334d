"""The arrival checklist (ticking steps off) and the dashboard card."""

import pytest
from django.urls import reverse

from onboarding.models import ChecklistItem, Stage
from testing.onboarding import EnrolmentFactory, PlacementFactory, complete, make_course


def tick_url(kind):
    return reverse("onboarding:checklist_tick", args=[kind])


@pytest.fixture
def arrived(alt_tokyo, tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    return alt_tokyo


def test_alt_ticks_a_step_off_and_back_on(client_for, arrived):
    client = client_for(arrived)
    response = client.post(tick_url("CITY_HALL"), {"done": "on"})
    assert response.status_code == 302
    assert ChecklistItem.objects.get(alt=arrived, kind="CITY_HALL").done_at is not None
    page = client.get(reverse("onboarding:index")).content.decode()
    assert "Mark as not done" in page
    client.post(tick_url("CITY_HALL"), {})
    assert ChecklistItem.objects.get(alt=arrived, kind="CITY_HALL").done_at is None


def test_ticking_needs_post(client_for, arrived):
    assert client_for(arrived).get(tick_url("CITY_HALL")).status_code == 405


def test_unknown_step_or_not_arrived_is_404(client_for, arrived, applicant, staff_tokyo):
    assert client_for(arrived).post(tick_url("SKYDIVING"), {"done": "on"}).status_code == 404
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT)
    assert client_for(applicant).post(tick_url("CITY_HALL"), {"done": "on"}).status_code == 404
    assert client_for(staff_tokyo).post(tick_url("CITY_HALL"), {"done": "on"}).status_code == 404
    assert not ChecklistItem.objects.exists()


def test_an_alt_ticks_only_their_own_list(client_for, arrived, alt_osaka, osaka):
    PlacementFactory(alt=alt_osaka, stage=Stage.ARRIVED, branch=osaka)
    client_for(arrived).post(tick_url("BANK_ACCOUNT"), {"done": "on"})
    assert not ChecklistItem.objects.filter(alt=alt_osaka, done_at__isnull=False).exists()


def test_dashboard_card_shows_timeline_and_checklist_progress_after_arrival(client_for, arrived):
    client_for(arrived).post(tick_url("CITY_HALL"), {"done": "on"})
    page = client_for(arrived).get(reverse("dashboard")).content.decode()
    assert 'id="onboarding-card-title"' in page
    assert 'class="timeline' in page
    assert "Arrival checklist: 1 of 8 (12%)" in page


def test_dashboard_card_shows_course_progress_before_departure(client_for, alt_tokyo, tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(4,), with_quiz=False)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    complete(enrolment, course.modules.get().tasks.order_by("order").first())
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert "Pre-departure course: 1 of 4 (25%)" in page
    assert "progress-bar pct-25" in page


def test_no_card_without_a_placement(client_for, alt_tokyo):
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert 'id="onboarding-card-title"' not in page


def test_card_costs_at_most_two_queries(alt_tokyo, tokyo, django_assert_max_num_queries):
    from contacts.models import AltProfile
    from onboarding.selectors import onboarding_dashboard_card

    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    EnrolmentFactory(alt=alt_tokyo, course=make_course())
    profile = AltProfile.objects.get(user=alt_tokyo)
    with django_assert_max_num_queries(2):
        card = onboarding_dashboard_card(profile=profile)
    assert card.kind == "course"
