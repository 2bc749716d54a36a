"""The dashboard differs by role and costs a constant number of queries."""

import pytest

from lms.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECTIONS = {
    "officer": ["My courses"],
    "trainer": ["Courses I teach", "My live sessions"],
    "reviewer": ["Waiting for my review"],
    "partner": ["Training calendar"],
    "admin": ["Site figures"],
}


@pytest.mark.parametrize("who", list(SECTIONS))
def test_each_role_sees_its_own_sections(client, users, who):
    client.force_login(users[who])

    content = client.get("/dashboard/").content.decode()

    for title in SECTIONS[who]:
        assert title in content
    for other, titles in SECTIONS.items():
        if other != who:
            for title in titles:
                assert title not in content


def test_the_administrator_sees_site_figures(client, users):
    client.force_login(users["admin"])

    response = client.get("/dashboard/")

    assert response.context["figures"]["users"] == 5
    assert response.context["figures"]["officer"] == 1


def test_only_administrators_and_authors_see_the_admin_links(client, users):
    client.force_login(users["officer"])
    officer_page = client.get("/dashboard/").content.decode()
    client.force_login(users["admin"])
    admin_page = client.get("/dashboard/").content.decode()

    assert 'href="/cms/"' not in officer_page
    assert 'href="/django-admin/"' not in officer_page
    assert 'href="/cms/"' in admin_page
    assert 'href="/django-admin/"' in admin_page


@pytest.mark.parametrize("extra_users", [2, 40])
def test_the_dashboard_query_count_does_not_grow_with_users(client, query_budget, extra_users):
    admin = UserFactory(roles=[Role.ADMIN])
    for _ in range(extra_users):
        UserFactory(roles=[Role.OFFICER])
    client.force_login(admin)

    query_budget(client.get, "/dashboard/", max_queries=7)
