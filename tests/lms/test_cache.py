"""The Redis cache's connections (lms/cache.py): Django makes a cache object for every
thread and every asyncio context (each WebSocket connection that reads its session); they
must share one connection pool per server, not keep a Redis connection each."""

import asyncio
import threading

from django.core.cache import caches
from django.test import override_settings

from lms.cache import TolerantRedisCache

CACHES = {
    "default": {
        "BACKEND": "lms.cache.TolerantRedisCache",
        # nothing is sent: pools connect only when a command is run
        "LOCATION": "redis://127.0.0.1:6399/7",
        "OPTIONS": {"socket_connect_timeout": 1},
    }
}


def test_cache_objects_of_a_server_share_one_connection_pool_and_client():
    one = TolerantRedisCache("redis://127.0.0.1:6399/7", {"OPTIONS": {"socket_timeout": 2}})
    two = TolerantRedisCache("redis://127.0.0.1:6399/7", {"OPTIONS": {"socket_timeout": 2}})
    other_db = TolerantRedisCache("redis://127.0.0.1:6399/8", {"OPTIONS": {"socket_timeout": 2}})

    assert one is not two
    assert one._cache.get_client(write=True) is two._cache.get_client(write=True)
    assert one._cache._get_connection_pool(False) is two._cache._get_connection_pool(False)
    assert other_db._cache.get_client() is not one._cache.get_client()


@override_settings(CACHES=CACHES)
def test_threads_and_websocket_contexts_get_their_own_cache_but_one_pool():
    pools, objects = [], []

    def take():
        cache = caches["default"]
        objects.append(cache)
        pools.append(cache._cache._get_connection_pool(True))

    threads = [threading.Thread(target=take) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    async def connections():  # two tasks, as two WebSocket connections are
        await asyncio.gather(*(asyncio.to_thread(take) for _ in range(2)))

    asyncio.run(connections())

    assert len({id(cache) for cache in objects}) == 5  # Django's: one per thread or context
    assert len({id(pool) for pool in pools}) == 1
