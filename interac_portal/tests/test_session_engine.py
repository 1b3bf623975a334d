"""Sessions are read from Redis when the cache is Redis; signing out everywhere still works."""

from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from contacts.services import user_deactivate

from .test_settings import _run

SHOW_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


def test_sessions_use_the_cache_only_when_it_is_shared():
    redis = _run("shell", "-c", SHOW_ENGINE, DJANGO_DEBUG="true", CACHE_URL="rediscache://127.0.0.1:6379/1")
    local = _run("shell", "-c", SHOW_ENGINE, DJANGO_DEBUG="true", CACHE_URL="locmemcache://x")
    assert redis.stdout.strip().splitlines()[-1] == "django.contrib.sessions.backends.cached_db", redis.stderr
    assert local.stdout.strip().splitlines()[-1] == "django.contrib.sessions.backends.db", local.stderr


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_deactivation_drops_a_cached_session_too(client, alt_tokyo):
    client.force_login(alt_tokyo)
    assert client.get("/").status_code == 200
    key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert cache.get(store(session_key=key).cache_key) is not None
    user_deactivate(user=alt_tokyo)
    assert cache.get(store(session_key=key).cache_key) is None
    assert client.get("/").status_code == 302
