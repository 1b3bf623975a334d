"""The logged-in user kept in the shared cache (contacts.people_cache): a page after a change shows the change.

On in production with Redis; here on for each test, with the test run's cache (Redis in CI, memory otherwise).
"""

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from contacts import people_cache, services
from contacts.auth_backends import ModelBackend
from contacts.models import AltProfile, Branch, User
from testing.caches import UNREACHABLE

TEAM = reverse("contacts:support_team")


@pytest.fixture(autouse=True)
def _people_cache_on(settings):
    settings.PEOPLE_CACHE = True
    # The pages' kept parts (core.versions) have tests of their own: here every page is built.
    settings.KEPT_PARTS = False


def _settled(client) -> int:
    """Ask the page until the user is kept (the first request also writes the session); the queries of the last."""
    for _ in range(2):
        _queries(client)
    return _queries(client)[0]


def _queries(client, url=TEAM) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_page_seen_again_reads_no_user_from_the_database(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    kept = _settled(client)
    people_cache.people_changed(user_ids=[alt_tokyo.pk])  # as a write of their profile does
    read, page = _queries(client)
    assert read == kept + 1
    assert _queries(client)[0] == kept
    assert alt_tokyo.alt_profile.branch.name in page and alt_tokyo.alt_profile.managing_consultant.first_name in page


def test_the_mc_renamed_shows_on_the_alts_next_page(client_for, alt_tokyo, mc_tokyo):
    client = client_for(alt_tokyo)
    _queries(client)
    mc = User.objects.get(pk=mc_tokyo.pk)  # as the admin's change form saves it
    mc.first_name, mc.phone = "Renamed", "03-9999-0000"
    mc.save()
    _count, page = _queries(client)
    assert "Renamed" in page and "03-9999-0000" in page


def test_a_renamed_branch_shows_on_the_next_page(client_for, alt_tokyo, tokyo):
    client = client_for(alt_tokyo)
    _queries(client)
    branch = Branch.objects.get(pk=tokyo.pk)
    branch.name_en = "Tokyo East"
    branch.save()
    _count, page = _queries(client)
    assert "Tokyo East" in page


def test_a_profile_changed_through_the_services_shows_on_the_next_page(client_for, alt_tokyo, mc_osaka):
    client = client_for(alt_tokyo)
    _queries(client)
    services.alt_profile_update(user_id=alt_tokyo.pk, managing_consultant=mc_osaka)
    _count, page = _queries(client)
    assert mc_osaka.first_name in page


def test_a_language_chosen_shows_on_the_next_page(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    _queries(client)
    services.user_set_language(user=User.objects.get(pk=alt_tokyo.pk), language="ja")
    _count, page = _queries(client)
    assert 'lang="ja"' in page


def test_a_locked_out_account_is_refused_at_its_next_request(client_for, alt_tokyo, mc_tokyo):
    client = client_for(alt_tokyo)
    _queries(client)
    # Its sessions end too; the kept user must not outlive them, even for a session the store still had.
    services.user_deactivate(user=User.objects.get(pk=alt_tokyo.pk))
    assert ModelBackend().get_user(alt_tokyo.pk) is None
    response = client.get(TEAM)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_login_elsewhere_keeps_everyone_elses_copy(client_for, alt_tokyo, alt_osaka):
    client = client_for(alt_tokyo)
    kept = _settled(client)
    update_last_login(None, User.objects.get(pk=alt_osaka.pk))  # alt_osaka logs in somewhere
    assert _queries(client)[0] == kept  # still kept: only alt_osaka's copy was dropped


def test_tokens_change_again_when_the_write_commits(alt_tokyo, django_capture_on_commit_callbacks):
    people_cache.user_load(alt_tokyo.pk, lambda: alt_tokyo)  # the tokens exist
    key = people_cache._person_token_key(alt_tokyo.pk)
    before = cache.get(key)
    with django_capture_on_commit_callbacks(execute=True):
        AltProfile.objects.filter(user=alt_tokyo).update(prefecture="13")
        people_cache.people_changed(user_ids=[alt_tokyo.pk])
        during = cache.get(key)
    after = cache.get(key)
    # A user read between the write and its commit was kept under `during`: never used after the commit.
    assert len({before, during, after}) == 3


def test_tokens_lost_with_the_cache_keep_nothing_from_before(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    kept = _settled(client)
    cache.delete_many([people_cache.PEOPLE_TOKEN, people_cache._person_token_key(alt_tokyo.pk)])
    # The kept user is still there, but no token matches it: read again, then kept under the new tokens.
    assert _queries(client)[0] == kept + 1
    assert _queries(client)[0] == kept + 1
    assert _queries(client)[0] == kept


def test_with_redis_unreachable_every_request_reads_the_user(client_for, alt_tokyo):
    with override_settings(CACHES=UNREACHABLE, SESSION_ENGINE="core.sessions.db"):
        client = client_for(alt_tokyo)
        counts = [_queries(client)[0] for _ in range(4)]
    assert counts[1] == counts[2] == counts[3]


def test_a_migrate_keeps_nothing_from_before(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    kept = _settled(client)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # as `migrate` ends
    assert _queries(client)[0] == kept + 1
