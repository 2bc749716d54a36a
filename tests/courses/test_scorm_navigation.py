"""SCORM 2004 sequencing in the platform: the launch endpoint runs the sequencer (refused
requests are 409 and change nothing), commits feed it, content navigation requests are
honoured; assets complete when opened; versions without a stored tree still work; global
objectives are kept per package attempt or per learner, prefill the SCO's cmi.objectives;
time limits run on the server's clock."""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services as course_services
from courses.demo_scorm import passport_package_2004
from courses.models import (
    Enrolment,
    ScormAttempt,
    ScormGlobalObjective,
    ScormPackageVersion,
    ScormSequencing,
)
from courses.scorm import navigation, services
from lms.roles import Role
from tests.courses.factories import course_create
from tests.courses.scorm_trees import FLOW, package_zip, sco, seq
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORCED = "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def course():
    return course_create(modules=1, lessons=1, code="TST-SEQ-1")


@pytest.fixture
def learner(course, client):
    user = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    client.force_login(user)
    return user


@pytest.fixture
def forced(course, shared_fixture):
    return services.scorm_package_upload(course=course, file=shared_fixture(FORCED), user=None)


def launch(client, version, **body):
    return client.post(
        f"/learn/scorm/{version.package_id}/launch",
        json.dumps(body),
        content_type="application/json",
    )


def commit(client, answer, values, seq=1, finish=False):
    return client.post(
        answer["commitUrl"],
        json.dumps({"session": answer["session"], "commits": [
            {"seq": seq, "values": values, "finish": finish},
        ]}),
        content_type="application/json",
    ).json()  # fmt: skip


def entry(navigation_, identifier):
    return next(e for e in navigation_["toc"] if e["id"] == identifier)


COMPLETED_AND_PASSED = [
    ["cmi.completion_status", "completed"],
    ["cmi.success_status", "passed"],
    ["cmi.exit", "suspend"],
]


def test_the_upload_stores_the_activity_tree(forced):
    tree = forced.manifest["activity_tree"]
    assert tree["root"]["id"] == "golf_sample_default_org"
    assert [c["id"] for c in tree["root"]["children"]][:2] == ["playing_item", "etuqiette_item"]


def test_start_launches_the_sco_the_sequencer_delivers(client, forced, learner):
    answer = launch(client, forced, request="start").json()

    assert answer["sco"] == "playing_item"
    assert answer["values"]["cmi.entry"] == "ab-initio"
    assert entry(answer["navigation"], "etuqiette_item")["disabled"] is True
    row = ScormSequencing.objects.get(user=learner)
    assert row.state["current"] == "playing_item"


def test_a_forbidden_choice_is_409_and_changes_nothing(client, forced, learner):
    launch(client, forced, request="start")
    before = ScormSequencing.objects.get(user=learner).state

    refused = launch(client, forced, request="choice", target="etuqiette_item")
    legacy = launch(client, forced, sco="handicapping_item")  # a bare sco is a choice too

    assert refused.status_code == 409 and legacy.status_code == 409
    assert "not available" in refused.json()["detail"]
    assert refused.json()["navigation"]["current"] == "playing_item"
    assert ScormSequencing.objects.get(user=learner).state == before
    assert set(ScormAttempt.objects.values_list("sco", flat=True)) == {"playing_item"}


def test_a_commit_that_satisfies_the_sco_opens_the_next_one(client, forced, learner):
    answer = launch(client, forced, request="start").json()

    stored = commit(client, answer, COMPLETED_AND_PASSED)

    assert stored["success_status"] == "passed"
    assert entry(stored["navigation"], "etuqiette_item")["choice"] is True
    assert stored["navigation"]["valid"]["continue"] is True
    chosen = launch(client, forced, request="choice", target="etuqiette_item").json()
    assert chosen["sco"] == "etuqiette_item"
    assert ScormSequencing.objects.get(user=learner).state["current"] == "etuqiette_item"


def test_a_commit_that_changes_no_status_does_not_touch_the_sequencing(client, forced, learner):
    answer = launch(client, forced, request="start").json()
    before = ScormSequencing.objects.get(user=learner).updated_at

    stored = commit(client, answer, [["cmi.location", "3"], ["cmi.suspend_data", "x"]])

    assert stored["navigation"] is None
    assert ScormSequencing.objects.get(user=learner).updated_at == before


def test_the_contents_navigation_request_is_honoured_after_terminate(client, forced, learner):
    answer = launch(client, forced, request="start").json()
    commit(client, answer, [*COMPLETED_AND_PASSED, ["adl.nav.request", "continue"]], finish=True)

    following = launch(client, forced, request="continue").json()

    assert following["sco"] == "etuqiette_item"
    state = ScormSequencing.objects.get(user=learner).state
    assert state["activities"]["playing_item"]["suspended"] is True


def test_going_back_resumes_the_suspended_sco(client, forced, learner):
    first = launch(client, forced, request="start").json()
    commit(client, first, [*COMPLETED_AND_PASSED, ["cmi.location", "4"]], finish=True)
    launch(client, forced, request="continue")

    back = launch(client, forced, request="choice", target="playing_item").json()

    assert back["sco"] == "playing_item" and back["attempt"] == first["attempt"]
    assert back["values"]["cmi.entry"] == "resume"
    assert back["values"]["cmi.location"] == "4"


def test_suspend_all_ends_the_session_and_a_new_visit_resumes(client, forced, learner):
    first = launch(client, forced, request="start").json()
    commit(client, first, [["cmi.exit", "suspend"], ["adl.nav.request", "suspendAll"]], finish=True)

    ended = launch(client, forced, request="suspendAll").json()
    again = launch(client, forced, request="start").json()

    assert ended["sco"] is None and ended["ended"] is True
    assert ended["navigation"]["suspended"] is True
    assert again["sco"] == "playing_item" and again["values"]["cmi.entry"] == "resume"


def test_a_relaunch_goes_back_to_the_running_sco(client, forced, learner):
    first = launch(client, forced, request="start").json()

    again = launch(client, forced, request="start").json()

    assert again["sco"] == "playing_item" and again["attempt"] == first["attempt"]
    assert again["session"] == first["session"] + 1


def test_start_over_makes_a_new_attempt_of_the_current_item(client, forced, learner):
    first = launch(client, forced, request="start").json()

    again = launch(client, forced, restart=True, target="playing_item").json()

    assert again["sco"] == "playing_item" and again["number"] == first["number"] + 1
    state = ScormSequencing.objects.get(user=learner).state
    assert state["activities"]["playing_item"]["attempts"] == 2


def test_a_version_without_a_stored_tree_reads_its_manifest(client, course, learner):
    version = services.scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_2004()), user=None
    )
    manifest = dict(version.manifest)
    manifest.pop("activity_tree")
    ScormPackageVersion.objects.filter(pk=version.pk).update(manifest=manifest)

    answer = launch(client, version, request="start").json()

    assert answer["sco"] == "item_passport"


def test_the_sequencing_state_rolls_up_to_a_course_result(client, course, learner):
    version = services.scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_2004()), user=None
    )
    answer = launch(client, version, request="start").json()

    commit(client, answer, [["cmi.score.scaled", "0.9"], ["cmi.completion_status", "completed"]])

    row = ScormSequencing.objects.get(user=learner)
    assert (row.completion_status, row.success_status) == ("completed", "passed")
    assert row.score_scaled == pytest.approx(0.9)


def test_the_player_says_the_package_is_sequenced(client, forced, learner):
    response = client.get(f"/learn/TST-SEQ-1/scorm/{forced.package_id}/")

    config = response.context["config"]
    assert config["sequencing"] is True
    assert "activity_tree" not in config["manifest"]
    assert 'id="scorm-notice"' in response.content.decode()


def test_navigation_selector_reads_without_writing(forced, learner):
    package = forced.package

    nav = navigation.scorm_navigation(user=learner, package=package)

    assert nav["current"] is None
    assert entry(nav, "playing_item")["choice"] is True
    assert not ScormSequencing.objects.exists()


def test_opening_an_asset_completes_it(client, course, learner, shared_fixture):
    version = services.scorm_package_upload(
        course=course,
        file=shared_fixture("scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip"),
        user=None,
    )

    answer = launch(client, version, sco="playing_par_item").json()

    attempt = ScormAttempt.objects.get(pk=answer["attempt"])
    assert (attempt.completion_status, attempt.lesson_status) == ("completed", "completed")
    assert attempt.completed_at is not None


def test_a_sequenced_package_completes_its_lesson_when_its_tree_rolls_up(
    client, course, learner, shared_fixture
):
    from courses.models import LessonProgress
    from tests.courses.factories import lessons_of

    version = services.scorm_package_upload(
        course=course,
        file=shared_fixture("scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip"),
        user=None,
    )
    lesson = lessons_of(course)[0]
    lesson.completion_rule = "activities"
    lesson.body = [("scorm", {"title": "Golf", "required": True,
                              "package": str(version.package_id)})]  # fmt: skip
    lesson.save_revision().publish()
    answer = launch(client, version, request="start").json()
    for _item in range(4):  # the content, then the first test of the bank
        commit(client, answer, [["cmi.completion_status", "completed"]], finish=True)
        answer = launch(client, version, request="continue").json()
    assert answer["sco"].startswith("test_")
    assert not LessonProgress.objects.filter(user=learner, completed_at__isnull=False).exists()

    commit(client, answer, [["cmi.completion_status", "completed"], ["cmi.score.scaled", "0.9"],
                            ["cmi.success_status", "passed"]], finish=True)  # fmt: skip
    end = launch(client, version, request="continue").json()

    assert end["ended"] is True  # one test of four was enough
    row = ScormSequencing.objects.get(user=learner)
    assert (row.completion_status, row.success_status) == ("completed", "passed")
    assert LessonProgress.objects.get(user=learner, lesson=lesson).completed_at is not None


# --- Global objectives, cmi.objectives at launch, time limits ------------------------------
def _objectives(values: dict) -> dict[str, dict[str, str]]:
    """cmi.objectives values by objective id."""
    ids = {k[: -len(".id")]: v for k, v in values.items() if k.startswith("cmi.objectives.")
           and k.endswith(".id")}  # fmt: skip
    return {
        ids[prefix]: {k[len(prefix) + 1 :]: v for k, v in values.items()
                      if k.startswith(prefix + ".") and not k.endswith(".id")}
        for prefix in ids
    }  # fmt: skip


def test_a_sco_starts_with_what_the_global_objectives_know(client, forced, learner):
    answer = launch(client, forced, request="start").json()
    commit(client, answer, COMPLETED_AND_PASSED)

    chosen = launch(client, forced, request="choice", target="etuqiette_item").json()

    assert _objectives(chosen["values"]) == {
        "etiquette_satisfied": {},
        "previous_sco_satisfied": {"success_status": "passed"},  # read from playing's global
    }


def test_globals_of_a_package_not_global_to_system_stay_in_its_state(client, forced, learner):
    answer = launch(client, forced, request="start").json()

    commit(client, answer, COMPLETED_AND_PASSED)

    state = ScormSequencing.objects.get(user=learner).state
    assert state["globals"]["com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied"]
    assert not ScormGlobalObjective.objects.exists()


SHARED = "pk.gov.fia.objectives.passport-checked"
WRITES = seq(
    '<imsss:objectives><imsss:primaryObjective objectiveID="checked">'
    f'<imsss:mapInfo targetObjectiveID="{SHARED}" writeSatisfiedStatus="true"/>'
    "</imsss:primaryObjective></imsss:objectives>"
)
READS = seq(
    "<imsss:sequencingRules><imsss:preConditionRule>"
    '<imsss:ruleConditions conditionCombination="any">'
    '<imsss:ruleCondition referencedObjective="prior" operator="not" condition="satisfied"/>'
    '<imsss:ruleCondition referencedObjective="prior" operator="not" '
    'condition="objectiveStatusKnown"/></imsss:ruleConditions>'
    '<imsss:ruleAction action="disabled"/></imsss:preConditionRule></imsss:sequencingRules>'
    '<imsss:objectives><imsss:primaryObjective objectiveID="advanced"/>'
    f'<imsss:objective objectiveID="prior"><imsss:mapInfo targetObjectiveID="{SHARED}"/>'
    "</imsss:objective></imsss:objectives>"
)


def test_globals_global_to_system_are_shared_by_the_learners_packages(client, course, learner):
    basics = services.scorm_package_upload(
        course=course, file=package_zip(sco("basics", WRITES), FLOW), user=None
    )
    advanced = services.scorm_package_upload(
        course=course, file=package_zip(sco("intro") + sco("advanced", READS), FLOW), user=None
    )
    assert entry(navigation.scorm_navigation(user=learner, package=advanced.package),
                 "advanced")["disabled"]  # fmt: skip
    answer = launch(client, basics, request="start").json()

    commit(client, answer, COMPLETED_AND_PASSED)

    shared = ScormGlobalObjective.objects.get(user=learner, objective_id=SHARED)
    assert shared.satisfied is True
    assert "globals" not in ScormSequencing.objects.get(package=basics.package).state
    nav = navigation.scorm_navigation(user=learner, package=advanced.package)
    assert entry(nav, "advanced")["disabled"] is False
    opened = launch(client, advanced, request="choice", target="advanced").json()
    assert _objectives(opened["values"])["prior"] == {"success_status": "passed"}
    other = UserFactory()
    assert entry(navigation.scorm_navigation(user=other, package=advanced.package),
                 "advanced")["disabled"]  # fmt: skip


def test_the_time_limit_runs_on_the_server_clock(client, course, learner):
    timed = (
        '<item identifier="quiz" identifierref="r_quiz"><title>Quiz</title>'
        "<adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>"
        + seq('<imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>')
        + "</item>"
    )
    version = services.scorm_package_upload(
        course=course, file=package_zip(timed + sco("after"), FLOW), user=None
    )
    answer = launch(client, version, request="start").json()
    assert answer["context"]["cmi.max_time_allowed"] == "PT30M"
    assert answer["context"]["cmi.time_limit_action"] == "exit,message"
    commit(client, answer, [["cmi.completion_status", "completed"]], finish=True)
    row = ScormSequencing.objects.get(user=learner)
    started = timezone.now() - timedelta(minutes=45)  # the learner took 45 minutes
    row.state["activities"]["quiz"]["attempt_start"] = started.isoformat()
    row.save()
    assert launch(client, version, request="continue").json()["sco"] == "after"

    again = launch(client, version, request="choice", target="quiz")

    assert again.status_code == 409
    assert again.json()["detail"] == "The time allowed for this item has been used."
    assert entry(again.json()["navigation"], "quiz")["disabled"] is True
