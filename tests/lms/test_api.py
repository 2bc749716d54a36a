"""The API skeleton: token auth, /me, errors in the contract's shape, the schema."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import APIToken

from lms.roles import Role
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def get_token(client, username: str, password: str = PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_valid_credentials_give_a_token_that_opens_me(client):
    organisation = OrganisationFactory(short_name="FIA Immigration", name="FIA Immigration Wing")
    UserFactory(
        username="aslam", roles=[Role.OFFICER], organisation=organisation, service_number="FIA-77"
    )

    token = get_token(client, "aslam").json()["token"]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "aslam"
    assert body["roles"] == ["Officer"]
    assert body["service_number"] == "FIA-77"
    assert body["organisation"]["short_name"] == "FIA Immigration"


def test_the_token_is_stored_only_as_a_digest(client):
    UserFactory(username="aslam")

    token = get_token(client, "aslam").json()["token"]

    stored = APIToken.objects.get(user__username="aslam")
    assert token not in stored.key_hash
    assert stored.key_hash in APIToken.candidate_key_hashes(token)


def test_wrong_credentials_get_401_in_the_error_shape(client):
    UserFactory(username="aslam")

    response = get_token(client, "aslam", "wrong")

    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password.", "errors": []}


def test_missing_fields_get_400_naming_the_field(client):
    response = client.post(
        "/api/v1/auth/token", {"username": "aslam"}, content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request is not valid."
    assert any(error["field"].endswith("password") for error in body["errors"])


def test_the_token_endpoint_locks_out_like_the_sign_in_page(client):
    UserFactory(username="aslam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        get_token(client, "aslam", "guess")

    response = get_token(client, "aslam")

    assert response.status_code == 429
    assert "locked" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_the_token_endpoint_is_rate_limited(client):
    limit = int(settings.API_TOKEN_RATE.split("/")[0])
    statuses = [get_token(client, f"nobody{n}", "x").status_code for n in range(limit + 1)]

    assert statuses[:limit] == [401] * limit
    assert statuses[-1] == 429


def test_a_forged_forwarded_for_header_does_not_buy_a_fresh_allowance(client):
    limit = int(settings.API_TOKEN_RATE.split("/")[0])
    for n in range(limit):
        get_token(client, f"nobody{n}", "x")

    forged = client.post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "x"},
        content_type="application/json",
        headers={"X-Forwarded-For": "203.0.113.9"},
    )

    assert forged.status_code == 429


def test_me_without_credentials_is_401(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert "Authentication required" in response.json()["detail"]


def test_a_bad_or_expired_token_is_401(client):
    user = UserFactory(username="aslam")
    _token, plaintext = APIToken.create_token(user=user, name="old")
    APIToken.objects.filter(user=user).update(
        created=timezone.now() - settings.API_TOKEN_TTL - timedelta(minutes=1)
    )

    expired = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    garbage = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})

    assert expired.status_code == 401
    assert garbage.status_code == 401


def test_a_revoked_token_is_401(client):
    user = UserFactory(username="aslam")
    token, plaintext = APIToken.create_token(user=user, name="laptop")
    token.revoke()

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})

    assert response.status_code == 401


def test_the_browser_session_works_too(client):
    client.force_login(UserFactory(username="aslam"))

    assert client.get("/api/v1/me").json()["username"] == "aslam"


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/me" in paths
    assert docs.status_code == 200


def test_me_costs_a_constant_number_of_queries(client, query_budget):
    user = UserFactory(organisation=OrganisationFactory())
    client.force_login(user)

    query_budget(client.get, "/api/v1/me", max_queries=4)
