"""An ALT profile belongs to an ALT's account only: never to staff or a superuser, whom it would show
to a branch as one of its ALTs."""

import json

import pytest
from django.urls import reverse

from contacts.models import AltProfile
from testing.contacts import UserFactory


@pytest.fixture
def plain_account(db):
    return UserFactory(email="new.person@example.com")


@pytest.mark.parametrize("target", ["superuser", "staff_tokyo", "sesps"])
def test_grm_cannot_attach_an_alt_profile_to_staff_or_a_superuser(request, client_for, grm, tokyo, target):
    account = request.getfixturevalue(target)
    response = client_for(grm).post(reverse("admin:contacts_altprofile_add"), {"user": account.pk, "branch": tokyo.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AltProfile.objects.filter(user=account).exists()


def test_grm_attaches_an_alt_profile_to_a_plain_account(client_for, grm, tokyo, plain_account):
    response = client_for(grm).post(
        reverse("admin:contacts_altprofile_add"), {"user": plain_account.pk, "branch": tokyo.pk}
    )
    assert response.status_code == 302
    assert AltProfile.objects.get(user=plain_account).branch == tokyo


def test_the_account_search_for_a_profile_offers_no_staff(client_for, grm, superuser, staff_tokyo, plain_account):
    response = client_for(grm).get(
        reverse("admin:autocomplete"),
        {"app_label": "contacts", "model_name": "altprofile", "field_name": "user", "term": "example.com"},
    )
    found = {int(result["id"]) for result in json.loads(response.content)["results"]}
    assert plain_account.pk in found
    assert not found & {superuser.pk, staff_tokyo.pk}


def test_a_profile_posted_on_a_staff_accounts_page_is_not_added(client_for, superuser, staff_tokyo, tokyo):
    from testing.forms import change_form_data

    url = reverse("admin:contacts_user_change", args=[staff_tokyo.pk])
    client = client_for(superuser)
    data = change_form_data(client, url, "user_form")
    data.update({"alt_profile-TOTAL_FORMS": "1", "alt_profile-0-branch": tokyo.pk, "alt_profile-0-country": "Peru"})
    for empty_multiple_choice in ("groups", "user_permissions"):
        data.pop(empty_multiple_choice)
    assert client.post(url, data).status_code == 302
    assert not AltProfile.objects.filter(user=staff_tokyo).exists()
