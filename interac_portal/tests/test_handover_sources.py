"""What training and support add to the handover from GRM to the MC, wired here above both apps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Notification
from interac_portal import handover as sources
from onboarding.models import Handover, Stage
from onboarding.selectors import handover_sections
from onboarding.services import placement_move
from testing.onboarding import PlacementFactory
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession


@pytest.fixture
def flagship(sesps):
    start = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    return TrainingSessionFactory(
        kind=TrainingSession.Kind.INITIAL_ORIENTATION, branch=None, trainer=sesps, title="Flagship, April", start=start
    )


def test_the_orientation_section_lists_each_alts_registrations(alt_tokyo, alt_osaka, flagship):
    RegistrationFactory(session=flagship, alt=alt_tokyo, status=Registration.Status.WAITLISTED, waitlist_position=1)
    found = sources.orientation_sections(alt_ids=[alt_tokyo.pk, alt_osaka.pk])
    (tokyo_section,) = found[alt_tokyo.pk]
    assert tokyo_section.title == "Orientation registration"
    (line,) = tokyo_section.lines
    assert line.startswith("Flagship, April · ") and line.endswith("On the waiting list")
    assert found[alt_osaka.pk][0].lines == ("Not registered for an initial orientation session yet.",)


def test_the_open_questions_come_from_supports_selector(alt_tokyo, alt_osaka):
    question = SupportRequestFactory(alt=alt_tokyo, subject="Certificate of eligibility")

    def stand_in(*, alt_ids):
        assert alt_ids == [alt_tokyo.pk, alt_osaka.pk]
        return {alt_tokyo.pk: [question]}

    found = sources.open_questions_with_grm(alt_ids=[alt_tokyo.pk, alt_osaka.pk], selector=stand_in)
    assert found[alt_tokyo.pk][0].title == "Open questions with GRM"
    assert found[alt_tokyo.pk][0].lines == (f"{question.reference} · Certificate of eligibility · New",)
    assert found[alt_osaka.pk][0].lines == ("None",)


def test_without_supports_selector_there_is_no_such_section(alt_tokyo, monkeypatch):
    monkeypatch.setattr(sources, "_support_selector", lambda: None)
    assert sources.open_questions_with_grm(alt_ids=[alt_tokyo.pk]) == {}


def test_the_handover_email_carries_the_orientation_registration(applicant, grm, tokyo, mc_tokyo, flagship):
    RegistrationFactory(session=flagship, alt=applicant)
    placement = PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=grm, branch=tokyo)
    body = Notification.objects.get(kind="onboarding.handover").body
    assert "Orientation registration" in body and "- Flagship, April · " in body
    titles = [section.title for section in handover_sections(handover=Handover.objects.get())]
    assert titles.index("Orientation track") < titles.index("Orientation registration")
    assert titles[-1] == "Notes from recruiting (staff only)"
