"""System checks of the platform. `manage.py check --deploy` runs those tagged deploy."""

from django.conf import settings
from django.core import checks

# Caches that each process keeps to itself: what one web worker counts, another does not see.
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The login rate limits (allauth) count failed attempts in the cache: in process memory, every
    web worker counts apart, and an attacker gets as many tries as there are workers, afresh at each restart."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PROCESS_LOCAL_CACHES:
        return [
            checks.Warning(
                "The login rate limits live in each process's own memory: the cache is not shared.",
                hint="Set CACHE_URL to a Redis server that every web process uses (rediscache://host:6379/n).",
                id="core.W001",
            )
        ]
    return []
