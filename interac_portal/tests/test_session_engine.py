"""Sessions are read from Redis when the cache is Redis; signing out everywhere still works."""

from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from contacts.services import user_deactivate

from .test_settings import _run

SHOW_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


def test_sessions_use_the_cache_only_when_it_is_shared():
    redis = _run("shell", "-c", SHOW_ENGINE, DJANGO_DEBUG="true", CACHE_URL="rediscache://127.0.0.1:6379/1")
    local = _run("shell", "-c", SHOW_ENGINE, DJANGO_DEBUG="true", CACHE_URL="locmemcache://x")
    assert redis.stdout.strip().splitlines()[-1] == "core.sessions.cached_db", redis.stderr
    assert local.stdout.strip().splitlines()[-1] == "core.sessions.db", local.stderr


@override_settings(SESSION_ENGINE="core.sessions.cached_db")
def test_deactivation_drops_a_cached_session_too(client, alt_tokyo):
    client.force_login(alt_tokyo)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert cache.get(store(session_key=key).cache_key) is not None
    user_deactivate(user=alt_tokyo)
    assert cache.get(store(session_key=key).cache_key) is None
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("engine", ["core.sessions.db", "core.sessions.cached_db"])
def test_locking_an_account_out_takes_the_same_queries_however_many_sessions_it_left(
    settings, alt_tokyo, alt_osaka, engine, django_assert_num_queries
):
    """Each session row names its user: nobody else's sessions are read, and a long history costs nothing."""
    from django.contrib.auth import SESSION_KEY

    from core.models import UserSession

    settings.SESSION_ENGINE = engine
    store = import_module(engine).SessionStore

    def sign_in(user, count):
        for _ in range(count):
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session.save()

    sign_in(alt_osaka, 2)
    sign_in(alt_tokyo, 1)
    with django_assert_num_queries(3) as one:
        user_deactivate(user=alt_tokyo)
    sign_in(alt_osaka, 40)
    with django_assert_num_queries(3) as forty:
        user_deactivate(user=alt_osaka)
    assert len(one.captured_queries) == len(forty.captured_queries)
    assert not UserSession.objects.exists()
