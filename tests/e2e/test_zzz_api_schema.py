"""The OpenAPI schema exercised with schemathesis against the live server.

Every operation gets generated requests (valid and invalid) as an officer and as an
administrator: none may answer 500, and every answer must match the schema and its
content type. Named to run after the other browser tests, since it writes to the shared
demo site. Bounded: a fixed number of examples per operation, no deadline games.
"""

import json
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _token(live_site, username: str) -> str:
    request = urllib.request.Request(
        f"{live_site.url}/api/v1/auth/token",
        data=json.dumps({"username": username, "password": "fia-demo-2026"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


@pytest.fixture(scope="module")
def tokens(live_site) -> dict[str, str]:
    return {name: _token(live_site, name) for name in ("officer", "admin")}


def test_no_operation_fails_or_breaks_its_schema(live_site, tokens):
    schema = schemathesis.openapi.from_url(f"{live_site.url}/api/v1/openapi.json")
    failures: dict[str, str] = {}
    calls = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15  # the whole API, not an empty schema

    for operation in operations:
        if operation.path.endswith("/auth/token"):
            continue  # generated passwords would lock the demo accounts out

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            for who in ("officer", "admin"):
                calls.append(case.operation.label)
                case.call_and_validate(
                    base_url=live_site.url,
                    headers={"Authorization": f"Bearer {tokens[who]}"},
                    checks=CHECKS,
                )

        try:
            exercise()
        except Exception as error:
            failures[f"{operation.method.upper()} {operation.path}"] = str(error)[:1500]

    assert len(set(calls)) == len(operations) - 1  # every operation was called
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
