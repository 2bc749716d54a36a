"""The Redis cache, made optional for the pages that use it.

Everything the platform keeps in the cache can be computed again (page fragments, routes,
the content version, unread counts) or may be forgotten (API rate-limit counters). So when
Redis cannot be reached, Django's Redis cache would turn every page into a server error;
this one logs a warning and answers as an empty cache would: reads miss, writes are
dropped, `incr` finds no key. After a failure it does not try Redis again for
`RETRY_SECONDS` (each page would otherwise wait on a connection that is down), then
carries on as soon as Redis answers. A write lost meanwhile (a content-version change, a
deleted key) is at most `PAGE_CACHE_SECONDS` stale: every entry it concerns expires by then.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5.0


class TolerantRedisCacheClient(RedisCacheClient):
    # One connection pool and one redis-py client per server in a process, shared by every
    # cache object of it. Django makes a cache object for every thread and every asyncio
    # context, i.e. for every WebSocket connection that reads its session: each had a pool
    # of its own and kept a Redis connection open (1,600 for 2,000 classroom connections,
    # ~20 KB of memory each; live/PROTOCOL.md, "Scale").
    _shared: dict[tuple, tuple] = {}
    _shared_lock = threading.Lock()

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self.down_until = 0.0

    def _shared_for(self, write: bool) -> tuple:
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, repr(sorted(self._pool_options.items())))
        shared = self._shared.get(key)
        if shared is None:
            with self._shared_lock:
                shared = self._shared.get(key)
                if shared is None:
                    pool = self._pool_class.from_url(server, **self._pool_options)
                    shared = self._shared[key] = (pool, self._client(connection_pool=pool))
        return shared

    def _get_connection_pool(self, write):
        return self._shared_for(write)[0]

    def get_client(self, key=None, *, write=False):
        """The process's redis-py client of the server, kept. Django makes a new one for
        every cache call, and redis-py 8 fills ~170 response callbacks each time: a third
        of the CPU of a cached page went there (benchmarks/profile_requests.py). A client
        is safe to share between threads (each command takes a connection of the pool)."""
        return self._shared_for(write)[1]

    def _call(self, name: str, fallback, *args):
        if time.monotonic() < self.down_until:
            return fallback()
        try:
            return getattr(super(), name)(*args)
        except UNREACHABLE as error:
            logger.warning(
                "cache: Redis unreachable (%s); serving without the cache for %s s",
                error,
                RETRY_SECONDS,
            )
            self.down_until = time.monotonic() + RETRY_SECONDS
            return fallback()

    def add(self, key, value, timeout):
        return self._call("add", lambda: False, key, value, timeout)

    def get(self, key, default):
        return self._call("get", lambda: default, key, default)

    def set(self, key, value, timeout):
        return self._call("set", lambda: None, key, value, timeout)

    def touch(self, key, timeout):
        return self._call("touch", lambda: False, key, timeout)

    def delete(self, key):
        return self._call("delete", lambda: False, key)

    def get_many(self, keys):
        return self._call("get_many", dict, keys)

    def has_key(self, key):
        return self._call("has_key", lambda: False, key)

    def incr(self, key, delta):
        def missing():
            raise ValueError(f"Key '{key}' not found.")

        return self._call("incr", missing, key, delta)

    def set_many(self, data, timeout):
        return self._call("set_many", lambda: None, data, timeout)

    def delete_many(self, keys):
        return self._call("delete_many", lambda: None, keys)

    def clear(self):
        return self._call("clear", lambda: False)


class TolerantRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that pages survive without Redis."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
