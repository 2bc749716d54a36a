"""English and Urdu: the switch, right-to-left layout and a complete Urdu catalogue."""

import gettext
from pathlib import Path

import pytest
from django.conf import settings

from lms.models import User
from tests.factories import PASSWORD, UserFactory

LOCALE = Path(settings.BASE_DIR) / "lms" / "locale" / "ur" / "LC_MESSAGES"


def test_pages_are_english_and_left_to_right_by_default(client, db):
    content = client.get("/").content.decode()

    assert '<html lang="en" dir="ltr">' in content
    assert "Sign in" in content


def test_switching_to_urdu_turns_the_page_right_to_left(client, db):
    response = client.post("/language/", {"language": "ur", "next": "/"}, follow=True)

    content = response.content.decode()
    assert '<html lang="ur" dir="rtl">' in content
    assert "سائن ان" in content  # "Sign in"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ur"


def test_the_switch_remembers_the_choice_of_a_signed_in_user(client, db):
    user = UserFactory()
    client.force_login(user)

    client.post("/language/", {"language": "ur", "next": "/dashboard/"})

    user.refresh_from_db()
    assert user.preferred_language == User.Language.URDU


def test_signing_in_switches_to_the_users_preferred_language(client, db):
    UserFactory(username="nadia", preferred_language="ur")

    client.post("/accounts/login/", {"username": "nadia", "password": PASSWORD})
    content = client.get("/dashboard/").content.decode()

    assert 'dir="rtl"' in content
    assert "خوش آمدید" in content  # "Welcome"


def test_the_switch_never_redirects_off_site(client, db):
    response = client.post("/language/", {"language": "ur", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_every_interface_string_has_an_urdu_translation():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = [block for block in po.split("\n\n") if "msgid" in block]

    untranslated = [
        block for block in entries[1:] if block.rstrip().endswith('msgstr ""') or "fuzzy" in block
    ]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    po = (LOCALE / "django.po").read_text(encoding="utf-8")

    for msgid in ("Sign in", "Dashboard", "My courses", "Skip to main content"):
        assert f'msgid "{msgid}"' in po
        assert compiled.gettext(msgid) != msgid, f"{msgid!r} is not in django.mo: run make messages"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/password_reset/"])
def test_public_pages_render_in_urdu(client, db, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"

    response = client.get(url)

    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
