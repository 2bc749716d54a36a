"""seed_demo: idempotent demo data through the services, refused on production."""

import pytest
from django.core.management import CommandError, call_command

from lms.models import Organisation, User
from lms.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_gives_the_same_site(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = (User.objects.count(), Organisation.objects.count())
    call_command("seed_demo")
    second = (User.objects.count(), Organisation.objects.count())

    assert first == second
    out = capsys.readouterr().out
    assert "fia-demo-2026" in out
    for username, role in [
        ("admin", Role.ADMIN),
        ("reviewer", Role.REVIEWER),
        ("trainer", Role.TRAINER),
        ("officer", Role.OFFICER),
        ("partner", Role.PARTNER),
    ]:
        user = User.objects.get(username=username)
        assert user.roles == [role]
        assert user.check_password("fia-demo-2026")
        assert username in out
    assert {"ICMPD", "UNODC", "IOM", "GIZ", "EU Delegation", "MOPHRD", "FIA Academy"} <= set(
        Organisation.objects.values_list("short_name", flat=True)
    )


def test_seed_demo_uses_the_demo_password_setting(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "another-demo-pass"

    call_command("seed_demo")

    assert User.objects.get(username="officer").check_password("another-demo-pass")


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()

    call_command("seed_demo", "--force")
    assert User.objects.filter(username="admin").exists()
