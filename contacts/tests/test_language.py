from django.urls import reverse

from contacts.models import User

URL = reverse("contacts:set_language")


def test_switching_to_japanese_is_remembered_for_the_user(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    response = client.post(URL, {"language": "ja", "next": "/contacts/"})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    assert User.objects.get(pk=alt_tokyo.pk).preferred_language == "ja"
    # A new session (another browser) shows Japanese too.
    page = client_for(User.objects.get(pk=alt_tokyo.pk)).get("/").content.decode()
    assert 'lang="ja"' in page
    assert "ようこそ" in page


def test_anonymous_visitor_gets_the_cookie(client, db):
    response = client.post(URL, {"language": "ja", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="ja"' in page


def test_unknown_language_is_a_bad_request(client_for, alt_tokyo):
    assert client_for(alt_tokyo).post(URL, {"language": "xx"}).status_code == 400


def test_get_does_not_change_anything(client_for, alt_tokyo):
    assert client_for(alt_tokyo).get(URL, {"language": "ja"}).status_code == 405
    assert User.objects.get(pk=alt_tokyo.pk).preferred_language == "en"


def test_next_pointing_to_another_site_lands_on_the_dashboard(client_for, alt_tokyo):
    response = client_for(alt_tokyo).post(URL, {"language": "en", "next": "https://evil.example.net/"})
    assert response["Location"] == reverse("dashboard")
