"""The training card on the ALT dashboard: the next session, and required ones not yet answered."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.selectors import training_dashboard_card


def test_the_card_shows_the_next_session_and_the_unanswered_required_one(client_for, alt_tokyo, tokyo):
    soon = TrainingSessionFactory(branch=tokyo, title="Soonest", start=timezone.now() + timedelta(days=2))
    later = TrainingSessionFactory(branch=tokyo, title="Later", start=timezone.now() + timedelta(days=9))
    required = TrainingSessionFactory(
        branch=tokyo, title="Must go", required=True, start=timezone.now() + timedelta(days=5)
    )
    RegistrationFactory(session=soon, alt=alt_tokyo)
    RegistrationFactory(session=later, alt=alt_tokyo)
    RegistrationFactory(session=required, alt=alt_tokyo, invited=True)
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    card = page.split('id="training-card-title"', 1)[1].split("</section>", 1)[0]
    assert "Your next session" in card and "Soonest" in card
    assert "Required: please answer" in card and "Must go" in card
    assert "Later" not in card


def test_an_answered_invitation_is_not_asked_again(client_for, alt_tokyo, tokyo):
    required = TrainingSessionFactory(branch=tokyo, title="Must go", required=True)
    RegistrationFactory(session=required, alt=alt_tokyo, invited=True, answered_at=timezone.now())
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert "Required: please answer" not in page
    assert "Must go" in page


def test_a_cancelled_session_is_not_next(client_for, alt_tokyo, tokyo):
    RegistrationFactory(session=TrainingSessionFactory(branch=tokyo, title="Off", status="CANCELLED"), alt=alt_tokyo)
    page = client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
    assert "You have no upcoming session." in page


def test_an_applicant_without_sessions_gets_no_card(client_for, applicant):
    assert 'id="training-card-title"' not in client_for(applicant).get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_the_card_takes_one_query(alt_tokyo, tokyo, n, django_assert_num_queries):
    for i in range(n):
        # From two days ahead: the factory's deadline (a day before the start) is still to come.
        session = TrainingSessionFactory(branch=tokyo, start=timezone.now() + timedelta(days=i + 2), required=True)
        RegistrationFactory(session=session, alt=alt_tokyo, invited=True)
    profile = AltProfile.objects.select_related("branch").get(user=alt_tokyo)
    with django_assert_num_queries(1):
        card = training_dashboard_card(profile=profile)
    assert card["next"] is not None
    assert len(card["awaiting_answer"]) == min(n, 20)
