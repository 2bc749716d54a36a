"""The SCORM 1.2 and 2004 CMI data models: types, access, arrays, sessions, commits, JSON."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.scorm.datamodel import (
    ERRORS_12,
    ERRORS_2004,
    Cmi12,
    Cmi2004,
    LaunchContext,
    LmsComment,
    RuntimeApi,
    SharedData,
    apply_commit,
    error_string,
    format_duration_2004,
    format_timespan_12,
    parse_duration_2004,
    parse_timespan_12,
    to_json_spec,
)
from courses.scorm.datamodel.elements import ELEMENTS_12, ELEMENTS_2004
from courses.scorm.datamodel.responses import check_response
from courses.scorm.datamodel.types import TYPES_2004, check
from courses.scorm.launch import launch_context
from courses.scorm.manifest import parse_manifest


def model12(**context) -> Cmi12:
    return Cmi12.launch(context=LaunchContext(learner_id="officer-7", **context))


def model2004(**context) -> Cmi2004:
    return Cmi2004.launch(context=LaunchContext(learner_id="officer-7", **context))


# --- error tables -----------------------------------------------------------------------
def test_error_tables_have_every_standard_code():
    assert set(ERRORS_12) == {0, 101, 201, 202, 203, 301, 401, 402, 403, 404, 405}
    assert set(ERRORS_2004) == {
        0, 101, 102, 103, 104, 111, 112, 113, 122, 123, 132, 133, 142, 143,
        201, 301, 351, 391, 401, 402, 403, 404, 405, 406, 407, 408,
    }  # fmt: skip
    assert error_string(version="1.2", code="405") == "Incorrect data type"
    assert error_string(version="2004", code=408) == "Data Model Dependency Not Established"
    assert error_string(version="2004", code="nonsense") == ""


# --- SCORM 1.2 ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi._version", "3.4", 0),
        ("cmi.core.student_id", "officer-7", 0),
        ("cmi.core.lesson_status", "not attempted", 0),
        ("cmi.core.entry", "ab-initio", 0),
        ("cmi.core.total_time", "0000:00:00.00", 0),
        ("cmi.core.lesson_mode", "normal", 0),
        ("cmi.core.credit", "credit", 0),
        ("cmi.core.score.raw", "", 0),
        ("cmi.core.score._children", "raw,min,max", 0),
        ("cmi.student_preference.audio", "0", 0),
        ("cmi.launch_data", "", 0),
        ("cmi.objectives._count", "0", 0),
        ("cmi.interactions._count", "0", 0),
        ("cmi.core.exit", "", 404),
        ("cmi.core.session_time", "", 404),
        ("cmi.core.score._count", "", 203),
        ("cmi.core.student_id._children", "", 202),
        ("cmi.core.nonsense", "", 201),
        ("cmi.nonsense._children", "", 201),
        ("", "", 201),
        ("cmi.objectives.0.id", "", 201),
        ("cmi..core", "", 201),
    ],
)
def test_scorm12_get_value(element, value, code):
    assert model12().get_value(element) == (value, code)


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi.core.lesson_location", "page-3", 0),
        ("cmi.core.lesson_location", "x" * 256, 405),
        ("cmi.core.lesson_status", "incomplete", 0),
        ("cmi.core.lesson_status", "not attempted", 405),
        ("cmi.core.lesson_status", "done", 405),
        ("cmi.core.score.raw", "85.5", 0),
        ("cmi.core.score.raw", "", 0),
        ("cmi.core.score.raw", "101", 405),
        ("cmi.core.score.raw", "-1", 405),
        ("cmi.core.score.raw", "eighty", 405),
        ("cmi.core.exit", "suspend", 0),
        ("cmi.core.exit", "", 0),
        ("cmi.core.exit", "normal", 405),
        ("cmi.core.session_time", "0000:10:30.5", 0),
        ("cmi.core.session_time", "10:30", 405),
        ("cmi.core.student_id", "me", 403),
        ("cmi.core.total_time", "0001:00:00", 403),
        ("cmi.core._children", "x", 402),
        ("cmi._version", "9", 402),
        ("cmi.objectives._count", "3", 402),
        ("cmi.student_preference.audio", "-1", 0),
        ("cmi.student_preference.audio", "101", 405),
        ("cmi.student_preference.speed", "-100", 0),
        ("cmi.student_preference.text", "2", 405),
        ("cmi.suspend_data", "s" * 64000, 0),
        ("cmi.suspend_data", "s" * 64001, 405),
        ("cmi.interactions.0.id", "q1", 0),
        ("cmi.interactions.0.id", "has space", 405),
        ("cmi.interactions.0.time", "23:59:59", 0),
        ("cmi.interactions.0.time", "24:00:00", 405),
        ("cmi.interactions.0.type", "long-fill-in", 405),
        ("cmi.interactions.0.result", "wrong", 0),
        ("cmi.interactions.0.result", "0.5", 0),
        ("cmi.interactions.0.result", "incorrect", 405),
        ("cmi.interactions.1.id", "q2", 201),
        ("cmi.nonsense", "x", 201),
        ("cmi.nonsense._count", "x", 201),
        ("", "x", 201),
        ("cmi.objectives.01.id", "x", 201),
    ],
)
def test_scorm12_set_value(element, value, code):
    assert model12().set_value(element, value) == code


def test_scorm12_arrays_grow_in_order_and_write_only_elements_stay_hidden():
    cmi = model12()

    assert cmi.set_value("cmi.objectives.0.id", "obj-a") == 0
    assert cmi.set_value("cmi.objectives.2.id", "obj-c") == 201
    assert cmi.set_value("cmi.objectives.1.score.raw", "50") == 0
    assert cmi.set_value("cmi.interactions.0.objectives.0.id", "obj-a") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.0.pattern", "t") == 0

    assert cmi.get_value("cmi.objectives._count") == ("2", 0)
    assert cmi.get_value("cmi.objectives.0.id") == ("obj-a", 0)
    assert cmi.get_value("cmi.objectives.1.id") == ("", 0)
    assert cmi.get_value("cmi.objectives.1.status") == ("not attempted", 0)
    assert cmi.get_value("cmi.interactions._count") == ("1", 0)
    assert cmi.get_value("cmi.interactions.0.objectives._count") == ("1", 0)
    assert cmi.get_value("cmi.interactions.0.correct_responses._count") == ("1", 0)
    assert cmi.get_value("cmi.interactions.0.objectives.0.id") == ("", 404)
    assert cmi.get_value("cmi.interactions.3.objectives._count") == ("", 201)


def test_scorm12_context_values_reach_the_sco():
    cmi = model12(
        learner_name="Khan, Ayesha",
        credit="no-credit",
        mode="review",
        launch_data="RANDOM",
        mastery_score=80.0,
        max_time_allowed="02:30:00",
        time_limit_action="exit,message",
    )

    assert cmi.get_value("cmi.core.student_name") == ("Khan, Ayesha", 0)
    assert cmi.get_value("cmi.core.credit") == ("no-credit", 0)
    assert cmi.get_value("cmi.core.lesson_mode") == ("review", 0)
    assert cmi.get_value("cmi.launch_data") == ("RANDOM", 0)
    assert cmi.get_value("cmi.student_data.mastery_score") == ("80", 0)
    assert cmi.get_value("cmi.student_data.max_time_allowed") == ("02:30:00", 0)
    assert cmi.get_value("cmi.student_data.time_limit_action") == ("exit,message", 0)


def test_scorm12_entry_resume_after_suspend_and_time_accumulates():
    first = model12()
    first.set_value("cmi.core.session_time", "0000:10:30.5")
    first.set_value("cmi.core.exit", "suspend")
    first.set_value("cmi.suspend_data", "page=3")
    first.finish()
    first.finish()  # finishing twice does not count the session twice

    second = Cmi12.launch(state=first.to_state())
    second.set_value("cmi.core.session_time", "0001:02:00")
    second.finish()
    third = Cmi12.launch(state=second.to_state())

    assert first.get_value("cmi.core.total_time") == ("0000:10:30.50", 0)
    assert second.get_value("cmi.core.entry") == ("resume", 0)
    assert second.get_value("cmi.suspend_data") == ("page=3", 0)
    assert second.get_value("cmi.core.total_time") == ("0001:12:30.50", 0)
    assert third.get_value("cmi.core.entry") == ("", 0)
    assert third.summary().total_time_seconds == 4350.5


@pytest.mark.parametrize(
    ("context", "status", "raw", "final"),
    [
        ({}, None, None, "completed"),
        ({"mode": "browse"}, None, None, "browsed"),
        ({}, "incomplete", None, "incomplete"),
        ({"mastery_score": 80.0}, "completed", "85", "passed"),
        ({"mastery_score": 80.0}, "passed", "79.5", "failed"),
        ({"mastery_score": 80.0}, None, "80", "passed"),
        ({"mastery_score": 80.0}, "incomplete", None, "incomplete"),
        ({"mastery_score": 80.0, "credit": "no-credit"}, "completed", "10", "completed"),
        ({"mastery_score": 80.0, "mode": "browse"}, "browsed", "10", "browsed"),
    ],
)
def test_scorm12_lesson_status_rules_at_finish(context, status, raw, final):
    cmi = model12(**context)
    if status:
        assert cmi.set_value("cmi.core.lesson_status", status) == 0
    if raw:
        assert cmi.set_value("cmi.core.score.raw", raw) == 0

    cmi.finish()

    assert cmi.get_value("cmi.core.lesson_status") == (final, 0)


def test_scorm12_summary_scales_the_score():
    cmi = model12()
    cmi.set_value("cmi.core.score.min", "0")
    cmi.set_value("cmi.core.score.max", "50")
    cmi.set_value("cmi.core.score.raw", "40")
    cmi.set_value("cmi.core.lesson_status", "passed")

    summary = cmi.summary()

    assert summary.score_scaled == 0.8
    assert summary.completion_status == "completed"
    assert summary.passed is True


# --- SCORM 2004 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi._version", "1.0", 0),
        ("cmi.learner_id", "officer-7", 0),
        ("cmi.completion_status", "unknown", 0),
        ("cmi.success_status", "unknown", 0),
        ("cmi.entry", "ab-initio", 0),
        ("cmi.mode", "normal", 0),
        ("cmi.credit", "credit", 0),
        ("cmi.total_time", "PT0H0M0S", 0),
        ("cmi.time_limit_action", "continue,no message", 0),
        ("cmi.learner_preference.audio_level", "1", 0),
        ("cmi.learner_preference.language", "", 0),
        ("cmi.score._children", "scaled,raw,min,max", 0),
        ("cmi.interactions._count", "0", 0),
        ("adl.nav.request", "_none_", 0),
        ("adl.nav.request_valid.continue", "unknown", 0),
        ("cmi.location", "", 403),
        ("cmi.suspend_data", "", 403),
        ("cmi.score.raw", "", 403),
        ("cmi.progress_measure", "", 403),
        ("cmi.launch_data", "", 403),
        ("cmi.max_time_allowed", "", 403),
        ("cmi.completion_threshold", "", 403),
        ("cmi.scaled_passing_score", "", 403),
        ("cmi.exit", "", 405),
        ("cmi.session_time", "", 405),
        ("cmi.score._count", "", 301),
        ("cmi.learner_id._children", "", 301),
        ("cmi.interactions.0.id", "", 301),
        ("", "", 301),
        ("cmi.nonsense", "", 401),
        ("cmi.nonsense._children", "", 401),
        ("cmi.core.student_id", "", 401),
    ],
)
def test_scorm2004_get_value(element, value, code):
    assert model2004().get_value(element) == (value, code)


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        ("cmi.location", "chapter-2", 0),
        ("cmi.location", "x" * 1001, 406),
        ("cmi.completion_status", "completed", 0),
        ("cmi.completion_status", "passed", 406),
        ("cmi.success_status", "failed", 0),
        ("cmi.exit", "suspend", 0),
        ("cmi.exit", "logout", 0),
        ("cmi.exit", "quit", 406),
        ("cmi.score.scaled", "-1", 0),
        ("cmi.score.scaled", "1.0000001", 407),
        ("cmi.score.raw", "12345.6789", 0),
        ("cmi.score.raw", "1e5", 406),
        ("cmi.progress_measure", "0.5", 0),
        ("cmi.progress_measure", "1.5", 407),
        ("cmi.session_time", "PT1H2M3.45S", 0),
        ("cmi.session_time", "P1Y2M3DT4H5M6S", 0),
        ("cmi.session_time", "P", 406),
        ("cmi.session_time", "PT", 406),
        ("cmi.session_time", "P1W", 406),
        ("cmi.session_time", "0000:10:00", 406),
        ("cmi.suspend_data", "s" * 64000, 0),
        ("cmi.suspend_data", "s" * 64001, 406),
        ("cmi.learner_preference.language", "ur-PK", 0),
        ("cmi.learner_preference.language", "not a language", 406),
        ("cmi.learner_preference.audio_level", "-0.5", 407),
        ("cmi.learner_preference.delivery_speed", "2", 0),
        ("cmi.learner_preference.audio_captioning", "1", 0),
        ("cmi.learner_preference.audio_captioning", "2", 406),
        ("adl.nav.request", "continue", 0),
        ("adl.nav.request", "{target=intro}choice", 0),
        ("adl.nav.request", "{target=intro}jump", 0),
        ("adl.nav.request", "fly", 406),
        ("cmi.comments_from_learner.0.comment", "{lang=ur}شکریہ", 0),
        ("cmi.comments_from_learner.0.comment", "{lang=}x", 406),
        ("cmi.comments_from_learner.0.timestamp", "2024-02-29T10:15:30.5+05:00", 0),
        ("cmi.comments_from_learner.0.timestamp", "2023-02-29", 406),
        ("cmi.comments_from_learner.0.timestamp", "1969-12-31", 406),
        ("cmi.comments_from_learner.1.location", "p1", 351),
        ("cmi.learner_id", "me", 404),
        ("cmi.total_time", "PT1H", 404),
        ("cmi.completion_threshold", "0.5", 404),
        ("cmi._version", "2", 404),
        ("cmi.interactions._count", "2", 404),
        ("cmi.interactions._children", "x", 404),
        ("cmi.comments_from_lms.0.comment", "x", 404),
        ("cmi.interactions.0.type", "choice", 408),
        ("cmi.objectives.0.score.raw", "3", 408),
        ("cmi.interactions.0.objectives.0.id", "o", 408),
        ("cmi.interactions.1.id", "q2", 351),
        ("cmi.objectives.01.id", "o", 351),
        ("cmi.nonsense", "x", 401),
        ("cmi.nonsense._count", "x", 401),
        ("", "x", 301),
    ],
)
def test_scorm2004_set_value(element, value, code):
    assert model2004().set_value(element, value) == code


def test_scorm2004_objectives_ids_are_unique_and_write_once():
    cmi = model2004(objective_ids=("manifest-obj",))

    assert cmi.get_value("cmi.objectives._count") == ("1", 0)
    assert cmi.get_value("cmi.objectives.0.id") == ("manifest-obj", 0)
    assert cmi.set_value("cmi.objectives.0.id", "manifest-obj") == 0
    assert cmi.set_value("cmi.objectives.0.id", "renamed") == 351
    assert cmi.set_value("cmi.objectives.1.id", "manifest-obj") == 351
    assert cmi.set_value("cmi.objectives.1.id", "second") == 0
    assert cmi.set_value("cmi.objectives.1.success_status", "passed") == 0
    assert cmi.get_value("cmi.objectives.0.success_status") == ("unknown", 0)
    assert cmi.get_value("cmi.objectives.1.score.scaled") == ("", 403)
    assert cmi.get_value("cmi.objectives.2.id") == ("", 301)


def test_scorm2004_interaction_needs_id_then_type():
    cmi = model2004()

    assert cmi.set_value("cmi.interactions.0.learner_response", "true") == 408
    assert cmi.set_value("cmi.interactions.0.id", "urn:fia:q1") == 0
    assert cmi.set_value("cmi.interactions.0.learner_response", "true") == 408
    assert cmi.set_value("cmi.interactions.0.correct_responses.0.pattern", "true") == 408
    assert cmi.set_value("cmi.interactions.0.type", "true-false") == 0
    assert cmi.set_value("cmi.interactions.0.learner_response", "true") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.0.pattern", "false") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.1.pattern", "true") == 351
    assert cmi.set_value("cmi.interactions.0.objectives.0.id", "obj") == 0
    assert cmi.set_value("cmi.interactions.0.objectives.1.id", "obj") == 351
    assert cmi.set_value("cmi.interactions.0.result", "incorrect") == 0
    assert cmi.set_value("cmi.interactions.0.result", "-0.5") == 0
    assert cmi.set_value("cmi.interactions.0.result", "wrong") == 406
    assert cmi.set_value("cmi.interactions.0.latency", "PT5S") == 0
    assert cmi.set_value("cmi.interactions.0.weighting", "2") == 0
    assert cmi.set_value("cmi.interactions.0.description", "{lang=en}Is it true?") == 0
    assert cmi.set_value("cmi.interactions.0.id", "urn:x") == 406
    assert cmi.set_value("cmi.interactions.0.id", "") == 406

    assert cmi.get_value("cmi.interactions.0.learner_response") == ("true", 0)
    assert cmi.get_value("cmi.interactions.0.correct_responses._count") == ("1", 0)
    assert cmi.get_value("cmi.interactions.0.objectives._count") == ("1", 0)
    assert cmi.get_value("cmi.interactions.0.timestamp") == ("", 403)


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("true-false", "true", True),
        ("true-false", "yes", False),
        ("choice", "a[,]b[,]c", True),
        ("choice", "", True),
        ("choice", "a[,]a", False),
        ("choice", "[,]".join(str(i) for i in range(37)), False),
        ("fill-in", "Lahore[,]{lang=ur}لاہور", True),
        ("fill-in", "[,]".join("x" * 11), False),
        ("fill-in", "x" * 251, False),
        ("long-fill-in", "x" * 4000, True),
        ("long-fill-in", "x" * 4001, False),
        ("likert", "agree", True),
        ("likert", "strongly agree", False),
        ("matching", "a[.]1[,]b[.]2", True),
        ("matching", "a[.]1[,]b", False),
        ("performance", "step1[.]answer[,][.]42[,]step3[.]", True),
        ("performance", "[.]", False),
        ("sequencing", "c[,]a[,]b", True),
        ("numeric", "3.14", True),
        ("numeric", "pi", False),
        ("other", "anything at all", True),
        ("other", "x" * 4001, False),
    ],
)
def test_learner_response_formats(kind, value, ok):
    assert (check_response(interaction_type=kind, value=value, pattern=False) is None) is ok


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("fill-in", "{case_matters=true}{order_matters=false}Lahore[,]Karachi", True),
        ("fill-in", "{case_matters=maybe}Lahore", False),
        ("fill-in", "{case_matters=true}{case_matters=true}x", False),
        ("long-fill-in", "{case_matters=false}An essay answer", True),
        ("long-fill-in", "{order_matters=true}x", False),
        ("performance", "{order_matters=true}step1[.]1[:]5[,]step2[.]open", True),
        ("numeric", "1[:]5", True),
        ("numeric", "[:]5", True),
        ("numeric", "1[:]", True),
        ("numeric", "5[:]1", False),
        ("numeric", "1[:]2[:]3", False),
        ("choice", "", True),
    ],
)
def test_correct_response_patterns(kind, value, ok):
    assert (check_response(interaction_type=kind, value=value, pattern=True) is None) is ok


def test_scorm2004_choice_correct_responses_must_differ():
    cmi = model2004()
    cmi.set_value("cmi.interactions.0.id", "q")
    cmi.set_value("cmi.interactions.0.type", "choice")

    assert cmi.set_value("cmi.interactions.0.correct_responses.0.pattern", "a[,]b") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.0.pattern", "a[,]b") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.1.pattern", "a[,]b") == 351
    assert cmi.set_value("cmi.interactions.0.correct_responses.1.pattern", "c") == 0
    assert cmi.set_value("cmi.interactions.0.correct_responses.3.pattern", "d") == 351
    assert cmi.set_value("cmi.interactions.0.correct_responses.2.pattern", "e[,]e") == 406


@pytest.mark.parametrize(
    ("threshold", "progress", "sco_status", "expected"),
    [
        (None, None, None, "unknown"),
        (None, None, "incomplete", "incomplete"),
        (None, "0.9", "incomplete", "incomplete"),
        (0.75, "0.8", "incomplete", "completed"),
        (0.75, "0.75", None, "completed"),
        (0.75, "0.5", "completed", "incomplete"),
        (0.75, None, "completed", "unknown"),
    ],
)
def test_scorm2004_completion_status_uses_the_threshold(threshold, progress, sco_status, expected):
    cmi = model2004(completion_threshold=threshold)
    if progress is not None:
        cmi.set_value("cmi.progress_measure", progress)
    if sco_status is not None:
        cmi.set_value("cmi.completion_status", sco_status)

    assert cmi.get_value("cmi.completion_status") == (expected, 0)
    assert cmi.summary().completion_status == expected


@pytest.mark.parametrize(
    ("passing", "scaled", "sco_status", "expected"),
    [
        (None, None, None, "unknown"),
        (None, "0.1", "passed", "passed"),
        (0.6, "0.6", "failed", "passed"),
        (0.6, "0.59", "passed", "failed"),
        (0.6, None, "passed", "unknown"),
    ],
)
def test_scorm2004_success_status_uses_the_passing_score(passing, scaled, sco_status, expected):
    cmi = model2004(scaled_passing_score=passing)
    if scaled is not None:
        cmi.set_value("cmi.score.scaled", scaled)
    if sco_status is not None:
        cmi.set_value("cmi.success_status", sco_status)

    assert cmi.get_value("cmi.success_status") == (expected, 0)


def test_scorm2004_sessions_entry_and_total_time():
    first = model2004()
    first.set_value("cmi.session_time", "PT10M30.5S")
    first.set_value("cmi.exit", "suspend")
    first.set_value("cmi.location", "p4")
    first.finish()
    first.finish()

    second = Cmi2004.launch(state=first.to_state())
    second.set_value("cmi.session_time", "PT1H2M")
    second.set_value("adl.nav.request", "suspendAll")
    second.finish()
    third = Cmi2004.launch(state=second.to_state())
    third.set_value("cmi.exit", "normal")
    third.finish()
    fourth = Cmi2004.launch(state=third.to_state())

    assert first.get_value("cmi.total_time") == ("PT10M30.5S".replace("PT", "PT0H"), 0)
    assert second.get_value("cmi.entry") == ("resume", 0)
    assert second.get_value("cmi.location") == ("p4", 0)
    assert second.get_value("cmi.total_time") == ("PT1H12M30.5S", 0)
    assert second.summary().suspended is True
    assert third.get_value("cmi.entry") == ("resume", 0)
    assert third.get_value("adl.nav.request") == ("_none_", 0)
    assert fourth.get_value("cmi.entry") == ("", 0)
    assert fourth.get_value("cmi.total_time") == ("PT1H12M30.5S", 0)


def test_scorm2004_context_arrays_navigation_and_shared_data():
    cmi = model2004(
        comments_from_lms=(LmsComment("Welcome", "intro", "2024-05-01T09:00:00"),),
        nav_request_valid={"continue": "true", "choice.{target=unit.2}": "false"},
        shared_data=(
            SharedData("notes", value="n1"),
            SharedData("locked", writable=False, value="fixed"),
            SharedData("dropbox", readable=False),
        ),
        completion_threshold=0.8,
        scaled_passing_score=0.5,
        max_time_allowed="PT1H",
        launch_data="RANDOM",
    )

    assert cmi.get_value("cmi.comments_from_lms._count") == ("1", 0)
    assert cmi.get_value("cmi.comments_from_lms.0.comment") == ("Welcome", 0)
    assert cmi.get_value("cmi.comments_from_lms.0.timestamp") == ("2024-05-01T09:00:00", 0)
    assert cmi.get_value("cmi.comments_from_lms.1.comment") == ("", 301)
    assert cmi.get_value("adl.nav.request_valid.continue") == ("true", 0)
    assert cmi.get_value("adl.nav.request_valid.previous") == ("unknown", 0)
    assert cmi.get_value("adl.nav.request_valid.choice.{target=unit.2}") == ("false", 0)
    assert cmi.get_value("cmi.completion_threshold") == ("0.8", 0)
    assert cmi.get_value("cmi.scaled_passing_score") == ("0.5", 0)
    assert cmi.get_value("cmi.max_time_allowed") == ("PT1H", 0)
    assert cmi.get_value("cmi.launch_data") == ("RANDOM", 0)
    assert cmi.get_value("adl.data._count") == ("3", 0)
    assert cmi.get_value("adl.data.0.id") == ("notes", 0)
    assert cmi.get_value("adl.data.0.store") == ("n1", 0)
    assert cmi.set_value("adl.data.0.store", "n2") == 0
    assert cmi.get_value("adl.data.0.store") == ("n2", 0)
    assert cmi.set_value("adl.data.1.store", "x") == 404
    assert cmi.get_value("adl.data.2.store") == ("", 405)
    assert cmi.get_value("adl.data.2.id") == ("dropbox", 0)
    assert cmi.set_value("adl.data.3.store", "x") == 351
    assert cmi.set_value("adl.data.0.id", "x") == 404
    assert Cmi2004(state=cmi.to_state(), context=cmi.context).get_value("adl.data.0.store") == (
        "n2",
        0,
    )


def test_scorm2004_comments_from_learner_grow_in_order():
    cmi = model2004()

    assert cmi.set_value("cmi.comments_from_learner.0.location", "p1") == 0
    assert cmi.set_value("cmi.comments_from_learner.0.comment", "Good") == 0
    assert cmi.set_value("cmi.comments_from_learner.2.comment", "x") == 351
    assert cmi.get_value("cmi.comments_from_learner._count") == ("1", 0)
    assert cmi.get_value("cmi.comments_from_learner.0.timestamp") == ("", 403)
    assert cmi.get_value("cmi.comments_from_learner._children") == (
        "comment,timestamp,location",
        0,
    )


# --- time -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "centis"),
    [
        ("0000:00:00", 0),
        ("00:00:01.5", 150),
        ("0000:10:30.5", 63050),
        ("9999:59:59.99", 3599999999),
        ("12:00:00.05", 4320005),
    ],
)
def test_scorm12_timespans(text, centis):
    assert parse_timespan_12(text) == centis


@pytest.mark.parametrize(
    ("text", "centis"),
    [
        ("PT0S", 0),
        ("PT1H2M", 372000),
        ("PT10M30.5S", 63050),
        ("PT0.005S", 1),
        ("P1DT1S", 8640100),
        ("P1Y", 365 * 8640000),
        ("P1M", 30 * 8640000),
    ],
)
def test_scorm2004_durations(text, centis):
    assert parse_duration_2004(text) == centis


@pytest.mark.parametrize("text", ["", "P", "PT", "P1H", "PT1D", "1H", "PT1.5M", "P-1D", "PT1,5S"])
def test_scorm2004_invalid_durations(text):
    with pytest.raises(ValueError, match="timeinterval"):
        parse_duration_2004(text)


def test_formatting_and_mixed_accumulation():
    total = parse_timespan_12("0000:10:30.5") + parse_duration_2004("PT1H2M")

    assert format_timespan_12(total) == "0001:12:30.50"
    assert format_duration_2004(total) == "PT1H12M30.5S"
    assert format_duration_2004(0) == "PT0H0M0S"
    assert format_duration_2004(105) == "PT0H0M1.05S"
    assert format_timespan_12(10**12) == "9999:59:59.99"


@given(st.integers(min_value=0, max_value=9999 * 360000))
def test_time_formats_round_trip(centis):
    assert parse_timespan_12(format_timespan_12(centis)) == centis
    assert parse_duration_2004(format_duration_2004(centis)) == centis


# --- the session machine -------------------------------------------------------------------
def test_scorm12_api_session_codes():
    api = RuntimeApi(model12())

    assert api.get_value("cmi.core.student_id") == ""
    assert api.get_last_error() == "301"
    assert api.set_value("cmi.core.lesson_location", "x") == "false"
    assert api.get_last_error() == "301"
    assert api.terminate("") == "false"
    assert api.get_last_error() == "301"
    assert api.initialize("x") == "false"
    assert api.get_last_error() == "201"
    assert api.initialize("") == "true"
    assert api.initialize("") == "false"
    assert api.get_last_error() == "101"
    assert api.get_value("cmi.core.student_id") == "officer-7"
    assert api.set_value("cmi.core.score.raw", "abc") == "false"
    assert api.get_last_error() == "405"
    assert api.get_error_string("405") == "Incorrect data type"
    assert api.get_diagnostic("") == "value has the wrong type or format"
    assert api.commit("") == "true"
    assert api.terminate("") == "true"
    assert api.get_value("cmi.core.lesson_status") == ""
    assert api.get_last_error() == "301"


def test_scorm12_commit_failure_is_a_general_exception():
    api = RuntimeApi(model12(), committer=lambda state, finished: False)
    api.initialize("")

    assert api.commit("") == "false"
    assert api.get_last_error() == "101"
    assert api.terminate("") == "false"
    assert api.get_last_error() == "101"
    assert RuntimeApi(model12(), can_start=False).initialize("") == "false"


def test_scorm2004_api_session_codes():
    stored = []
    api = RuntimeApi(model2004(), committer=lambda state, finished: stored.append(finished) or True)

    def last() -> str:
        return api.get_last_error()

    api.get_value("cmi.learner_id")
    assert last() == "122"
    api.set_value("cmi.location", "x")
    assert last() == "132"
    api.commit("")
    assert last() == "142"
    api.terminate("")
    assert last() == "112"
    assert api.initialize("") == "true"
    api.initialize("")
    assert last() == "103"
    api.commit("x")
    assert last() == "201"
    assert api.set_value("cmi.score.scaled", "2") == "false"
    assert last() == "407"
    assert api.get_error_string("407") == "Data Model Element Value Out Of Range"
    assert api.set_value("cmi.session_time", "PT5M") == "true"
    assert api.commit("") == "true"
    assert api.terminate("") == "true"
    api.terminate("")
    assert last() == "113"
    api.get_value("cmi.learner_id")
    assert last() == "123"
    api.set_value("cmi.location", "x")
    assert last() == "133"
    api.commit("")
    assert last() == "143"
    api.initialize("")
    assert last() == "104"
    assert stored == [False, True]
    assert api.model.get_value("cmi.total_time") == ("PT0H5M0S", 0)


def test_scorm2004_api_failures():
    failing = RuntimeApi(model2004(), committer=lambda state, finished: 1 / 0)
    failing.initialize("")

    assert failing.commit("") == "false"
    assert failing.get_last_error() == "391"
    assert failing.terminate("") == "false"
    assert failing.get_last_error() == "111"
    cannot_start = RuntimeApi(model2004(), can_start=False)
    assert cannot_start.initialize("") == "false"
    assert cannot_start.get_last_error() == "102"


def test_unexpected_model_failure_is_a_general_exception(monkeypatch):
    api = RuntimeApi(model2004())
    api.initialize("")
    monkeypatch.setattr(api.model, "get_value", lambda element: 1 / 0)

    assert api.get_value("cmi.location") == ""
    assert api.get_last_error() == "101"


# --- server-side commits -----------------------------------------------------------------------
def test_apply_commit_replays_a_snapshot_in_any_order_and_reports_refusals():
    commit = {
        "cmi.interactions.0.learner_response": "maybe",
        "cmi.interactions.0.type": "true-false",
        "cmi.interactions.1.type": "numeric",
        "cmi.interactions.1.learner_response": "42",
        "cmi.interactions.1.id": "q2",
        "cmi.interactions.0.id": "q1",
        "cmi.score.scaled": "3",
        "cmi.learner_id": "someone-else",
        "cmi.location": "p9",
        "cmi.session_time": "PT3M",
    }

    result = apply_commit({}, commit, version="2004-3rd")

    assert [(e.element, e.code) for e in result.errors] == [
        ("cmi.score.scaled", 407),
        ("cmi.learner_id", 404),
        ("cmi.interactions.0.learner_response", 406),
    ]
    assert result.errors[0].message.startswith("Data Model Element Value Out Of Range")
    assert result.state["cmi.interactions.1.learner_response"] == "42"
    assert result.state["cmi.location"] == "p9"
    assert "cmi.score.scaled" not in result.state
    assert result.ok is False


def test_apply_commit_strict_keeps_the_stored_state():
    stored = {"cmi.location": "p1"}

    result = apply_commit(
        stored, [("cmi.location", "p2"), ("cmi.exit", "bad")], version="2004", strict=True
    )

    assert result.state == stored
    assert [(e.element, e.code) for e in result.errors] == [("cmi.exit", 406)]


def test_apply_commit_finish_is_idempotent_within_a_session():
    launched = Cmi12.launch(state={}).to_state()
    commit = [("cmi.core.session_time", "0000:05:00"), ("cmi.core.lesson_status", "incomplete")]

    once = apply_commit(launched, commit, version="1.2", finish=True)
    twice = apply_commit(once.state, commit, version="1.2", finish=True)

    assert once.state["cmi.core.total_time"] == "0000:05:00.00"
    assert twice.state == once.state
    assert twice.summary.total_time_seconds == 300


def test_apply_commit_reports_malformed_entries():
    result = apply_commit({}, [("cmi.location",), ("cmi.location", "p")], version="2004-4th")

    assert [(e.element, e.code) for e in result.errors] == [("('cmi.location',)", 201)]
    assert result.state["cmi.location"] == "p"


def test_apply_commit_unknown_version():
    with pytest.raises(ValueError, match="unknown SCORM version"):
        apply_commit({}, {}, version="1.3")


def test_stored_state_with_unknown_or_read_only_keys_is_ignored():
    cmi = Cmi2004(state={"cmi.learner_id": "forged", "cmi.bogus": "x", "cmi.location": "p1"})

    assert cmi.get_value("cmi.learner_id") == ("", 0)
    assert cmi.get_value("cmi.location") == ("p1", 0)
    assert sorted(cmi.ignored_state) == ["cmi.bogus", "cmi.learner_id"]


# --- the JSON spec --------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.2", "2004-2nd", "2004-3rd", "2004-4th"])
def test_json_spec_is_complete_and_its_patterns_compile(version):
    spec = json.loads(json.dumps(to_json_spec(version)))
    table = ELEMENTS_12 if version == "1.2" else ELEMENTS_2004

    assert set(spec["elements"]) == set(table)
    for element in spec["elements"].values():
        assert element["access"] in ("r", "w", "rw")
        assert element.get("type") is None or element["type"] in spec["types"]
    for cmi_type in spec["types"].values():
        if "pattern" in cmi_type:
            assert cmi_type["pattern"].startswith("^(?:")
            re.compile(cmi_type["pattern"])
    assert spec["errors"]["0"] in ("No error", "No Error")


def test_json_spec_patterns_agree_with_the_python_checks():
    spec = to_json_spec("2004-4th")
    samples = ["PT1H", "P", "2024-01-01", "1969-01-01", "0.5", "abc", "-3", "urn:x", "urn:a:b", ""]

    for name in (
        "timeinterval(second,10,2)",
        "time(second,10,0)",
        "real(10,7)",
        "long_identifier_type",
    ):
        pattern = re.compile(spec["types"][name]["pattern"])
        for sample in samples:
            python_ok = check(TYPES_2004[name], sample) is None
            assert python_ok == (pattern.match(sample) is not None), (name, sample)


def test_json_spec_of_an_unknown_version():
    with pytest.raises(ValueError, match="unknown SCORM version"):
        to_json_spec("3.0")


# --- nothing ever raises --------------------------------------------------------------------
ELEMENT_NAMES = sorted(
    {name.replace(".n.", ".0.").replace("{target=n}", "{target=a}") for name in ELEMENTS_2004}
    | {name.replace(".n.", ".0.") for name in ELEMENTS_12}
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "true", "choice", "0.5", "-1", "PT1S", "0000:00:01", "a[,]b", "[.]"]),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
)
ELEMENTS = st.one_of(
    st.sampled_from(ELEMENT_NAMES),
    st.text(max_size=40),
    st.sampled_from(ELEMENT_NAMES).map(lambda e: e.replace(".0.", ".1.")),
    st.sampled_from(ELEMENT_NAMES).map(lambda e: e + "._count"),
    st.sampled_from(ELEMENT_NAMES).map(lambda e: e + "._children"),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(ELEMENTS, VALUES), min_size=1, max_size=12))
def test_random_elements_and_values_never_raise(calls):
    known_12 = set(ERRORS_12)
    known_2004 = set(ERRORS_2004)
    for model, known in ((model12(), known_12), (model2004(completion_threshold=0.5), known_2004)):
        for element, value in calls:
            code = model.set_value(element, value)
            assert code in known
            got, code = model.get_value(element)
            assert isinstance(got, str)
            assert code in known
        state = model.to_state()
        model.finish()
        assert type(model)(state=state).to_state() == state
        result = apply_commit(state, calls, version=model.version)
        assert all(e.code in known for e in result.errors)


# --- from the manifest to the launch ---------------------------------------------------------
def _manifest(shared_fixture, name):
    path = shared_fixture(name)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return parse_manifest(data=archive.read("imsmanifest.xml"))
    return parse_manifest(data=path.read_bytes())


def test_launch_context_of_a_scorm12_item(shared_fixture):
    manifest = _manifest(shared_fixture, "scorm12/edge-cases/PrerequisitesTest_SCORM12.zip")
    item = manifest.items()[0]

    context = launch_context(manifest=manifest, item=item, learner_id="u1", learner_name="A")
    cmi = Cmi12.launch(context=context)

    assert cmi.get_value("cmi.student_data.mastery_score") == ("80", 0)
    assert cmi.get_value("cmi.student_data.max_time_allowed") == ("02:30:00", 0)
    assert cmi.get_value("cmi.core.credit") == ("credit", 0)


def test_launch_context_of_a_scorm2004_item(shared_fixture):
    manifest = _manifest(
        shared_fixture, "scorm2004/adl-cts-manifests/LMSTestPackage_CM-01.imsmanifest.xml"
    )
    items = {item.identifier: item for item in manifest.items()}

    second = launch_context(
        manifest=manifest, item=items["activity_2"], learner_id="u1", learner_name="A"
    )
    third = launch_context(
        manifest=manifest, item=items["activity_3"], learner_id="u1", learner_name="A", credit=False
    )

    assert Cmi2004.launch(context=second).get_value("cmi.scaled_passing_score") == ("0.8", 0)
    cmi = Cmi2004.launch(context=third)
    assert cmi.get_value("cmi.max_time_allowed") == ("P5Y6M4DT12H30M58.55S", 0)
    assert cmi.get_value("cmi.credit") == ("no-credit", 0)
    assert cmi.set_value("cmi.score.scaled", "0.65") == 0
    assert cmi.get_value("cmi.success_status") == ("failed", 0)


def test_launch_context_objectives_and_threshold(shared_fixture):
    manifest = _manifest(
        shared_fixture, "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"
    )
    etiquette = next(i for i in manifest.items() if i.identifier == "etuqiette_item")
    adl = _manifest(shared_fixture, "scorm2004/edge-cases/AdlAttributes_SCORM20043rdEdition.zip")

    cmi = Cmi2004.launch(
        context=launch_context(manifest=manifest, item=etiquette, learner_id="u", learner_name="")
    )
    with_threshold = Cmi2004.launch(
        context=launch_context(
            manifest=adl, item=adl.first_launchable(), learner_id="u", learner_name=""
        )
    )

    assert cmi.get_value("cmi.objectives._count") == ("2", 0)
    assert cmi.get_value("cmi.objectives.0.id") == ("etiquette_satisfied", 0)
    assert cmi.get_value("cmi.objectives.1.id") == ("previous_sco_satisfied", 0)
    assert with_threshold.get_value("cmi.completion_threshold") == ("0.75", 0)
    assert with_threshold.get_value("cmi.launch_data") == ("Launch Data", 0)
    assert with_threshold.get_value("cmi.time_limit_action") == ("exit,message", 0)
