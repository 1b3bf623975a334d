"""The shared cache (Redis in production), kept working while Redis is down.

The cache holds login rate limits and sessions (cached_db). With plain Redis
a Redis outage made every login a 500. Here an outage switches this process
to its own memory for a few seconds at a time, then Redis is tried again:
pages keep working and the limits still hold, per process, until Redis is back.

What this process wrote or deleted meanwhile is deleted from Redis as soon as
it answers again: otherwise Redis would come back with stale entries, such as
a session signed out while it was away (the database no longer has it, but
cached_db reads Redis first).
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Per Redis location, the keys changed in memory while it was away (shared by the process's threads).
_stale: dict[str, set[str]] = {}
_stale_lock = threading.Lock()

_WRITES = {"add", "set", "touch", "delete", "incr", "set_many", "delete_many"}


def _keys(name, args, kwargs) -> list:
    if name == "set_many":
        return list((args[0] if args else kwargs["data"]).keys())
    if name == "delete_many":
        return list(args[0] if args else kwargs["keys"])
    return [args[0] if args else kwargs["key"]]


def _fail_soft(name):
    def method(self, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                self._forget_stale()
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError):
                self._down_until = time.monotonic() + self.retry_after
                logger.warning("cache unavailable; this process uses its own memory for %ss", self.retry_after)
        if name in _WRITES:
            version = kwargs.get("version")
            made = {self.make_and_validate_key(key, version=version) for key in _keys(name, args, kwargs)}
            with _stale_lock:
                _stale.setdefault(self._location, set()).update(made)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis client, with one redis.Redis per connection pool instead of a new one per cache call.

    A redis.Redis is cheap to share (the pool hands each command a connection)
    but not to make: its constructor builds a table of about two hundred
    reply parsers, a third of a kept page's cache call.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    retry_after = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
        self._location = str(server)
        # Django makes one backend object per thread; the memory is shared by name within the process.
        self._local = LocMemCache(f"fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    def _forget_stale(self) -> None:
        if not _stale.get(self._location):
            return
        with _stale_lock:
            keys = _stale.pop(self._location, set())
        try:
            self._cache.delete_many(list(keys))
        except (RedisConnectionError, RedisTimeoutError):
            with _stale_lock:
                _stale.setdefault(self._location, set()).update(keys)
            raise
        self._local.clear()

    for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many"):
        locals()[_name] = _fail_soft(_name)
    del _name

    def reaches_shared_store(self) -> bool:
        """False while this process answers from its own memory (Redis was unreachable a moment ago)."""
        return time.monotonic() >= self._down_until

    def clear(self):
        self._local.clear()
        return _fail_soft("clear")(self)
