"""A required session's invitation on the ALT's side: confirm, or decline with a reason."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from testing.contacts import make_alt
from testing.training import TrainingSessionFactory
from training import services
from training.models import Registration
from training.tasks import invite_newly_eligible_alts

INDEX = reverse("training:index")


@pytest.fixture
def required_session(tokyo, alt_tokyo, django_capture_on_commit_callbacks):
    session = TrainingSessionFactory(branch=tokyo, required=True, title="Compulsory safety", capacity=1)
    services.training_session_save(session=session)
    return session


def test_an_invited_alt_is_asked_to_answer(client_for, alt_tokyo, required_session):
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    assert "Please answer:" in page
    assert "I will attend" in page and "I can't attend" in page


def test_confirming_answers_the_invitation(client_for, alt_tokyo, required_session):
    client = client_for(alt_tokyo)
    response = client.post(reverse("training:confirm", args=[required_session.pk]))
    assert response.status_code == 302
    registration = Registration.objects.get(alt=alt_tokyo)
    assert registration.answered_at is not None
    assert registration.status == "REGISTERED"
    assert "Please answer:" not in client.get(INDEX).content.decode()


def test_declining_a_required_session_needs_a_reason(client_for, alt_tokyo, required_session):
    response = client_for(alt_tokyo).post(reverse("training:withdraw", args=[required_session.pk]), {"reason": " "})
    assert response.status_code == 422
    assert "Please tell your trainer why you cannot attend" in response.content.decode()
    assert Registration.objects.get(alt=alt_tokyo).status == "REGISTERED"


def test_a_refused_reason_is_shown_again_under_its_own_session_only(client_for, tokyo, alt_tokyo, required_session):
    other = TrainingSessionFactory(branch=tokyo, required=True, title="Compulsory first aid")
    services.training_session_save(session=other)
    response = client_for(alt_tokyo).post(reverse("training:withdraw", args=[required_session.pk]), {"reason": " "})
    page = response.content.decode()
    refused = page.split(f'id="session-{required_session.pk}"', 1)[1].split("</article>", 1)[0]
    assert '<details class="flex-grow-1" open>' in refused
    assert f'id="id_reason_{required_session.pk}" rows="2" maxlength="500" class="form-control is-invalid"' in refused
    assert '<div class="invalid-feedback">Please tell your trainer why you cannot attend' in refused
    untouched = page.split(f'id="session-{other.pk}"', 1)[1].split("</article>", 1)[0]
    assert '<details class="flex-grow-1">' in untouched
    assert f'id="id_reason_{other.pk}" rows="2" maxlength="500" class="form-control"></textarea>' in untouched


def test_declining_with_a_reason_excuses_and_frees_the_place(
    client_for, tokyo, alt_tokyo, required_session, mailoutbox, django_capture_on_commit_callbacks
):
    waiting = make_alt(branch=tokyo, email="waiting@example.com")
    services.registration_create(profile=waiting.alt_profile, session_id=required_session.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alt_tokyo).post(
            reverse("training:withdraw", args=[required_session.pk]), {"reason": "School sports day"}
        )
    assert response.status_code == 302
    mine = Registration.objects.get(alt=alt_tokyo)
    assert (mine.status, mine.note) == ("EXCUSED", "School sports day")
    assert Registration.objects.get(alt=waiting).status == "REGISTERED"
    promoted = [m.to for m in mailoutbox if m.subject.startswith("A place is yours")]
    assert promoted == [["waiting@example.com"]]
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    assert "I can attend after all" in page


def test_an_excused_alt_can_change_their_mind_before_the_deadline(client_for, alt_tokyo, required_session):
    services.registration_withdraw(alt=alt_tokyo, session_id=required_session.pk, reason="Clash")
    client_for(alt_tokyo).post(reverse("training:register", args=[required_session.pk]))
    registration = Registration.objects.get(alt=alt_tokyo)
    assert registration.status == "REGISTERED"
    assert registration.invited and registration.answered_at is not None


def test_confirming_after_the_deadline_is_refused(client_for, alt_tokyo, required_session):
    required_session.registration_deadline = timezone.now() - timedelta(minutes=1)
    required_session.save()
    response = client_for(alt_tokyo).post(reverse("training:confirm", args=[required_session.pk]))
    assert response.status_code == 422
    assert "The deadline has passed: please contact your trainer." in response.content.decode()
    assert Registration.objects.get(alt=alt_tokyo).answered_at is None


def test_confirming_after_the_start_is_refused(alt_tokyo, required_session):
    required_session.registration_deadline = None
    required_session.save()
    with pytest.raises(services.TrainingError):
        services.registration_confirm(
            alt=alt_tokyo, session_id=required_session.pk, now=required_session.start + timedelta(minutes=5)
        )
    assert Registration.objects.get(alt=alt_tokyo).answered_at is None


def test_after_the_deadline_nobody_is_asked_to_answer(client_for, alt_tokyo, required_session):
    required_session.registration_deadline = timezone.now() - timedelta(minutes=1)
    required_session.save()
    client = client_for(alt_tokyo)
    page = client.get(INDEX).content.decode()
    assert "Registration has closed." in page
    assert "Please answer:" not in page and "I will attend" not in page
    card = client.get(reverse("dashboard")).content.decode().split('id="training-card-title"', 1)[1]
    card = card.split("</section>", 1)[0]
    assert "Required: please answer" not in card
    assert "Compulsory safety" in card  # still their next session


def test_an_alt_who_joins_the_branch_after_publication_is_invited_the_next_morning(
    tokyo, alt_tokyo, required_session, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = make_alt(branch=tokyo, email="newcomer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_newly_eligible_alts() == 1
    registration = Registration.objects.get(alt=newcomer, session=required_session)
    assert registration.invited and registration.status == "WAITLISTED"  # the one place went to alt_tokyo
    (invitation,) = [m for m in mailoutbox if m.to == ["newcomer@example.com"]]
    assert "Compulsory safety" in invitation.body
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_newly_eligible_alts() == 0  # the next morning: nobody new
    assert len(mailoutbox) == sent


def test_nobody_is_invited_to_a_session_whose_deadline_has_passed(tokyo, required_session, mailoutbox):
    required_session.registration_deadline = timezone.now() - timedelta(minutes=1)
    required_session.save()
    make_alt(branch=tokyo, email="late@example.com")
    assert invite_newly_eligible_alts() == 0
    assert not Registration.objects.filter(alt__email="late@example.com").exists()


def test_an_unanswered_invitation_shows_one_state_and_its_answer(client_for, alt_tokyo, required_session):
    """The card says "Please answer" with "I will attend" / "I can't attend", not "Registered" as well."""
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    card = re.search(rf'<article[^>]*id="session-{required_session.pk}".*?</article>', page, re.S).group(0)
    assert ">Please answer<" in card
    assert ">Registered<" not in card
    assert "I will attend" in card and "I can't attend" in card and ">Withdraw<" not in card

    client_for(alt_tokyo).post(reverse("training:confirm", args=[required_session.pk]))
    page = client_for(alt_tokyo).get(INDEX).content.decode()
    card = re.search(rf'<article[^>]*id="session-{required_session.pk}".*?</article>', page, re.S).group(0)
    assert ">Registered<" in card
    assert ">Please answer<" not in card and "I will attend" not in card
