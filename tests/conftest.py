"""Fixtures for the whole suite."""

import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import settings as hypothesis_settings

from lms.roles import Role
from tests.factories import OrganisationFactory, UserFactory

# `make fuzz`: HYPOTHESIS_PROFILE=fuzz runs the hostile-input tests with FUZZ_EXAMPLES random
# examples each (5000 unless set) and no deadline; failures are replayed from .hypothesis/.
hypothesis_settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "5000")),
    deadline=None,
    derandomize=False,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "default")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached fragments live in the cache: every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(short_name="ICMPD", name="ICMPD")


@pytest.fixture
def users(db, organisation):
    """One user per role, named after it."""
    return {
        "admin": UserFactory(username="admin", roles=[Role.ADMIN]),
        "reviewer": UserFactory(username="reviewer", roles=[Role.REVIEWER]),
        "trainer": UserFactory(username="trainer", roles=[Role.TRAINER]),
        "partner": UserFactory(username="partner", roles=[Role.PARTNER], organisation=organisation),
        "officer": UserFactory(username="officer", roles=[Role.OFFICER]),
    }


class QueryBudget:
    """Runs a request and fails if it took more SQL queries than allowed.

    Usage: `query_budget(client.get, "/dashboard/", max_queries=8)`; returns the response.
    On failure the message lists every query, so the N+1 is visible at once.
    """

    def __call__(self, request, *args, max_queries: int, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            response = request(*args, **kwargs)
        count = len(captured.captured_queries)
        if count > max_queries:
            listing = "\n".join(
                f"{n}. {query['sql']}" for n, query in enumerate(captured.captured_queries, 1)
            )
            pytest.fail(f"{count} queries, more than the {max_queries} allowed:\n{listing}")
        self.last_count = count
        return response


@pytest.fixture
def query_budget(db) -> QueryBudget:
    return QueryBudget()


# CI's second pass (PostgreSQL and Redis) sets DATABASE_PASS_ONLY=1: tests that touch
# neither the database nor the cache, the channel layer or a server (parsers, the SCORM
# data model, PDF rendering, fuzzed importers) ran in the first pass and would only repeat.
_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})
_SERVICE_WORDS = ("cache", "redis", "unavailable", "websocket", "faults", "live", "schedul", "e2e/")


# `make test` spreads the tests over the cores (pytest-xdist, --dist loadgroup). The browser
# tests share one demo site and server per worker and the API schema test writes to it
# last, and the fault tests share migrated PostgreSQL dumps: each of those sets runs in
# order in one worker.
_ONE_WORKER_GROUPS = {"tests/e2e/": "browser", "tests/faults/": "faults"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for folder, group in _ONE_WORKER_GROUPS.items():
            if item.nodeid.startswith(folder):
                item.add_marker(pytest.mark.xdist_group(group))
    if os.environ.get("DATABASE_PASS_ONLY") != "1":
        return
    kept, repeated = [], []
    for item in items:
        uses_services = item.get_closest_marker("django_db") or (
            _DATABASE_FIXTURES & set(item.fixturenames)
        )
        if uses_services or any(word in item.nodeid for word in _SERVICE_WORDS):
            kept.append(item)
        else:
            repeated.append(item)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = kept
