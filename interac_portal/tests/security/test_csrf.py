"""CSRF on every writing URL, and no state change on GET.

Every URL pattern of the project (walked from the resolver) and every admin
page receives a forged POST: the visitor's browser holds a CSRF cookie but the
forged form cannot know the token. Every one answers 403 and no row changes.
Then every page is fetched with GET, carrying the same form data as a query
string, by every kind of person: nothing changes either.
"""

import uuid

import pytest
from django.urls import resolve, reverse

from .conftest import client_as
from .pages import admin_urls, site_urls
from .world import ROLES, db_snapshot, snapshot_diff


def _forged(world) -> dict:
    """Form data that would change something on each writing URL if the token were not checked."""
    return {
        "language": "ja",
        "next": "/",
        "body": "forged",
        "reason": "forged",
        "category": "OTHER",
        "subject": "forged",
        "details": "forged",
        "urgency": "NORMAL",
        "submit_token": str(uuid.uuid4()),
        f"reg-{world.today_registration.pk}": "ABSENT",
        "action": "delete_selected",
        "_selected_action": [world.request.pk, world.session.pk],
        "index": "0",
        "post": "yes",
        "login": "alt.tokyo@example.com",
        "password": "correct-horse-battery",
        "email": "alt.tokyo@example.com",
        "first_name": "Forged",
    }


def _person(world, superuser, role):
    return superuser if role == "superuser" else world.people[role]


def _signed_by_provider() -> set[str]:
    """URLs a mail provider's servers post to, not browsers: no session, so no CSRF token, but a signature
    (support.inbound.webhook). A forged post, without it, answers 400."""
    return {reverse("support:inbound_mailgun")}


# One test per person, so that pytest-xdist spreads the crawl over its workers.
EVERYONE = [*ROLES, "superuser"]


@pytest.mark.crawl
@pytest.mark.parametrize("role", EVERYONE)
def test_no_post_without_the_token_is_accepted_anywhere(world, superuser, role):
    site, admin = site_urls(world), admin_urls()
    assert len(site) >= 30 and len(admin) >= 40
    forged = _forged(world)
    before = db_snapshot()
    user = _person(world, superuser, role)
    client = client_as(user, enforce_csrf_checks=True)
    client.get(reverse("contacts:wellbeing"))  # the browser has the cookie; the forged form lacks the token
    assert "csrftoken" in client.cookies
    urls = site + (admin if user is not None and user.is_staff else admin[:5])
    accepted = []
    signed = _signed_by_provider()
    for url in urls:
        response = client.post(url, forged)
        if response.status_code != (400 if url in signed else 403):
            accepted.append((url, response.status_code))
    assert not accepted
    assert not snapshot_diff(before, db_snapshot())


def test_the_same_form_with_the_token_goes_through(world):
    """The control: the 403s above are the token's doing, not bad form data."""
    client = client_as(world.people["owner"], enforce_csrf_checks=True)
    client.get(reverse("support:detail", args=[world.request.pk]))
    token = client.cookies["csrftoken"].value
    url = reverse("support:reply", args=[world.request.pk])
    assert client.post(url, {**_forged(world), "csrfmiddlewaretoken": token}).status_code == 302
    assert world.request.messages.filter(body="forged").exists()


@pytest.mark.crawl
@pytest.mark.parametrize("role", EVERYONE)
def test_get_changes_nothing_on_any_page(world, superuser, role):
    forged = _forged(world)
    site, admin = site_urls(world), admin_urls()
    # Admin GETs that look like actions: the delete confirmation and a changelist "action" in the query string.
    requests_list = reverse("admin:support_supportrequest_changelist")
    sessions_list = reverse("admin:training_trainingsession_changelist")
    admin += [
        f"{requests_list}?action=delete_selected&_selected_action={world.request.pk}&post=yes",
        f"{sessions_list}?action=cancel_sessions&_selected_action={world.session.pk}",
    ]
    before = db_snapshot()
    errors, method_not_allowed = [], set()
    user = _person(world, superuser, role)
    client = client_as(user)
    for url in site + (admin if user is not None and user.is_staff else []):
        response = client.get(url, forged if "?" not in url else None)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # closes the file the test client way
        if response.status_code >= 500:
            errors.append((url, response.status_code))
        if response.status_code == 405:
            method_not_allowed.add(resolve(url.split("?")[0]).view_name)
    assert not snapshot_diff(before, db_snapshot())
    assert not errors
    if user is not None:
        # The portal's own writing URLs refuse GET outright (allauth's show their form, which writes nothing).
        writers = {
            "support:reply", "support:seen", "support:solve", "support:reopen", "training:register",
            "training:withdraw", "training:confirm", "training:calendar_reset", "training:calendar_create",
            "contacts:set_language",
        }  # fmt: skip
        assert writers <= method_not_allowed, writers - method_not_allowed
