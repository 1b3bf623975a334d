"""Which sessions apply to which ALT: the two database queries and the registration service agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import AltProfile
from testing.contacts import make_alt
from testing.training import TrainingSessionFactory
from training import services
from training.models import TrainingSession
from training.selectors import profiles_for_session_q, sessions_for_profile_q


@pytest.fixture
def cast(tokyo, osaka):
    today = timezone.localdate()
    return {
        "tokyo.arrived": make_alt(branch=tokyo, arrival_date=today - timedelta(days=30)),
        "tokyo.arriving": make_alt(branch=tokyo, arrival_date=today + timedelta(days=12)),
        "tokyo.no_date": make_alt(branch=tokyo, arrival_date=None),
        "osaka.arrived": make_alt(branch=osaka, arrival_date=today - timedelta(days=30)),
        "applicant": make_alt(branch=None, arrival_date=today + timedelta(days=12)),
    }


@pytest.fixture
def sessions(tokyo):
    today = timezone.localdate()
    in_a_week = timezone.now() + timedelta(days=7)
    return {
        "tokyo.week": TrainingSessionFactory(branch=tokyo, start=in_a_week),
        "tokyo.month": TrainingSessionFactory(branch=tokyo, start=in_a_week + timedelta(days=30)),
        "national.window": TrainingSessionFactory(
            branch=None,
            kind="INITIAL_ORIENTATION",
            start=in_a_week + timedelta(days=7),
            arrival_from=today + timedelta(days=10),
            arrival_until=today + timedelta(days=14),
        ),
        "national.open": TrainingSessionFactory(branch=None, kind="INITIAL_ORIENTATION", start=in_a_week),
    }


EXPECTED = {
    "tokyo.arrived": {"tokyo.week", "tokyo.month", "national.open"},
    "tokyo.arriving": {"tokyo.month", "national.window"},
    "tokyo.no_date": {"tokyo.week", "tokyo.month", "national.open"},
    "osaka.arrived": {"national.open"},
    "applicant": set(),
}


def _registers(profile, session) -> bool:
    try:
        services.registration_create(profile=profile, session_id=session.pk)
    except services.TrainingError:
        return False
    return True


def test_both_queries_and_the_registration_service_agree(cast, sessions):
    names = {s.pk: name for name, s in sessions.items()}
    for who, user in cast.items():
        profile = AltProfile.objects.get(user=user)
        by_query = {
            names[pk]
            for pk in TrainingSession.objects.filter(sessions_for_profile_q(profile)).values_list("pk", flat=True)
        }
        by_session = {
            name
            for name, s in sessions.items()
            if AltProfile.objects.filter(profiles_for_session_q(s), user=user).exists()
        }
        by_service = {name for name, s in sessions.items() if _registers(profile, s)}
        assert by_query == by_session == by_service == EXPECTED[who], who
