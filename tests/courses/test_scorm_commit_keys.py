"""Commit keys: the runtime frame stores a SCO's last values itself while the tab closes.

With SCORM_CONTENT_ORIGIN set the runtime frame has no platform cookie, so a key signed at
launch authorises its commits to that one attempt and launch, from that origin, through
the same seq ordering as the player's commits (courses/scorm/commit_keys.py).
"""

import io
import json

import pytest
from django.core import signing
from django.test import Client

from courses import services as course_services
from courses.demo_scorm import passport_package_2004
from courses.models import Enrolment, ScormAttempt
from courses.scorm import commit_keys, content, services
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


@pytest.fixture
def isolated(settings):
    settings.SCORM_CONTENT_ORIGIN = ORIGIN
    settings.ALLOWED_HOSTS = ["testserver", CONTENT]
    return settings


@pytest.fixture
def course():
    return course_create(modules=1, lessons=1, code="TST-SCK-1")


@pytest.fixture
def version(course):
    return services.scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_2004()), user=None
    )


@pytest.fixture
def learner(course):
    user = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    return user


def _launch(learner, version, **body) -> dict:
    """The launch answer the player gets (with the session cookie)."""
    client = Client()
    client.force_login(learner)
    response = client.post(
        f"/learn/scorm/{version.package_id}/launch",
        json.dumps({"sco": "item_passport", **body}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()


def _runtime_commit(launch, commits, *, key=None, session=None, origin=ORIGIN):
    """A commit as the runtime frame sends it: no cookie, no CSRF token, a text/plain body
    (a CORS-simple request, no preflight), from the content origin by default."""
    body = {"session": session or launch["session"], "commits": commits}
    if key != "":
        body["key"] = key or launch["commitKey"]
    return Client(enforce_csrf_checks=True).post(
        launch["commitUrl"],
        json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        **({"HTTP_ORIGIN": origin} if origin else {}),
    )


def _state():
    return ScormAttempt.objects.get().state


# --- A valid key -----------------------------------------------------------------------
def test_the_runtime_frame_commits_with_its_key_from_the_content_origin(isolated, version, learner):
    launch = _launch(learner, version)

    response = _runtime_commit(
        launch, [{"seq": 1, "values": [["cmi.suspend_data", "closing"]], "finish": True}]
    )

    assert response.status_code == 200
    assert response.json()["seq"] == 1 and response.json()["applied"] == 1
    assert _state()["cmi.suspend_data"] == "closing"
    assert ScormAttempt.objects.get().terminated is True
    # the content origin may read the answer, never with credentials
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]
    assert not response.cookies


def test_same_origin_mode_takes_the_key_too(settings, version, learner):
    settings.SCORM_CONTENT_ORIGIN = ""
    launch = _launch(learner, version)

    response = _runtime_commit(
        launch, [{"seq": 1, "values": [["cmi.location", "p9"]]}], origin=PLATFORM
    )

    assert response.status_code == 200
    assert _state()["cmi.location"] == "p9"
    assert "Access-Control-Allow-Origin" not in response  # no CORS without a content origin


def test_a_key_names_the_attempt_the_learner_and_the_launch(version, learner):
    launch = _launch(learner, version)

    grant = commit_keys.commit_key_read(
        launch["commitKey"], attempt_id=launch["attempt"], session=launch["session"]
    )

    assert grant == commit_keys.CommitGrant(launch["attempt"], learner.pk, launch["session"])
    assert launch["commitKey"] not in launch["commitUrl"]  # never in an address (logs)


# --- Keys that are refused ---------------------------------------------------------------
def _refused(response, words: str) -> None:
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert words in data["detail"]
    assert data["errors"] == [{"field": "key", "message": data["detail"]}]


def test_an_expired_key_is_403(isolated, version, learner):
    launch = _launch(learner, version)
    isolated.SCORM_COMMIT_KEY_SECONDS = 0  # every key made so far has expired

    response = _runtime_commit(launch, [{"seq": 1, "values": [["cmi.location", "x"]]}])

    _refused(response, "expired")
    assert response["Access-Control-Allow-Origin"] == ORIGIN  # the frame may read why
    assert "cmi.location" not in _state()


def test_a_key_for_another_attempt_is_403(isolated, course, version, learner):
    mine = _launch(learner, version)
    other_learner = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(
        user=other_learner, course=course, source=Enrolment.Source.BULK
    )
    theirs = _launch(other_learner, version)

    response = _runtime_commit(
        theirs, [{"seq": 1, "values": [["cmi.location", "x"]]}], key=mine["commitKey"]
    )

    _refused(response, "another attempt")
    assert all("cmi.location" not in a.state for a in ScormAttempt.objects.all())


def test_a_key_for_another_launch_is_403(isolated, version, learner):
    first = _launch(learner, version)
    again = services.scorm_attempt_launch(  # the SCO was launched again: session 2
        user=learner, package=version.package, sco="item_passport"
    )
    assert (again.attempt.pk, again.session) == (first["attempt"], 2)

    response = _runtime_commit(first, [{"seq": 1, "values": [["cmi.location", "x"]]}], session=2)
    stale = _runtime_commit(first, [{"seq": 1, "values": [["cmi.location", "old"]]}])

    _refused(response, "another launch")
    # the old launch's own key still reaches only its own, older session: ignored
    assert stale.status_code == 200 and stale.json()["stale"] is True
    assert "cmi.location" not in _state()


@pytest.mark.parametrize("change", ["signature", "payload", "salt", "garbage", "not-text"])
def test_a_tampered_key_is_403(isolated, version, learner, change):
    launch = _launch(learner, version)
    key = launch["commitKey"]
    if change == "signature":
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    elif change == "payload":  # another attempt's data with this key's signature
        other = commit_keys.commit_key_create(
            attempt_id=launch["attempt"] + 1, user_id=learner.pk, session=1
        )
        key = other.split(":", 1)[0] + ":" + key.split(":", 1)[1]
    elif change == "salt":  # the same data signed for another purpose
        key = content._signer().sign_object([launch["attempt"], learner.pk, 1])
    elif change == "garbage":
        key = "not-a-key"
    else:
        key = 12345

    response = _runtime_commit(launch, [{"seq": 1, "values": [["cmi.location", "x"]]}], key=key)

    _refused(response, "not valid" if change != "not-text" else "malformed")
    assert "cmi.location" not in _state()


def test_a_key_of_a_learner_who_can_no_longer_sign_in_is_403(isolated, version, learner):
    launch = _launch(learner, version)
    learner.is_active = False
    learner.save()

    response = _runtime_commit(launch, [{"seq": 1, "values": [["cmi.location", "x"]]}])

    _refused(response, "not valid")


def test_without_a_key_the_cookie_and_csrf_path_is_unchanged(isolated, version, learner):
    launch = _launch(learner, version)
    commit = {"session": launch["session"], "commits": [{"seq": 1, "values": []}]}
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(learner)

    anonymous = Client().post(
        launch["commitUrl"], json.dumps(commit), content_type="application/json"
    )
    no_token = signed_in.post(
        launch["commitUrl"], json.dumps(commit), content_type="application/json"
    )
    signed_in.get(f"/learn/TST-SCK-1/scorm/{version.package_id}/")  # sets the CSRF cookie
    token = signed_in.cookies["csrftoken"].value
    with_token = signed_in.post(
        launch["commitUrl"],
        json.dumps(commit),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert anonymous.status_code == 401  # (a browser's request would fail the CSRF check first)
    assert no_token.status_code == 403 and b"CSRF" in no_token.content
    assert with_token.status_code == 200


def test_a_key_does_not_launch(isolated, version, learner):
    launch = _launch(learner, version)

    response = Client(enforce_csrf_checks=True).post(
        f"/learn/scorm/{version.package_id}/launch",
        json.dumps({"sco": "item_passport", "key": launch["commitKey"]}),
        content_type="text/plain",
        HTTP_ORIGIN=ORIGIN,
    )

    assert response.status_code == 403  # CSRF: the launch endpoint takes no key
    assert "Access-Control-Allow-Origin" not in response


# --- Idempotent and ordered with the player's commits -------------------------------------
def test_commits_the_player_already_sent_are_not_applied_again(isolated, version, learner):
    launch = _launch(learner, version)
    attempt = ScormAttempt.objects.get()
    services.scorm_attempt_commit(  # the player's commit of batches 1 and 2 got through
        attempt_id=attempt.pk,
        user=learner,
        session=launch["session"],
        commits=[{"seq": 2, "values": [["cmi.location", "p1"], ["cmi.location", "p2"]]}],
    )

    final = _runtime_commit(
        launch,
        [
            {"seq": 1, "values": [["cmi.location", "p1"]]},
            {"seq": 2, "values": [["cmi.location", "p2"]]},
            {"seq": 3, "values": [["cmi.suspend_data", "s3"]], "finish": True},
        ],
    )
    again = _runtime_commit(launch, [{"seq": 3, "values": [["cmi.suspend_data", "again"]]}])
    late = _runtime_commit(launch, [{"seq": 1, "values": [["cmi.location", "p1"]]}])

    assert final.json()["applied"] == 1 and final.json()["seq"] == 3
    assert again.json()["applied"] == 0 and late.json()["applied"] == 0
    assert _state()["cmi.location"] == "p2"  # the older commit arriving late changed nothing
    assert _state()["cmi.suspend_data"] == "s3"


def test_the_player_commit_arriving_after_the_final_one_changes_nothing(isolated, version, learner):
    launch = _launch(learner, version)
    _runtime_commit(
        launch,
        [
            {"seq": 1, "values": [["cmi.location", "p1"]]},
            {"seq": 2, "values": [["cmi.location", "p2"]]},
        ],
    )

    outcome = services.scorm_attempt_commit(
        attempt_id=ScormAttempt.objects.get().pk,
        user=learner,
        session=launch["session"],
        commits=[{"seq": 1, "values": [["cmi.location", "p1"]]}],
    )

    assert outcome.applied == 0 and outcome.seq == 2
    assert _state()["cmi.location"] == "p2"


# --- CORS: the content origin, the commit endpoint only -----------------------------------
def test_the_content_origin_gets_a_preflight_answer(isolated, version, learner):
    launch = _launch(learner, version)

    response = Client().options(
        launch["commitUrl"],
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Allow-Methods"] == "POST"
    assert response["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("origin", ["http://elsewhere.example", PLATFORM, ""])
def test_other_origins_get_no_cors(isolated, version, learner, origin):
    launch = _launch(learner, version)
    headers = {"HTTP_ORIGIN": origin} if origin else {}

    preflight = Client().options(launch["commitUrl"], **headers)
    posted = _runtime_commit(launch, [{"seq": 1, "values": []}], origin=origin)

    assert preflight.status_code == 405
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Origin" not in posted  # the key works; the answer is unread


def test_no_other_endpoint_answers_the_content_origin(isolated, version, learner):
    for url in (f"/learn/scorm/{version.package_id}/launch", "/api/v1/me", "/"):
        response = Client().options(url, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response, url


# --- The runtime page may reach the commit endpoint ----------------------------------------
def test_the_runtime_page_may_connect_to_the_platform_only(isolated, version, learner):
    token = content.content_token_create(
        user_id=learner.pk, version_id=version.pk, platform_origin=PLATFORM
    )

    response = Client().get(f"/scorm-content/t/{token}/{content.RUNTIME_PATH}", HTTP_HOST=CONTENT)

    assert f"connect-src {PLATFORM};" in response["Content-Security-Policy"] + ";"


def test_the_same_origin_runtime_page_may_connect_to_itself(settings, version, learner):
    client = Client()
    client.force_login(learner)

    response = client.get(f"/scorm-content/{version.pk}/{content.RUNTIME_PATH}")

    assert "connect-src 'self';" in response["Content-Security-Policy"] + ";"


def test_salted_keys_are_not_content_tokens(isolated, version, learner):
    launch = _launch(learner, version)

    assert content.content_token_read(launch["commitKey"]) is None
    with pytest.raises(signing.BadSignature):
        signing.loads(launch["commitKey"])


def test_a_seq_beyond_the_columns_range_is_400(isolated, version, learner):
    launch = _launch(learner, version)

    response = _runtime_commit(launch, [{"seq": 2**31, "values": [["cmi.location", "x"]]}])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "commits.1.seq"
    assert ScormAttempt.objects.get().seq == 0
