"""Roles are groups with real permissions, and each role opens only what it may."""

import pytest
from django.contrib.auth.models import Group

from lms.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_migration_creates_every_role_with_its_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}

    assert {role.value for role in Role} <= set(groups)
    admin_perms = {p.codename for p in groups[Role.ADMIN.value].permissions.all()}
    assert {"add_user", "change_organisation", "access_admin", "publish_page"} <= admin_perms
    for role in (Role.REVIEWER, Role.TRAINER):
        assert "access_admin" in {p.codename for p in groups[role.value].permissions.all()}
    for role in (Role.PARTNER, Role.OFFICER):
        assert "access_admin" not in {p.codename for p in groups[role.value].permissions.all()}


@pytest.mark.parametrize(
    ("role", "cms", "django_admin"),
    [
        (Role.ADMIN, 200, 200),
        (Role.REVIEWER, 200, 302),
        (Role.TRAINER, 200, 302),
        (Role.PARTNER, 302, 302),
        (Role.OFFICER, 302, 302),
    ],
)
def test_each_role_opens_only_its_admin_sites(client, role, cms, django_admin):
    # given a signed-in user with one role
    client.force_login(UserFactory(roles=[role]))

    # when they open the Wagtail admin, the Django admin and the dashboard
    cms_response = client.get("/cms/")
    admin_response = client.get("/django-admin/")
    dashboard = client.get("/dashboard/")

    # then only the roles allowed get in; everyone has a dashboard
    assert cms_response.status_code == cms
    assert admin_response.status_code == django_admin
    assert dashboard.status_code == 200


def test_an_officer_turned_away_from_the_cms_is_told_why(client):
    client.force_login(UserFactory(roles=[Role.OFFICER]))

    response = client.get("/cms/", follow=True)

    assert b"You do not have permission to access the admin" in response.content


def test_losing_the_administrator_role_closes_the_django_admin(client):
    from lms.services import user_set_roles

    user = UserFactory(roles=[Role.ADMIN])
    user_set_roles(user=user, roles=[Role.TRAINER])
    client.force_login(user)

    assert client.get("/django-admin/").status_code == 302
    user.refresh_from_db()
    assert user.is_staff is False


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/dashboard/", "/cms/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]
