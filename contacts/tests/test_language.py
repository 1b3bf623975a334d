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
    assert '<html lang="ja">' in page
    assert "ようこそ" in page


def test_anonymous_visitor_gets_the_cookie(client, db):
    response = client.post(URL, {"language": "ja", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="ja">' in page


def _log_in(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_language_chosen_on_the_login_page_is_kept_after_logging_in(client, alt_tokyo):
    client.post(URL, {"language": "ja", "next": "/accounts/login/"})
    _log_in(client, alt_tokyo)
    page = client.get("/").content.decode()
    assert '<html lang="ja">' in page and "ようこそ" in page
    assert User.objects.get(pk=alt_tokyo.pk).preferred_language == "ja"


def test_a_language_cookie_left_on_a_shared_computer_does_not_change_the_users_language(client, alt_tokyo):
    client.cookies["portal_language"] = "ja"  # someone else's choice, an earlier visit
    _log_in(client, alt_tokyo)
    assert '<html lang="en">' in client.get("/").content.decode()
    assert User.objects.get(pk=alt_tokyo.pk).preferred_language == "en"


def test_unknown_language_is_a_bad_request(client_for, alt_tokyo):
    assert client_for(alt_tokyo).post(URL, {"language": "xx"}).status_code == 400


def test_get_does_not_change_anything(client_for, alt_tokyo):
    assert client_for(alt_tokyo).get(URL, {"language": "ja"}).status_code == 405
    assert User.objects.get(pk=alt_tokyo.pk).preferred_language == "en"


def test_next_pointing_to_another_site_lands_on_the_dashboard(client_for, alt_tokyo):
    response = client_for(alt_tokyo).post(URL, {"language": "en", "next": "https://evil.example.net/"})
    assert response["Location"] == reverse("dashboard")


def _messages_shown(client) -> str:
    return client.get("/").content.decode()


def test_the_signed_in_and_signed_out_messages_are_in_the_users_language(client, alt_tokyo):
    """A Japanese user logging in from a browser that reads English: allauth's message comes in Japanese."""
    User.objects.filter(pk=alt_tokyo.pk).update(preferred_language="ja")
    client.cookies.load({"portal_language": "en"})
    _log_in(client, alt_tokyo)
    page = _messages_shown(client)
    assert "としてログインしました" in page and "Successfully signed in" not in page
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    login_page = client.get(response["Location"], follow=True).content.decode()
    assert "ログアウトしました。" in login_page and "You have signed out." not in login_page


def test_an_english_user_reads_them_in_english(client, alt_tokyo):
    client.cookies.load({"portal_language": "ja"})
    _log_in(client, alt_tokyo)
    assert "Successfully signed in as" in _messages_shown(client)
