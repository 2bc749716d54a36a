"""Numbers beyond what the database stores name nothing: never a server error."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = 2**70


def test_a_page_with_a_huge_id_is_404(client, users):
    client.force_login(users["officer"])

    assert client.get(f"/quizzes/{HUGE}/").status_code == 404


def test_the_api_refuses_a_huge_id_in_a_path_or_body(client, users):
    client.force_login(users["partner"])

    in_path = client.get(f"/api/v1/quizzes/{HUGE}")
    in_body = client.post(
        "/api/v1/trainings",
        {"title": "X", "trainers": [HUGE]},
        content_type="application/json",
    )

    assert in_path.status_code in (400, 404)
    assert in_body.status_code in (400, 422)
    assert "detail" in in_body.json()
