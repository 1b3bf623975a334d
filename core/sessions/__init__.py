"""Session engines that record the signed-in user on the session row (core.models.UserSession).

`core.sessions.db` stores sessions in the database, `core.sessions.cached_db` reads them from
the cache and writes through to the database, as Django's engines of the same names do.
"""

from importlib import import_module

from django.conf import settings
from django.core.cache import caches


class RecordsUserMixin:
    @classmethod
    def get_model_class(cls):
        from ..models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = str(data.get("_auth_user_id") or "")
        return instance


def sessions_end_for_user(*, user_id) -> int:
    """End every session of one user, in the database and in the cache; the same few queries
    whatever their history. Returns how many there were."""
    from ..models import UserSession

    rows = UserSession.objects.filter(user_id=str(user_id))
    keys = list(rows.values_list("session_key", flat=True))
    if not keys:
        return 0
    UserSession.objects.filter(session_key__in=keys).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "cache_key_prefix"):
        caches[settings.SESSION_CACHE_ALIAS].delete_many([store.cache_key_prefix + key for key in keys])
    return len(keys)
