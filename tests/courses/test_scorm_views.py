"""SCORM pages: package files (access, types, headers, traversal), the player, launch and
commit endpoints, the trainer report, the admin upload page and the import command."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from courses import services as course_services
from courses.demo_scorm import passport_package_12, passport_package_2004
from courses.models import Enrolment, ScormAttempt, ScormPackage
from courses.scorm import services
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def course():
    return course_create(modules=1, lessons=1, code="TST-SCV-1")


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


def _content(version, path="index.html"):
    return f"/scorm-content/{version.pk}/{path}"


def test_an_enrolled_learner_gets_package_files_with_safe_headers(client, version, learner):
    client.force_login(learner)

    response = client.get(_content(version))
    script = client.get(_content(version, "module.js"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert script["Content-Type"].startswith("text/javascript")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_others_get_404_for_package_files_and_the_player(client, version, who):
    if who == "stranger":
        client.force_login(UserFactory(roles=[Role.OFFICER]))

    assert client.get(_content(version)).status_code == 404
    player = client.get(f"/learn/TST-SCV-1/scorm/{version.package_id}/")
    assert player.status_code == (404 if who == "stranger" else 302)


@pytest.mark.parametrize(
    "path", ["../../../etc/passwd", "..%2f..%2fetc/passwd", "a/../../x", "missing.html", "."]
)
def test_path_traversal_and_missing_files_are_404(client, version, learner, path):
    client.force_login(learner)
    assert client.get(_content(version, path)).status_code == 404


def test_the_player_embeds_the_spec_and_the_scos(client, version, learner):
    client.force_login(learner)

    response = client.get(f"/learn/TST-SCV-1/scorm/{version.package_id}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="scorm-config"' in html and 'id="scorm-spec"' in html
    assert "courses/scorm/player.js" in html  # the API itself is in the runtime page
    assert response.context["config"]["runtimeUrl"] == _content(version, "__lms__/runtime.html")
    assert response.context["config"]["scos"][0]["url"] == _content(version)
    assert response.context["spec"]["api"] == "API_1484_11"


def _launch(client, version, **body):
    return client.post(
        f"/learn/scorm/{version.package_id}/launch",
        json.dumps({"sco": "item_passport", **body}),
        content_type="application/json",
    )


def test_launch_and_commit_round_trip(client, version, learner):
    client.force_login(learner)
    launch = _launch(client, version).json()

    first = client.post(
        launch["commitUrl"],
        json.dumps({"session": launch["session"], "commits": [
            {"seq": 1, "values": [["cmi.location", "page-2"], ["cmi.score.scaled", "0.9"]]},
        ]}),
        content_type="application/json",
    )  # fmt: skip
    retry = client.post(
        launch["commitUrl"],
        json.dumps({"session": launch["session"], "commits": [
            {"seq": 1, "values": [["cmi.location", "stale"]]},
        ]}),
        content_type="application/json",
    )  # fmt: skip

    assert launch["values"]["cmi.entry"] == "ab-initio"
    assert launch["context"]["cmi.learner_id"] == learner.username
    assert first.json()["seq"] == 1 and first.json()["success_status"] == "passed"
    assert retry.json()["applied"] == 0
    assert ScormAttempt.objects.get().state["cmi.location"] == "page-2"


def test_commit_to_someone_elses_attempt_is_404(client, version, learner):
    client.force_login(learner)
    launch = _launch(client, version).json()
    client.force_login(UserFactory())

    response = client.post(
        launch["commitUrl"],
        json.dumps({"session": 1, "commits": [{"seq": 1, "values": []}]}),
        content_type="application/json",
    )

    assert response.status_code == 404


def test_a_malformed_commit_is_400(client, version, learner):
    client.force_login(learner)
    launch = _launch(client, version).json()

    response = client.post(launch["commitUrl"], "not json", content_type="application/json")

    assert response.status_code == 400


def test_a_stranger_cannot_launch(client, version):
    client.force_login(UserFactory(roles=[Role.OFFICER]))
    assert _launch(client, version).status_code == 404


def test_the_trainer_report_lists_learners_and_results(client, course, version, learner):
    launch = services.scorm_attempt_launch(
        user=learner, package=version.package, sco="item_passport"
    )
    services.scorm_attempt_commit(
        attempt_id=launch.attempt.pk, user=learner, session=launch.session,
        commits=[{"seq": 1, "values": [["cmi.interactions.0.id", "q1"],
                                        ["cmi.interactions.0.type", "choice"],
                                        ["cmi.interactions.0.learner_response", "dull"],
                                        ["cmi.score.scaled", "0.9"]]}],
    )  # fmt: skip
    trainer = UserFactory(roles=[Role.TRAINER])
    course_services.enrolment_create(
        user=trainer, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
    )
    client.force_login(trainer)

    response = client.get(f"/learn/TST-SCV-1/scorm/{version.package_id}/report/")

    assert response.status_code == 200
    html = response.content.decode()
    assert learner.username in html and "q1" in html and "dull" in html and "passed" in html


def test_the_report_is_forbidden_to_learners(client, version, learner):
    client.force_login(learner)
    assert client.get(f"/learn/TST-SCV-1/scorm/{version.package_id}/report/").status_code == 403


def test_the_report_costs_a_fixed_number_of_queries(client, course, version, query_budget):
    admin = UserFactory(roles=[Role.ADMIN])
    for _n in range(4):
        user = UserFactory()
        course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
        services.scorm_attempt_launch(user=user, package=version.package, sco="item_passport")
    client.force_login(admin)
    url = f"/learn/TST-SCV-1/scorm/{version.package_id}/report/"
    query_budget(client.get, url, max_queries=14)
    few = query_budget.last_count
    user = UserFactory()
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    services.scorm_attempt_launch(user=user, package=version.package, sco="item_passport")
    query_budget(client.get, url, max_queries=few)


def test_the_lesson_block_links_to_the_player(client, course, version, learner):
    from tests.courses.factories import lessons_of

    lesson = lessons_of(course)[0]
    lesson.body = [("scorm", {"title": "Passports", "required": True,
                              "package": str(version.package_id)})]  # fmt: skip
    lesson.save_revision().publish()
    client.force_login(learner)

    response = client.get(lesson.url)

    assert f"/learn/TST-SCV-1/scorm/{version.package_id}/" in response.content.decode()


def test_the_admin_upload_page(client, course, media):
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)

    page = client.get("/cms/scorm/")
    ok = client.post(
        "/cms/scorm/",
        {"course": course.pk, "file": SimpleUploadedFile("p.zip", passport_package_12())},
    )
    bad = client.post(
        "/cms/scorm/", {"course": course.pk, "file": SimpleUploadedFile("p.zip", b"nope")}
    )

    assert page.status_code == 200
    assert ok.status_code == 302 and ScormPackage.objects.count() == 1
    assert bad.status_code == 200 and "not a zip" in bad.content.decode()
    assert ScormPackage.objects.count() == 1


def test_import_scorm_command(course, tmp_path, capsys):
    path = tmp_path / "passport.zip"
    path.write_bytes(passport_package_12())

    call_command("import_scorm", str(path), "--course", "TST-SCV-1")

    assert ScormPackage.objects.get().version == "1.2"
    assert "item_passport" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a zip"):
        bad = tmp_path / "bad.zip"
        bad.write_bytes(b"nope")
        call_command("import_scorm", str(bad), "--course", "TST-SCV-1")
    with pytest.raises(CommandError, match="no course"):
        call_command("import_scorm", str(path), "--course", "NOPE")


def _commit_values(n: int, interactions: int) -> list:
    values = [["cmi.location", f"page-{n}"], ["cmi.suspend_data", f"state {n}"]]
    for i in range(interactions):
        values += [
            [f"cmi.interactions.{i}.id", f"q{i}"],
            [f"cmi.interactions.{i}.type", "choice"],
            [f"cmi.interactions.{i}.learner_response", "a"],
            [f"cmi.interactions.{i}.result", "correct"],
        ]
    return values


def _commit_cost(client, query_budget, version, learner, interactions: int, budget: int) -> int:
    """The queries of a SCORM commit after the first (the learner's steady state)."""
    client.force_login(learner)
    launch = _launch(client, version).json()

    def commit(seq: int):
        return client.post(
            launch["commitUrl"],
            json.dumps({"session": launch["session"], "commits": [
                {"seq": seq, "values": _commit_values(seq, interactions)}
            ]}),
            content_type="application/json",
        )  # fmt: skip

    assert commit(1).json()["applied"] == 1
    response = query_budget(commit, 2, max_queries=budget)
    assert response.json()["applied"] == 1
    return query_budget.last_count


def test_a_commit_costs_the_same_with_1_and_20_interactions_and_other_learners(
    client, course, version, learner, query_budget
):
    few = _commit_cost(client, query_budget, version, learner, interactions=1, budget=7)
    for _ in range(5):  # other learners with attempts of their own
        other = UserFactory(roles=[Role.OFFICER])
        course_services.enrolment_create(user=other, course=course, source=Enrolment.Source.BULK)
        client.force_login(other)
        _launch(client, version)
    last = other  # enrolled, launched once already
    many = _commit_cost(client, query_budget, version, last, interactions=20, budget=few)
    assert many <= few
