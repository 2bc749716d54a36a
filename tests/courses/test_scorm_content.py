"""Package files and the runtime page: who gets them, from which host, with which headers.

Same-origin mode (SCORM_CONTENT_ORIGIN empty): the session decides. Content-origin mode:
only the content host answers, only token addresses, and the token (user, version, the
player's origin, expiry) decides; the platform's host serves no package file at all.
"""

import io
import re

import pytest
from django.core import signing
from django.core.checks import run_checks

from courses import services as course_services
from courses.demo_scorm import passport_package_12, passport_package_2004
from courses.models import Enrolment
from courses.scorm import content, services
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTENT = "scorm.testserver"
ORIGIN = f"http://{CONTENT}"
PLATFORM = "http://testserver"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def isolated(settings):
    """Content-origin mode: a second host name of the same server."""
    settings.SCORM_CONTENT_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = ["testserver", CONTENT]
    return settings


@pytest.fixture
def course():
    return course_create(modules=1, lessons=1, code="TST-SCC-1")


@pytest.fixture
def version(course):
    return services.scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_2004()), user=None
    )


def _member(course, role=Enrolment.Role.LEARNER, roles=(Role.OFFICER,)):
    user = UserFactory(roles=list(roles))
    course_services.enrolment_create(
        user=user, course=course, role=role, source=Enrolment.Source.BULK
    )
    return user


@pytest.fixture
def learner(course):
    return _member(course)


def _token(user, version, origin=PLATFORM):
    return content.content_token_create(
        user_id=user.pk, version_id=version.pk, platform_origin=origin
    )


def _get(client, token, path="index.html", host=CONTENT, **headers):
    return client.get(f"/scorm-content/t/{token}/{path}", HTTP_HOST=host, **headers)


# --- Content-origin mode: the token decides --------------------------------------------
def test_a_token_address_serves_the_file_with_safe_headers(client, isolated, version, learner):
    # given a token made for the learner and the version
    token = _token(learner, version)

    # when the content host is asked for a file of the package, with no cookie at all
    response = _get(client, token)
    script = _get(client, token, "module.js")

    # then it is served, typed, cacheable only privately and only as long as the token
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<!")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # framed by the runtime page (this origin) inside the player (the platform's)
    assert response["Content-Security-Policy"] == f"frame-ancestors 'self' {PLATFORM}"
    assert "X-Frame-Options" not in response
    cache = re.fullmatch(r"private, max-age=(\d+)", response["Cache-Control"])
    assert cache and 0 < int(cache.group(1)) <= content.CONTENT_CACHE_SECONDS
    assert response["ETag"] and response["Last-Modified"]
    assert not response.cookies  # nothing of the platform's is set on the content host


def test_files_are_cached_no_longer_than_the_token_lives(client, isolated, version, learner):
    isolated.SCORM_CONTENT_TOKEN_SECONDS = 600

    response = _get(client, _token(learner, version))

    assert 0 < int(response["Cache-Control"].rsplit("=", 1)[1]) <= 600


def test_an_expired_token_gets_a_page_the_runtime_recognises(client, isolated, version, learner):
    token = _token(learner, version)
    isolated.SCORM_CONTENT_TOKEN_SECONDS = 0  # every token made so far has expired

    response = _get(client, token)

    assert response.status_code == 403
    assert b'data-scorm-content="expired"' in response.content
    # still framable where the content was, so the runtime can see it and tell the player
    assert f"frame-ancestors 'self' {PLATFORM}" in response["Content-Security-Policy"]


@pytest.mark.parametrize("change", ["signature", "payload", "salt", "garbage"])
def test_a_tampered_token_is_404(client, isolated, version, learner, change):
    token = _token(learner, version)
    if change == "signature":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif change == "payload":
        other = _token(UserFactory(), version)
        token = other.split(":", 1)[0] + ":" + token.split(":", 1)[1]
    elif change == "salt":  # the same data signed for another purpose
        token = signing.dumps([learner.pk, version.pk, PLATFORM], compress=True)
    else:
        token = "not-a-token"

    assert _get(client, token).status_code == 404


def test_a_token_of_someone_who_may_not_read_the_course_is_404(
    client, isolated, course, version, learner
):
    stranger = UserFactory(roles=[Role.OFFICER])
    inactive = _member(course)
    inactive.is_active = False
    inactive.save()
    withdrawn = _member(course)
    token_withdrawn = _token(withdrawn, version)
    course_services.enrolment_withdraw(user=withdrawn, course=course)

    assert _get(client, _token(stranger, version)).status_code == 404
    assert _get(client, _token(inactive, version)).status_code == 404
    assert _get(client, token_withdrawn).status_code == 404  # withdrawn since it was made
    assert _get(client, _token(learner, version)).status_code == 200


def test_a_token_reads_its_own_version_only(client, isolated, course, version, learner):
    other = services.scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_12()), user=None
    )
    (services.version_root(version) / "marker.txt").write_text("version A")
    (services.version_root(other) / "marker.txt").write_text("version B")
    (services.version_root(other) / "only-b.txt").write_text("B")
    token = _token(learner, version)

    marker = _get(client, token, "marker.txt")

    assert b"".join(marker.streaming_content) == b"version A"
    assert _get(client, token, "only-b.txt").status_code == 404
    assert _get(client, token, f"../{other.pk}/only-b.txt").status_code == 404


@pytest.mark.parametrize(
    "path", ["../../../etc/passwd", "..%2f..%2fetc/passwd", "a/../../x", "missing.html"]
)
def test_token_paths_cannot_escape_the_package(client, isolated, version, learner, path):
    assert _get(client, _token(learner, version), path).status_code == 404


def test_a_token_address_on_the_platforms_host_is_404(client, isolated, version, learner):
    assert _get(client, _token(learner, version), host="testserver").status_code == 404


def test_the_platform_host_serves_no_package_file_once_isolated(client, isolated, version, learner):
    client.force_login(learner)

    assert client.get(f"/scorm-content/{version.pk}/index.html").status_code == 404
    assert client.get(f"/scorm-content/{version.pk}/{content.RUNTIME_PATH}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/dashboard/",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/static/courses/scorm/runtime.js",
        "/cms/",
        "/learn/scorm/1/launch",
        "/scorm-content/1/index.html",
        "/scorm-content/tx/index.html",
    ],
)
def test_the_content_host_serves_nothing_else(client, isolated, learner, path):
    client.force_login(learner)  # even a cookie sent there by mistake changes nothing

    response = client.get(path, HTTP_HOST=CONTENT)
    posted = client.post(path, HTTP_HOST=CONTENT)

    assert response.status_code == 404 and posted.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies


def test_the_runtime_page_on_the_content_origin(client, isolated, version, learner):
    token = _token(learner, version)

    response = _get(client, token, content.RUNTIME_PATH)

    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {PLATFORM};" in policy + ";"  # the player's origin, nothing else
    assert f"script-src {PLATFORM}" in policy and "'unsafe-inline'" not in policy
    assert "default-src 'none'" in policy and "frame-src 'self'" in policy
    assert f'src="{PLATFORM}/static/courses/scorm/runtime.js"' in html
    assert f'"platformOrigin": "{PLATFORM}"' in html
    assert f'"base": "/scorm-content/t/{token}/"' in html
    assert 'id="sco-frame"' in html and 'id="scorm-spec"' in html
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_player_frames_the_content_origin(client, isolated, version, learner):
    client.force_login(learner)

    response = client.get(f"/learn/TST-SCC-1/scorm/{version.package_id}/")

    config = response.context["config"]
    assert config["contentOrigin"] == ORIGIN
    prefix = f"{ORIGIN}/scorm-content/t/"
    assert config["runtimeUrl"].startswith(prefix)
    assert config["runtimeUrl"].endswith("/" + content.RUNTIME_PATH)
    token = config["runtimeUrl"][len(prefix) :].split("/", 1)[0]
    grant = content.content_token_read(token)
    assert (grant.user_id, grant.version_id, grant.platform_origin) == (
        learner.pk,
        version.pk,
        PLATFORM,
    )
    frame_src = re.search(r"frame-src ([^;]+)", response["Content-Security-Policy"]).group(1)
    assert ORIGIN in frame_src.split()
    assert config["csrfToken"] not in config["runtimeUrl"]


# --- Validators: 304 --------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["same-origin", "content-origin"])
def test_unchanged_files_answer_304(client, settings, version, learner, mode):
    if mode == "content-origin":
        settings.SCORM_CONTENT_ORIGIN = ORIGIN
        settings.ALLOWED_HOSTS = ["testserver", CONTENT]
        token = _token(learner, version)

        def get(**headers):
            return _get(client, token, **headers)
    else:
        client.force_login(learner)

        def get(**headers):
            return client.get(f"/scorm-content/{version.pk}/index.html", **headers)

    first = get()
    by_etag = get(HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = get(HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    changed = get(HTTP_IF_NONE_MATCH='"something-else"')

    assert first.status_code == 200
    assert by_etag.status_code == 304 and by_date.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    assert by_etag["Cache-Control"].startswith("private")
    assert changed.status_code == 200


def test_head_requests_are_answered(client, learner, version):
    client.force_login(learner)
    response = client.head(f"/scorm-content/{version.pk}/index.html")
    assert response.status_code == 200 and response["ETag"]


# --- Same-origin mode: the session decides ------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("enrolled", 200),
        ("trainer", 200),
        ("reviewer", 200),
        ("admin", 200),
        ("not enrolled", 404),
        ("anonymous", 404),
    ],
)
def test_same_origin_files_and_runtime_follow_course_access(client, course, version, who, status):
    users = {
        "enrolled": lambda: _member(course),
        "trainer": lambda: _member(course, Enrolment.Role.TRAINER, (Role.TRAINER,)),
        "reviewer": lambda: UserFactory(roles=[Role.REVIEWER]),
        "admin": lambda: UserFactory(roles=[Role.ADMIN]),
        "not enrolled": lambda: UserFactory(roles=[Role.OFFICER]),
    }
    if who in users:
        client.force_login(users[who]())

    file = client.get(f"/scorm-content/{version.pk}/index.html")
    runtime = client.get(f"/scorm-content/{version.pk}/{content.RUNTIME_PATH}")

    assert (file.status_code, runtime.status_code) == (status, status)
    if status == 200:
        assert file["Cross-Origin-Resource-Policy"] == "same-origin"
        assert file["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in runtime["Content-Security-Policy"]
        assert "script-src 'self'" in runtime["Content-Security-Policy"]
        assert '"platformOrigin": ""' in runtime.content.decode()
        assert f'"base": "/scorm-content/{version.pk}/"' in runtime.content.decode()


def test_the_reserved_folder_is_not_a_package_path(client, version, learner):
    folder = services.version_root(version) / "__lms__"
    folder.mkdir()
    (folder / "runtime.js").write_text("alert(1)")
    client.force_login(learner)

    assert client.get(f"/scorm-content/{version.pk}/__lms__/runtime.js").status_code == 404


def test_text_in_another_encoding_keeps_its_own_charset(client, version, learner):
    (services.version_root(version) / "legacy.html").write_bytes(
        "<meta charset='windows-1252'><p>caf\u00e9</p>".encode("cp1252")
    )
    client.force_login(learner)

    legacy = client.get(f"/scorm-content/{version.pk}/legacy.html")
    modern = client.get(f"/scorm-content/{version.pk}/index.html")

    assert legacy["Content-Type"] == "text/html"
    assert modern["Content-Type"] == "text/html; charset=utf-8"


# --- Configuration checks ----------------------------------------------------------------
def _check_ids():
    return {message.id for message in run_checks() if message.id.startswith("courses.")}


def test_a_sound_content_origin_passes_the_checks(isolated):
    assert _check_ids() == set()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"SCORM_CONTENT_ORIGIN": "https://scorm.example/path"}, "courses.E101"),
        ({"ALLOWED_HOSTS": ["testserver"]}, "courses.E102"),
        ({"CSRF_TRUSTED_ORIGINS": [ORIGIN]}, "courses.E103"),
        ({"CSRF_TRUSTED_ORIGINS": ["http://*.testserver"]}, "courses.E103"),
        ({"SESSION_COOKIE_DOMAIN": ".testserver"}, "courses.E104"),
        ({"CSRF_COOKIE_DOMAIN": ".testserver"}, "courses.E104"),
        ({"SITE_URL": ORIGIN}, "courses.E105"),
    ],
)
def test_a_content_origin_that_would_not_isolate_is_an_error(isolated, change, error):
    for name, value in change.items():
        setattr(isolated, name, value)

    assert error in _check_ids()
