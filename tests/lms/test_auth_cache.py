"""The signed-in user comes from the cache (lms/auth.py): no query for the user or their
roles on a second request, and whatever changes the user or their roles shows at once."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms import services
from lms.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(client, **kwargs):
    user = UserFactory(**kwargs)
    client.force_login(user)  # the model backend's session, as the sign-in page makes
    return user


def _user_queries(client, url="/dashboard/") -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [
        q["sql"] for q in queries if '"lms_user"' in q["sql"] and '"auth_group"' not in q["sql"]
    ] + [q["sql"] for q in queries if '"auth_group"' in q["sql"]]


def test_a_second_request_reads_neither_the_user_nor_their_roles(client):
    _signed_in(client, roles=[Role.OFFICER])
    client.get("/dashboard/")  # the first request after signing in fills the cache

    assert _user_queries(client) == []


def test_a_new_password_signs_the_other_sessions_out(client):
    user = _signed_in(client)
    client.get("/dashboard/")

    user.set_password("another-long-password")
    user.save()

    assert client.get("/dashboard/").status_code == 302


def test_a_deactivated_user_is_signed_out(client):
    user = _signed_in(client)
    client.get("/dashboard/")

    user.is_active = False
    user.save()

    assert client.get("/dashboard/").status_code == 302


def test_new_roles_show_on_the_next_request(client):
    user = _signed_in(client, roles=[Role.OFFICER])
    assert "Courses I teach" not in client.get("/dashboard/").content.decode()

    services.user_set_roles(user=user, roles=[Role.OFFICER, Role.TRAINER])

    assert "Courses I teach" in client.get("/dashboard/").content.decode()


def test_a_role_taken_away_from_the_group_side_shows_on_the_next_request(client):
    user = _signed_in(client, roles=[Role.OFFICER, Role.TRAINER])
    assert "Courses I teach" in client.get("/dashboard/").content.decode()

    Group.objects.get(name=Role.TRAINER.value).user_set.remove(user)

    assert "Courses I teach" not in client.get("/dashboard/").content.decode()


def test_a_group_emptied_or_deleted_takes_its_role_away(client):
    user = _signed_in(client, roles=[Role.OFFICER, Role.TRAINER])
    assert "Courses I teach" in client.get("/dashboard/").content.decode()

    Group.objects.get(name=Role.TRAINER.value).user_set.clear()
    assert "Courses I teach" not in client.get("/dashboard/").content.decode()

    services.user_set_roles(user=user, roles=[Role.OFFICER, Role.REVIEWER])
    assert "Waiting for my review" in client.get("/dashboard/").content.decode()
    Group.objects.filter(name=Role.REVIEWER.value).delete()
    assert "Waiting for my review" not in client.get("/dashboard/").content.decode()


def test_without_the_cache_setting_every_request_reads_the_user(client, settings):
    settings.AUTH_USER_CACHE_SECONDS = 0
    _signed_in(client)
    client.get("/dashboard/")

    assert len(_user_queries(client)) == 2
