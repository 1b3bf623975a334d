"""Two people edit the same row in the admin: the second save is refused with a message, what they typed
stays in the form, and the first person's change is kept. For every model with a version field."""

import pytest
from django.apps import apps
from django.urls import reverse

from contacts.models import AltProfile
from core.adminsite import version_field_name
from onboarding.models import Stage
from testing.forms import change_form_data
from testing.onboarding import PlacementFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration

STALE = "Someone else saved this"


def _rows(tokyo, alt_tokyo, applicant, grm, trainer_tokyo):
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    session = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Phonics")
    # (row, field the first person changes, the second person's value of another field)
    return {
        "contacts.Branch": (tokyo, ("phone", "03-1111-1111"), ("emergency_phone", "090-2222-2222")),
        "contacts.AltProfile": (alt_tokyo.alt_profile, ("country", "Ireland"), ("country", "Canada")),
        "onboarding.Placement": (
            applicant.placement,
            ("departure_date", "2031-04-01"),
            ("arrival_date", "2031-04-03"),
        ),
        "training.TrainingSession": (session, ("place", "Room 1"), ("title", "Phonics II")),
    }


def _saved(row, field: str) -> str:
    if field in ("departure_date", "arrival_date"):  # edited on the placement page, the ALT's profile's
        return str(getattr(AltProfile.objects.get(user_id=row.alt_id), field))
    row.refresh_from_db()
    return str(getattr(row, field))


VERSIONED = sorted(m._meta.label for m in apps.get_models() if version_field_name(m) and not m._meta.proxy)


def test_the_edited_models_are_versioned():
    assert VERSIONED == ["contacts.AltProfile", "contacts.Branch", "onboarding.Placement", "training.TrainingSession"]


@pytest.mark.parametrize("label", VERSIONED)
def test_the_second_of_two_editors_is_told_and_keeps_their_input(
    label, client_for, superuser, grm, tokyo, alt_tokyo, applicant, trainer_tokyo
):
    row, (first_field, first_value), (second_field, second_value) = _rows(
        tokyo, alt_tokyo, applicant, grm, trainer_tokyo
    )[label]
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    form_id = f"{row._meta.model_name}_form"
    # GRM changes profiles and placements; the superuser anything.
    first, second = (
        client_for(superuser),
        client_for(grm if label in ("contacts.AltProfile", "onboarding.Placement") else superuser),
    )
    first_data, second_data = change_form_data(first, url, form_id), change_form_data(second, url, form_id)

    assert first.post(url, {**first_data, first_field: first_value}).status_code == 302
    response = second.post(url, {**second_data, second_field: second_value})

    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page
    assert second_value in page  # what they typed is still in the form
    assert _saved(row, first_field) == first_value
    if second_field != first_field:
        assert _saved(row, second_field) != second_value
    # Loaded again, their change goes through.
    fresh = change_form_data(second, url, form_id)
    assert second.post(url, {**fresh, second_field: second_value}).status_code == 302


def test_a_placement_moved_meanwhile_makes_the_profile_form_stale(
    client_for, superuser, grm, applicant, tokyo, mc_tokyo
):
    from onboarding.services import placement_move

    placement = PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm, branch=tokyo)
    profile = applicant.alt_profile
    url = reverse("admin:contacts_altprofile_change", args=[profile.pk])
    client = client_for(superuser)
    data = change_form_data(client, url, "altprofile_form")
    placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=grm)  # sets the profile's branch and MC
    response = client.post(url, {**data, "country": "Ireland"})
    assert response.status_code == 200 and STALE in response.content.decode()
    profile.refresh_from_db()
    assert (profile.branch, profile.managing_consultant) == (tokyo, mc_tokyo)


def test_the_profile_on_the_users_page_is_checked_too(client_for, superuser, alt_tokyo):
    url = reverse("admin:contacts_user_change", args=[alt_tokyo.pk])
    client = client_for(superuser)
    data = change_form_data(client, url, "user_form")
    profile = alt_tokyo.alt_profile
    profile.country = "Ireland"
    profile.save()
    response = client.post(url, {**data, "alt_profile-0-country": "Canada"})
    assert response.status_code == 200 and STALE in response.content.decode()
    profile.refresh_from_db()
    assert profile.country == "Ireland"


def test_a_form_without_its_version_is_not_saved(client_for, superuser, tokyo):
    url = reverse("admin:contacts_branch_change", args=[tokyo.pk])
    client = client_for(superuser)
    data = change_form_data(client, url, "branch_form")
    data.pop("version")
    response = client.post(url, {**data, "phone": "03-9999-9999"})
    assert response.status_code == 200
    tokyo.refresh_from_db()
    assert tokyo.phone != "03-9999-9999"


def test_capacity_below_the_alts_holding_a_place_is_refused(client_for, sesps, tokyo, trainer_tokyo):
    from testing.contacts import make_alt

    session = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, capacity=5)
    for n in range(4):
        RegistrationFactory(session=session, alt=make_alt(branch=tokyo, email=f"a{n}@example.com"))
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    client = client_for(sesps)
    data = change_form_data(client, url, "trainingsession_form")
    response = client.post(url, {**data, "capacity": "1"})
    assert response.status_code == 200
    assert "4 ALTs hold a place at this session" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 5
    assert client.post(url, {**data, "capacity": "4"}).status_code == 302
    assert Registration.objects.filter(session=session, status="REGISTERED").count() == 4


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_five_saves_of_one_version_at_the_same_moment_apply_one(postgres, superuser, tokyo, trainer_tokyo):
    from django.test import Client

    from testing.concurrency import run_together

    session = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Phonics")
    url = reverse("admin:training_trainingsession_change", args=[session.pk])
    clients = []
    for _ in range(5):
        client = Client()
        client.force_login(superuser)
        clients.append(client)
    data = change_form_data(clients[0], url, "trainingsession_form")
    answers = []
    jobs = [
        lambda c=client, n=n: answers.append((n, c.post(url, {**data, "title": f"Title {n}"})))
        for n, client in enumerate(clients)
    ]
    assert run_together(jobs) == []
    saved = [n for n, response in answers if response.status_code == 302]
    refused = [response for _n, response in answers if response.status_code == 200]
    assert len(saved) == 1 and len(refused) == 4
    assert all(STALE in response.content.decode() for response in refused)
    session.refresh_from_db()
    assert session.title == f"Title {saved[0]}"
