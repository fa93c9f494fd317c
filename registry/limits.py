"""Rate limits for the public pages that keep working while Redis is down.

Counts live in the shared cache (Redis) so every web process sees them; when the cache cannot be reached the
count moves to this process's memory, which still bounds a client per process, and the page serves as usual.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

try:
    from redis.exceptions import RedisError
except ImportError:  # the embedded mode runs without the redis client
    RedisError = OSError

logger = logging.getLogger(__name__)

CACHE_DOWN = (RedisError, OSError)
_local = LocMemCache("shequ-limits", {"MAX_ENTRIES": 10000})


class FallbackCache:
    """The shared cache, or this process's memory for as long as the shared cache fails."""

    def _call(self, method, *args, **kwargs):
        try:
            return getattr(caches["default"], method)(*args, **kwargs)
        except CACHE_DOWN as exc:
            logger.warning("cache unreachable, rate limits held in memory: %s", exc)
            return getattr(_local, method)(*args, **kwargs)

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def add(self, key, value, timeout=None):
        return self._call("add", key, value, timeout)

    def incr(self, key, delta=1):
        return self._call("incr", key, delta)


fallback_cache = FallbackCache()


def over_limit(request, group: str, per_minute: int) -> bool:
    """Counts this request against its address's budget for the current minute; True once it is spent."""
    from registry.audit import client_ip

    # The client's address, not the proxy's: behind a trusted proxy every request comes from the proxy.
    key = f"limit:{group}:{client_ip(request) or ''}:{int(time.time() // 60)}"
    fallback_cache.add(key, 0, 70)
    try:
        count = fallback_cache.incr(key)
    except ValueError:  # expired (or the cache went away) between add and incr
        fallback_cache.set(key, 1, 70)
        count = 1
    return count > per_minute
