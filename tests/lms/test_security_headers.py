"""Security headers: the Content Security Policy and its two exceptions."""

import pytest

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/courses/", "/api/v1/docs"])
def test_platform_pages_allow_no_inline_or_foreign_script(client, url):
    policy = _policy(client.get(url))

    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"


def test_the_admin_sites_get_inline_script_and_nothing_foreign(client, users):
    client.force_login(users["admin"])

    for url in ("/cms/", "/django-admin/"):
        policy = _policy(client.get(url))
        assert policy["script-src"] == "script-src 'self' 'unsafe-inline'"
        assert "https:" not in policy["script-src"]


def test_the_interface_carries_the_other_security_headers(client):
    response = client.get("/accounts/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
