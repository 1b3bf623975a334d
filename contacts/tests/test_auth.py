import re

import pytest
from django.core import mail
from django.urls import reverse

from contacts.models import Notification, User
from testing.contacts import UserFactory

LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")


def test_login_lands_on_the_dashboard(client, alt_tokyo):
    response = client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_is_a_clear_form_error(client, alt_tokyo):
    response = client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()


def test_missing_field_is_a_form_error(client, db):
    response = client.post(LOGIN, {"login": "", "password": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_there_is_no_public_sign_up(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    response = client.post(
        "/accounts/signup/", {"email": "new@example.com", "password1": "x" * 12, "password2": "x" * 12}
    )
    assert not User.objects.filter(email="new@example.com").exists()
    assert "sign up" not in client.get(LOGIN).content.decode().lower()


def test_reset_page_does_not_reveal_whether_an_account_exists(
    client, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESET, {"email": "alt.tokyo@example.com"}, follow=True)
        unknown = client.post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]


def test_reset_email_goes_through_the_outbox_in_the_users_language(
    client, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": "alt.tokyo@example.com"})
    row = Notification.objects.get(recipient=alt_tokyo)
    assert row.status == Notification.Status.SENT
    assert row.language == "ja"
    assert "パスワード" in mailoutbox[0].body


def _new_alt_form(branch, **fields) -> dict:
    """The admin's add-user form for an ALT of `branch`, no staff role."""
    return {
        "preferred_language": "en",
        "phone": "",
        "alt_profile-TOTAL_FORMS": "1",
        "alt_profile-INITIAL_FORMS": "0",
        "alt_profile-MIN_NUM_FORMS": "0",
        "alt_profile-MAX_NUM_FORMS": "1",
        "alt_profile-0-branch": branch.pk,
        "staff_roles-TOTAL_FORMS": "0",
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
        **fields,
    }


def test_invited_alt_sets_a_password_and_logs_in(
    client, superuser, tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    admin = client
    admin.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("admin:contacts_user_add"),
            _new_alt_form(tokyo, email="New.ALT@Example.com", first_name="Ana", last_name="Silva"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.alt@example.com")
    assert not user.has_usable_password()
    assert user.alt_profile.branch == tokyo
    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mailoutbox[0].body).group(0)
    path = link.split("8000", 1)[1]

    visitor = type(client)()
    form_page = visitor.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = visitor.post(set_url, {"password1": "Tokyo-tower-2026", "password2": "Tokyo-tower-2026"})
    assert done.status_code == 302
    assert visitor.post(LOGIN, {"login": "new.alt@example.com", "password": "Tokyo-tower-2026"}).status_code == 302


def test_grm_opens_an_alt_account_and_the_alt_is_invited(
    client_for, grm, tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    """GRM holds the right to add accounts: the ALT gets the invitation in their language."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(grm).post(
            reverse("admin:contacts_user_add"),
            _new_alt_form(tokyo, email="nao@example.com", first_name="Nao", last_name="Ito", preferred_language="ja"),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(email="nao@example.com").has_usable_password()
    (invitation,) = mailoutbox
    assert invitation.to == ["nao@example.com"]
    assert "/accounts/password/reset/key/" in invitation.body
    assert re.search(r"[\u3040-\u30ff]", invitation.subject)  # Japanese, the ALT's language


def test_the_invitation_is_sent_again_from_the_user_list(
    client_for, grm, alt_tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    """An ALT who lost the first email (or let it expire) gets a fresh link from the admin action."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(grm).post(
            reverse("admin:contacts_user_changelist"),
            {"action": "send_invitation", "_selected_action": [alt_tokyo.pk]},
            follow=True,
        )
    assert "1 invitation sent." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["alt.tokyo@example.com"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_repeated_failed_logins_are_slowed_down(client, alt_tokyo, settings):
    for _ in range(5):
        client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "wrong"})
    response = client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "correct-horse-battery"})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address from the same place is not locked out by these failures.
    UserFactory(email="other@example.com")
    other = client.post(LOGIN, {"login": "other@example.com", "password": "correct-horse-battery"})
    assert other.status_code == 302


@pytest.mark.parametrize("password", ["short1!", "password123", "12345678901"])
def test_weak_passwords_are_refused(client, password, superuser):
    from allauth.account.forms import SetPasswordForm

    user = UserFactory(email="weak@example.com")
    form = SetPasswordForm(data={"password1": password, "password2": password}, user=user)
    assert not form.is_valid()


@pytest.mark.parametrize("password", ["x7" * 32, "東京タワーで待ち合わせ2026"])
def test_long_and_japanese_passwords_are_accepted(password, db):
    from allauth.account.forms import SetPasswordForm

    user = UserFactory(email="strong@example.com")
    form = SetPasswordForm(data={"password1": password, "password2": password}, user=user)
    assert form.is_valid(), form.errors


def test_logout_is_post_only_and_ends_the_session(client, alt_tokyo):
    client.force_login(alt_tokyo)
    cookie = client.cookies["sessionid"].value
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page, no logout
    assert client.get("/").status_code == 200
    client.post(reverse("account_logout"))
    replay = type(client)()
    replay.cookies["sessionid"] = cookie
    assert replay.get("/").status_code == 302


def test_deactivated_user_is_signed_out_everywhere(client, alt_tokyo):
    from contacts.services import user_deactivate

    client.force_login(alt_tokyo)
    assert client.get("/").status_code == 200
    user_deactivate(user=alt_tokyo)
    assert client.get("/").status_code == 302
    User.objects.filter(pk=alt_tokyo.pk).update(is_active=True)  # back later: the old session stays ended
    assert client.get("/").status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("how", ["login form", "force_login"])
def test_an_alts_profile_comes_with_the_user_in_one_query(client, alt_tokyo, mc_tokyo, how):
    # Both backends (allauth's for the form, Django's for other logins) load the
    # profile, branch and contacts with the user: no query of its own per page.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if how == "login form":
        client.post(LOGIN, {"login": "alt.tokyo@example.com", "password": "correct-horse-battery"})
    else:
        client.force_login(alt_tokyo)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("contacts:support_team")).content.decode()
    assert mc_tokyo.display_name in page
    assert not [q["sql"] for q in queries if q["sql"].startswith('SELECT "contacts_altprofile"')]


def test_a_deactivated_alt_is_still_logged_out_on_the_next_request(client, alt_tokyo):
    client.force_login(alt_tokyo)
    User.objects.filter(pk=alt_tokyo.pk).update(is_active=False)
    response = client.get(reverse("contacts:support_team"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_each_request_reads_the_user_afresh(client, alt_tokyo, staff_tokyo):
    # The user's query is built once per process, but its row is read on every
    # request: a change shows on the next page, a deleted account is signed out.
    client.force_login(alt_tokyo)
    assert client.get(reverse("contacts:support_team")).status_code == 200
    User.objects.filter(pk=alt_tokyo.pk).update(preferred_language="ja")
    assert client.get(reverse("contacts:support_team")).headers["Content-Language"] == "ja"
    User.objects.filter(pk=alt_tokyo.pk).delete()
    assert client.get(reverse("contacts:support_team")).status_code == 302
    # Staff have no ALT profile: the same query finds none and the admin opens.
    client.force_login(staff_tokyo)
    assert client.get(reverse("admin:index")).status_code == 200
