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


@checks.register()
def check_versions_declared(app_configs=None, **kwargs):
    """Every model of the portal's own apps says which version tokens its writes renew, or that no ALT's page
    shows its rows (core.versions): a model saying neither would leave kept parts stale after its writes."""
    from django.apps import apps

    from . import versions

    problems = []
    for config in app_configs or apps.get_app_configs():
        if not str(config.path).startswith(str(settings.BASE_DIR)) or "site-packages" in str(config.path):
            continue
        for model in config.get_models():
            if not versions.is_declared(model):
                problems.append(
                    checks.Error(
                        f"{model._meta.label} does not say which version tokens its writes renew.",
                        hint="core.versions.register() it in its app's ready(), or versions.unseen() it.",
                        obj=model,
                        id="core.E010",
                    )
                )
            elif versions.registered(model) and not isinstance(
                model._default_manager.get_queryset(), versions.VersionedQuerySet
            ):
                problems.append(
                    checks.Error(
                        f"{model._meta.label}'s update() and bulk writes renew no version token.",
                        hint="Give it `objects = VersionedManager()` (core.versions).",
                        obj=model,
                        id="core.E011",
                    )
                )
    return problems
