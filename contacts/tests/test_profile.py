"""/contacts/profile/: the ALT keeps the prefecture they live in and their phone up to date; staff in the admin."""

from django.urls import reverse

from contacts.models import AltProfile, User

URL = reverse("contacts:profile")


def _form(client) -> dict:
    form = client.get(URL).context["form"]
    return {name: form[name].value() or "" for name in form.fields}


def test_the_alt_sets_the_prefecture_they_live_in_and_their_phone(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    page = client.get(URL).content.decode()
    assert "Prefecture where you live" in page and "Okinawa" in page and "Hokkaido" in page
    response = client.post(URL, {**_form(client), "prefecture": "11", "phone": "080-1234-5678"})
    assert response.status_code == 302 and response["Location"] == reverse("contacts:support_team")
    assert AltProfile.objects.get(user=alt_tokyo).prefecture == "11"
    assert User.objects.get(pk=alt_tokyo.pk).phone == "080-1234-5678"
    page = client.get(reverse("contacts:support_team")).content.decode()
    assert "You live in Saitama." in page and f'href="{URL}"' in page


def test_the_prefecture_is_named_in_japanese_for_a_japanese_reader(client_for, alt_tokyo):
    AltProfile.objects.filter(user=alt_tokyo).update(prefecture="47")
    User.objects.filter(pk=alt_tokyo.pk).update(preferred_language="ja")
    page = client_for(User.objects.get(pk=alt_tokyo.pk)).get(reverse("contacts:support_team")).content.decode()
    assert "沖縄県" in page


def test_bad_input_is_told_on_the_form_and_nothing_is_saved(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    response = client.post(URL, {**_form(client), "prefecture": "48", "phone": "call me maybe"})
    assert response.status_code == 422
    form = response.context["form"]
    assert "prefecture" in form.errors and "phone" in form.errors
    assert AltProfile.objects.get(user=alt_tokyo).prefecture == ""


def test_a_change_made_by_staff_meanwhile_is_not_overwritten(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    loaded = _form(client)
    AltProfile.objects.filter(user=alt_tokyo).update(prefecture="13")  # the MC, in the admin
    response = client.post(URL, {**loaded, "prefecture": "14", "phone": "080-0000-0000"})
    assert response.status_code == 409
    assert "changed your prefecture while you were editing" in response.content.decode()
    assert AltProfile.objects.get(user=alt_tokyo).prefecture == "13"
    assert User.objects.get(pk=alt_tokyo.pk).phone == ""
    # The form now carries what is saved: sending it again applies the ALT's choice.
    again = response.context["form"].data
    assert client.post(URL, again).status_code == 302
    assert AltProfile.objects.get(user=alt_tokyo).prefecture == "14"


def test_staff_and_other_people_have_no_profile_page(client_for, staff_tokyo, outsider, client):
    assert client_for(staff_tokyo).get(URL).status_code == 404
    assert client_for(outsider).get(URL).status_code == 404
    assert client.get(URL).status_code == 302


def test_branch_staff_change_the_prefecture_in_the_admin_and_nothing_else(client_for, mc_tokyo, alt_tokyo, osaka):
    profile = AltProfile.objects.get(user=alt_tokyo)
    url = reverse("admin:contacts_altprofile_change", args=[profile.pk])
    client = client_for(mc_tokyo)
    page = client.get(url).content.decode()
    assert 'name="prefecture"' in page and 'name="branch"' not in page and 'name="arrival_date"' not in page
    response = client.post(url, {"prefecture": "12", "branch": osaka.pk, "_save": "Save"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.prefecture == "12" and profile.branch == alt_tokyo.alt_profile.branch
