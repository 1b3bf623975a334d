"""The shared cache (Redis in production), kept working while Redis is down.

The cache holds login rate limits. With plain Redis a Redis outage made every
login a 500. Here an outage switches this process to its own memory for a few
seconds at a time, then Redis is tried again: pages keep working and the
limits still hold, per process, until Redis is back.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


def _fail_soft(name):
    def method(self, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError):
                self._down_until = time.monotonic() + self.retry_after
                logger.warning("cache unavailable; this process uses its own memory for %ss", self.retry_after)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FallbackRedisCache(RedisCache):
    retry_after = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        # Django makes one backend object per thread; the memory is shared by name within the process.
        self._local = LocMemCache(f"fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many"):
        locals()[_name] = _fail_soft(_name)
    del _name

    def clear(self):
        self._local.clear()
        return _fail_soft("clear")(self)
