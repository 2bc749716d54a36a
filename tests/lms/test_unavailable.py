"""When a part the pages use is down: the Redis cache is skipped (lms/cache.py) and a
database error is a 503 the clients retry, not a server error (lms/middleware.py). The
whole story, with real outages, is in tests/faults/."""

import json
import socket
import time

import pytest
from django.db import IntegrityError, OperationalError
from django.test import RequestFactory

from lms.cache import TolerantRedisCache
from lms.middleware import DatabaseUnavailableMiddleware


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def unreachable_cache() -> TolerantRedisCache:
    return TolerantRedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {"KEY_PREFIX": "lms", "OPTIONS": {"socket_connect_timeout": 1}},
    )


def test_a_cache_whose_redis_is_down_answers_as_an_empty_cache(unreachable_cache):
    cache = unreachable_cache

    assert cache.get("key", "default") == "default"
    cache.set("key", "value")
    assert cache.add("key", "value") is False
    assert cache.get_many(["a", "b"]) == {}
    cache.set_many({"a": 1})
    cache.delete_many(["a", "b"])
    assert cache.delete("key") is False
    assert cache.has_key("key") is False
    assert cache.get_or_set("key", "computed") == "computed"
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    # After a failure Redis is left alone for a while: pages do not wait on it each time.
    assert cache._cache.down_until > time.monotonic()


def test_a_database_error_in_a_view_is_a_503_to_retry():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    factory = RequestFactory()

    api = middleware.process_exception(
        factory.put("/api/v1/attempts/1/responses"), OperationalError("the server is restarting")
    )
    page = middleware.process_exception(factory.get("/dashboard/"), OperationalError("down"))
    scorm = middleware.process_exception(
        factory.post("/learn/scorm/attempts/1/commit", content_type="application/json"),
        OperationalError("no connection in the pool"),
    )

    assert api.status_code == page.status_code == scorm.status_code == 503
    assert api["Retry-After"] == "5"
    assert json.loads(api.content)["detail"]
    assert json.loads(scorm.content)["detail"]
    assert page["Content-Type"].startswith("text/plain")


def test_other_database_errors_stay_server_errors():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    answer = middleware.process_exception(RequestFactory().get("/"), IntegrityError("a bug"))

    assert answer is None
