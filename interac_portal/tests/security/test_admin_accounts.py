"""National staff who may change users (GRM) manage ALT accounts, never a colleague's or a superuser's.

Before the fix a GRM could set the superuser's password from the admin and log in as them.
"""

import pytest
from django.urls import reverse

from contacts.models import User

from .conftest import client_as

NEW_PASSWORD = "Takeover-2026-attempt"


def _password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def _change_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "phone": user.phone,
        "is_active": "on",
        "alt_profile-TOTAL_FORMS": "0",
        "alt_profile-INITIAL_FORMS": "0",
        "alt_profile-MIN_NUM_FORMS": "0",
        "alt_profile-MAX_NUM_FORMS": "1",
        "staff_roles-TOTAL_FORMS": "0",
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("target", ["superuser", "staff_tokyo", "sesps"])
def test_grm_cannot_take_over_a_superuser_or_a_colleague(request, grm, target):
    victim = request.getfixturevalue(target)
    client = client_as(grm)
    assert client.get(_password_url(victim)).status_code == 404
    response = client.post(_password_url(victim), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 404
    response = client.post(
        reverse("admin:contacts_user_change", args=[victim.pk]), _change_data(victim, email="grm.owns@example.com")
    )
    assert response.status_code == 403
    client.post(
        reverse("admin:contacts_user_changelist"),
        {"action": "deactivate", "_selected_action": [victim.pk], "index": 0},
    )
    victim = User.objects.get(pk=victim.pk)
    assert not victim.check_password(NEW_PASSWORD)
    assert victim.email != "grm.owns@example.com"
    assert victim.is_active


def test_grm_still_manages_alt_accounts(grm, alt_tokyo):
    client = client_as(grm)
    assert client.get(_password_url(alt_tokyo)).status_code == 404  # ALTs set their own, through a link
    response = client.post(
        reverse("admin:contacts_user_change", args=[alt_tokyo.pk]), _change_data(alt_tokyo, last_name="Corrected")
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert User.objects.get(pk=alt_tokyo.pk).last_name == "Corrected"


def test_a_superuser_still_sets_passwords(superuser, staff_tokyo):
    response = client_as(superuser).post(
        _password_url(staff_tokyo), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=staff_tokyo.pk).check_password(NEW_PASSWORD)
