"""The branch-scoping mixin, shown on the contacts admins (AltProfile, User)."""

import pytest
from django.urls import reverse

from contacts.models import AltProfile


def _profile(user):
    return AltProfile.objects.get(user=user)


def test_branch_staff_list_only_their_branch(client_for, staff_tokyo, alt_tokyo, alt_osaka):
    page = client_for(staff_tokyo).get(reverse("admin:contacts_altprofile_changelist")).content.decode()
    assert "alt.tokyo@example.com" in page or str(alt_tokyo) in page
    assert str(alt_osaka) not in page


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_other_branch_row_answers_404(client_for, staff_tokyo, alt_osaka, view):
    url = reverse(f"admin:contacts_altprofile_{view}", args=[_profile(alt_osaka).pk])
    assert client_for(staff_tokyo).get(url).status_code == 404


def test_own_branch_row_opens(client_for, staff_tokyo, alt_tokyo):
    url = reverse("admin:contacts_altprofile_change", args=[_profile(alt_tokyo).pk])
    assert client_for(staff_tokyo).get(url).status_code == 200


def test_autocomplete_does_not_offer_other_branch_people(client_for, staff_tokyo, mc_tokyo, alt_tokyo, alt_osaka):
    response = client_for(staff_tokyo).get(
        reverse("admin:autocomplete"),
        {"term": "", "app_label": "contacts", "model_name": "altprofile", "field_name": "managing_consultant"},
    )
    assert response.status_code == 200
    offered = {int(r["id"]) for r in response.json()["results"]}
    assert mc_tokyo.pk in offered  # the list is not simply empty
    osaka_people = {alt_osaka.pk, alt_osaka.alt_profile.managing_consultant_id}
    assert not offered & osaka_people


def test_national_roles_see_every_branch(client_for, grm, alt_tokyo, alt_osaka):
    page = client_for(grm).get(reverse("admin:contacts_altprofile_changelist")).content.decode()
    assert str(alt_tokyo) in page and str(alt_osaka) in page


def test_staff_without_a_role_cannot_enter(client_for, db):
    from testing.contacts import UserFactory

    loner = UserFactory(email="loner@example.com", is_staff=True)
    assert client_for(loner).get(reverse("admin:index")).status_code in (302, 404)
    assert client_for(loner).get(reverse("admin:contacts_altprofile_changelist")).status_code in (302, 404)


def test_alt_asking_for_the_admin_gets_404(client_for, alt_tokyo):
    response = client_for(alt_tokyo).get(reverse("admin:index"), follow=True)
    assert response.status_code == 404


def test_admin_login_goes_through_the_portal_login(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_the_permission_cannot_tell_a_row_exists(client_for, trainer_tokyo, staff_tokyo):
    # Trainers may not view staff roles: an existing row and a missing id answer alike.
    existing = staff_tokyo.staff_roles.get().pk
    client = client_for(trainer_tokyo)
    assert client.get(reverse("admin:contacts_staffrole_change", args=[existing])).status_code == 404
    assert client.get(reverse("admin:contacts_staffrole_change", args=[999999])).status_code == 404
    assert client.get(reverse("admin:contacts_staffrole_history", args=[existing])).status_code == 404
