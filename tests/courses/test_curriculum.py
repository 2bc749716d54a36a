"""The ToT curriculum reader: shipped curricula, the schema, and bad files named by line and field.

Pure Python: no database and no Django settings are needed. Without the Django plugin run it
as ``python -m pytest -p no:django --noconftest tests/courses/test_curriculum.py``.
"""

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.curriculum import (
    DEFAULT_MAX_BYTES,
    SCHEMA_PATH,
    THEMES,
    Curriculum,
    CurriculumError,
    CurriculumIssue,
    load_curriculum_file,
    load_schema,
    parse_curriculum,
    slugify,
)

ROOT = Path(__file__).resolve().parents[2]
CURRICULA = sorted((ROOT / "courses" / "curricula").glob("*.yaml"))
FORMAT_DOC = ROOT / "courses" / "CURRICULUM_FORMAT.md"

MINIMAL = textwrap.dedent(
    """\
    format: 1
    code: FIA-THB-101
    title: Identifying victims of trafficking
    summary: A short course.
    learning_objectives:
      - Apply the act-means-purpose test.
    target_audience: Immigration officers.
    level: introductory
    duration:
      hours: 2
      days: 1
    language: en
    themes: [trafficking-in-human-beings, border-management]
    enrolment: closed
    completion:
      rule: all-lessons
    certificate: true
    source:
      title: FIA Academy course
      version: "1.0"
      date: 2025-01-15
    modules:
      - title: Day 1 - Recognising trafficking
        sessions:
          - title: The legal definition
            objectives: [Name the three elements.]
            duration_minutes: 60
            method: lecture
            content: |
              Trafficking has three elements.
          - title: Indicators at the counter
            objectives: [Recognise indicators.]
            duration_minutes: 60
            method: group-work
            content:
              - text: Work in groups.
              - callout:
                  style: warning
                  text: One indicator proves nothing.
            quiz:
              category: FIA-THB-101/Day 1
    """
)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")


def errors_of(data: str | bytes, **kwargs) -> list[CurriculumIssue]:
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(data, filename="bad.yaml", **kwargs)
    assert caught.value.errors, "a CurriculumError always lists its problems"
    return caught.value.errors


def only_error(data: str | bytes, **kwargs) -> CurriculumIssue:
    errors = errors_of(data, **kwargs)
    assert len(errors) == 1, errors
    return errors[0]


# --- the shipped curricula -------------------------------------------------------------------


@pytest.mark.parametrize("path", CURRICULA, ids=lambda p: p.name)
def test_each_shipped_curriculum_parses_without_warnings(path):
    curriculum = load_curriculum_file(path=path)

    assert curriculum.warnings == ()
    assert curriculum.fingerprint == curriculum.code
    assert curriculum.total_minutes == curriculum.duration_hours * 60
    assert path.stat().st_size < 150 * 1024
    for session in curriculum.sessions:
        words = sum(len(block.text.split()) for block in session.blocks)
        assert words >= 80, f"{session.title!r} has only {words} words of teaching text"


def test_at_least_three_curricula_ship():
    names = {path.stem for path in CURRICULA}
    assert {
        "tot-migration-management",
        "identifying-victims-of-trafficking",
        "document-fraud-border-crossings",
    } <= names


def test_ten_day_tot_has_ten_days_a_practicum_and_a_final_assessment():
    curriculum = load_curriculum_file(path=ROOT / "courses/curricula/tot-migration-management.yaml")

    assert len(curriculum.modules) == 10 == curriculum.duration_days
    assert all(4 <= len(module.sessions) <= 5 for module in curriculum.modules)
    methods = {session.method for session in curriculum.sessions}
    assert {"role-play", "case-study", "group-work", "presentation", "assessment"} <= methods
    assert any("teach-back" in module.title.lower() for module in curriculum.modules)
    assert "assessment" in curriculum.modules[-1].title.lower()


def gift_questions(text: str) -> dict[str, int]:
    """Count the questions under each ``$CATEGORY`` of a GIFT file (a light structural read)."""
    counts: dict[str, int] = {}
    category = None
    for chunk in re.split(r"\n\s*\n", text):
        lines = [ln for ln in chunk.splitlines() if ln.strip() and not ln.lstrip().startswith("//")]
        if not lines:
            continue
        if lines[0].startswith("$CATEGORY:"):
            category = lines[0].removeprefix("$CATEGORY:").strip()
            counts.setdefault(category, 0)
            continue
        body = "\n".join(lines)
        unescaped = re.sub(r"\\.", "", body)
        assert unescaped.count("{") == unescaped.count("}") == 1, f"one answer block: {body}"
        assert category is not None, f"question before any $CATEGORY: {body}"
        counts[category] += 1
    return counts


@pytest.mark.parametrize("path", CURRICULA, ids=lambda p: p.name)
def test_each_curriculum_has_a_gift_bank_with_every_quiz_category(path):
    curriculum = load_curriculum_file(path=path)
    bank = path.with_suffix(".gift")

    counts = gift_questions(bank.read_text(encoding="utf-8"))

    assert 15 <= sum(counts.values()) <= 25
    assert all(name.startswith(f"{curriculum.code}/") for name in counts)
    assert set(curriculum.quiz_categories) <= set(counts), "every quiz category has questions"
    assert all(counts[name] > 0 for name in curriculum.quiz_categories)


# --- the schema and the documented example ------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator.check_schema(schema)
    assert load_schema() == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["theme"]["enum"] == list(THEMES)


def test_the_documented_example_parses():
    example = re.search(r"```yaml\n(.*?)```", FORMAT_DOC.read_text(encoding="utf-8"), re.S)

    curriculum = parse_curriculum(example.group(1), filename="example.yaml")

    assert curriculum.code == "FIA-THB-101"
    assert curriculum.completion.min_grade == 70


def test_minimal_curriculum_gives_frozen_dataclasses():
    curriculum = parse_curriculum(MINIMAL.encode(), filename="minimal.yaml")

    assert isinstance(curriculum, Curriculum)
    assert curriculum.source.date.isoformat() == "2025-01-15"
    module = curriculum.modules[0]
    assert module.slug == "day-1-recognising-trafficking"
    assert [s.slug for s in module.sessions] == [
        "the-legal-definition",
        "indicators-at-the-counter",
    ]
    first, second = module.sessions
    assert [b.kind for b in first.blocks] == ["text"]
    assert [(b.kind, b.style) for b in second.blocks] == [("text", None), ("callout", "warning")]
    assert second.quiz.category == "FIA-THB-101/Day 1"
    assert curriculum.quiz_categories == ("FIA-THB-101/Day 1",)
    with pytest.raises(AttributeError):
        curriculum.code = "FIA-XXX-999"


def test_same_file_gives_same_fingerprint_and_hash_and_an_edit_changes_only_the_hash():
    first = parse_curriculum(MINIMAL, filename="a.yaml")
    again = parse_curriculum(MINIMAL.encode(), filename="b.yaml")
    edited = parse_curriculum(MINIMAL.replace("A short course.", "A short course!"), filename="c")

    assert first.fingerprint == again.fingerprint == edited.fingerprint == "FIA-THB-101"
    assert first.content_hash == again.content_hash != edited.content_hash


def test_modules_are_sorted_by_order_and_an_explicit_slug_wins():
    text = MINIMAL.replace(
        "  - title: Day 1 - Recognising trafficking\n",
        "  - title: Day 1 - Recognising trafficking\n    order: 2\n    slug: recognising\n",
    ).replace("  hours: 2\n", "  hours: 3\n")
    text += (
        "  - title: Opening\n    order: 1\n    sessions:\n      - title: Welcome\n"
        "        objectives: [Meet.]\n        duration_minutes: 60\n        method: discussion\n"
        "        content: Hello.\n"
    )

    curriculum = parse_curriculum(text, filename="ordered.yaml")

    assert [(m.order, m.slug) for m in curriculum.modules] == [(1, "opening"), (2, "recognising")]


def test_slugify_keeps_urdu_and_drops_accents():
    assert slugify("Día 1: Migration — Basics") == "dia-1-migration-basics"
    assert slugify("انسانوں کی تجارت") == "انسانوں-کی-تجارت"
    assert slugify("!!!") == ""


# --- bad files: the right line and field ----------------------------------------------------


def test_missing_required_field_is_named_at_its_parent_line():
    text = MINIMAL.replace("        method: lecture\n", "")

    error = only_error(text)

    assert error.field == "modules[0].sessions[0].method"
    assert error.message == "is required"
    assert error.line == line_of(text, "- title: The legal definition")


def test_missing_top_level_field_points_at_the_top():
    error = only_error(MINIMAL.replace("summary: A short course.\n", ""))

    assert (error.line, error.field, error.message) == (1, "summary", "is required")


def test_wrong_type_names_line_field_and_the_allowed_range():
    text = MINIMAL.replace(
        "duration_minutes: 60\n        method: lecture",
        "duration_minutes: 1h\n        method: lecture",
    )

    error = only_error(text)

    assert str(error) == (
        f"line {line_of(text, 'duration_minutes: 1h')}, "
        "modules[0].sessions[0].duration_minutes: "
        "must be a whole number of minutes between 5 and 480"
    )


def test_number_where_text_is_expected_suggests_quotes():
    error = only_error(MINIMAL.replace('version: "1.0"', "version: 1.0"))

    assert error.field == "source.version"
    assert "quotes" in error.message


def test_unknown_theme_is_named():
    text = MINIMAL.replace("border-management]", "human-trafficking]")

    error = only_error(text)

    assert error.field == "themes[1]"
    assert error.line == line_of(text, "themes:")
    assert "human-trafficking" in error.message
    assert "trafficking-in-human-beings" in error.message


def test_bad_course_code_is_named():
    text = MINIMAL.replace("code: FIA-THB-101", "code: fia-thb-1")

    errors = errors_of(text)

    code_error = next(e for e in errors if e.field == "code")
    assert code_error.line == 2
    assert "FIA-THB-101" in code_error.message
    assert all(e.field in ("code", "modules[0].sessions[1].quiz.category") for e in errors)


def test_unknown_field_is_named_with_the_allowed_ones():
    text = MINIMAL.replace("certificate: true", "certificat: true")

    errors = errors_of(text)

    fields = {e.field: e for e in errors}
    assert fields["certificat"].line == line_of(text, "certificat:")
    assert "unknown field" in fields["certificat"].message
    assert fields["certificate"].message == "is required"


def test_duplicate_session_title_is_named_at_the_second_one():
    text = MINIMAL.replace("- title: Indicators at the counter", "- title: The Legal  Definition")

    error = only_error(text)

    assert error.field == "modules[0].sessions[1].title"
    assert error.line == line_of(text, "The Legal  Definition")
    assert "modules[0].sessions[0].title" in error.message


def test_titles_that_slugify_alike_must_set_a_slug():
    text = MINIMAL.replace("- title: Indicators at the counter", "- title: The legal definition!")

    error = only_error(text)

    assert error.field == "modules[0].sessions[1].slug"
    assert "set slug:" in error.message


def test_quiz_category_must_belong_to_the_course():
    text = MINIMAL.replace("category: FIA-THB-101/Day 1", "category: FIA-DOC-201/Day 1")

    error = only_error(text)

    assert error.field == "modules[0].sessions[1].quiz.category"
    assert error.line == line_of(text, "category: FIA-DOC-201")


def test_min_grade_rule_needs_a_grade_and_other_rules_refuse_one():
    missing = only_error(MINIMAL.replace("rule: all-lessons", "rule: min-grade"))
    extra = only_error(MINIMAL.replace("rule: all-lessons", "rule: all-lessons\n  min_grade: 70"))

    assert (missing.field, missing.message) == ("completion.min_grade", "is required")
    assert extra.field == "completion.min_grade"
    assert "only when rule is min-grade" in extra.message


def test_durations_far_from_the_declared_hours_are_an_error():
    text = MINIMAL.replace("hours: 2", "hours: 3")

    error = only_error(text)

    assert error.field == "duration.hours"
    assert error.line == line_of(text, "hours: 3")
    assert "add up to 2 h" in error.message


def test_durations_close_to_the_declared_hours_are_a_warning():
    curriculum = parse_curriculum(MINIMAL.replace("hours: 2", "hours: 2.1"), filename="w.yaml")

    assert [w.field for w in curriculum.warnings] == ["duration.hours"]
    assert "2.1 h" in curriculum.warnings[0].message


def test_impossible_date_is_refused():
    error = only_error(MINIMAL.replace("date: 2025-01-15", "date: 2025-02-30"))

    assert error.field == "source.date"


def test_yaml_syntax_error_gives_its_line():
    text = MINIMAL.replace("title: Identifying victims of trafficking", "title: [unclosed")

    error = only_error(text)

    assert error.field == "(file)"
    assert error.message.startswith("YAML syntax error")
    assert error.line is not None and error.line >= line_of(text, "[unclosed")


def test_bad_indentation_gives_its_line():
    text = MINIMAL.replace("  days: 1", "   days: 1")

    error = only_error(text)

    assert error.line == line_of(text, "   days: 1")


def test_alias_bomb_is_refused_at_the_first_anchor():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        bomb += f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"

    error = only_error(bomb)

    assert error.line == 1
    assert "aliases" in error.message


def test_an_alias_alone_is_refused_too():
    text = MINIMAL.replace("summary: A short course.", "summary: &s A short course.")
    text = text.replace("target_audience: Immigration officers.", "target_audience: *s")

    error = only_error(text)

    assert error.line == line_of(text, "&s")


def test_not_utf8_names_the_byte_its_offset_and_its_line():
    data = MINIMAL.replace("A short course.", "A café course.").encode("cp1252")

    error = only_error(data)

    offset = data.index(b"\xe9")
    assert error.line == line_of(MINIMAL, "A short course.")
    assert "0xE9" in error.message
    assert f"offset {offset}" in error.message


def test_utf8_byte_order_mark_is_accepted():
    curriculum = parse_curriculum(b"\xef\xbb\xbf" + MINIMAL.encode(), filename="bom.yaml")

    assert curriculum.code == "FIA-THB-101"


def test_oversize_file_is_refused_before_parsing():
    data = MINIMAL.encode() + b"#" * DEFAULT_MAX_BYTES

    error = only_error(data)

    assert "limit" in error.message
    assert only_error(MINIMAL, max_bytes=100).field == "(file)"


def test_top_level_list_is_refused():
    error = only_error("- code: FIA-THB-101\n- title: x\n")

    assert (error.line, error.field) == (1, "(top level)")
    assert "not a list" in error.message


@pytest.mark.parametrize("text", ["", "# only a comment\n", "just words\n", "42\n"])
def test_empty_or_scalar_file_is_refused(text):
    assert only_error(text).field == "(top level)"


def test_duplicate_keys_are_refused_with_both_lines():
    text = MINIMAL.replace("level: introductory", "level: introductory\nlevel: advanced")

    error = only_error(text)

    assert error.field == "level"
    assert error.line == line_of(text, "level: advanced")
    assert f"line {line_of(text, 'level: introductory')}" in error.message


def test_deep_nesting_is_refused():
    error = only_error("a: " + "[" * 50 + "]" * 50 + "\n")

    assert "levels deep" in error.message


def test_non_text_keys_and_python_tags_are_refused():
    assert only_error("1: one\n").message == "keys must be plain names"
    assert only_error("a: !!python/object/apply:os.system [echo hi]\n").field == "(file)"


def test_several_problems_are_all_reported_in_line_order():
    text = MINIMAL.replace("level: introductory", "level: expert")
    text = text.replace("[Recognise indicators.]", "[]").replace(
        "method: group-work", "method: talk"
    )

    errors = errors_of(text)

    assert [e.field for e in errors] == [
        "level",
        "modules[0].sessions[1].objectives",
        "modules[0].sessions[1].method",
    ]
    assert errors[1].message == "must list at least 1 item (has 0)"
    assert [e.line for e in errors] == sorted(e.line for e in errors)


# --- anything at all: a curriculum or a CurriculumError, never a crash ------------------------

YAMLISH = st.lists(
    st.sampled_from(
        ["code", "title", "modules", "sessions", "- ", ": ", "\n", "  ", "[", "]", "{", "}", "&a",
         "*a", "!!str", "'", '"', "#", "---", "|", ">", "60", "true", "~", "FIA-THB-101", "é", "\t"]
    )
    | st.text(max_size=5),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None, database=None)
@given(st.one_of(st.text(), YAMLISH))
def test_random_text_parses_or_raises_curriculum_error(text):
    try:
        result = parse_curriculum(text, filename="random.yaml")
    except CurriculumError as error:
        assert error.errors
        assert all(isinstance(e.line, int | None) for e in error.errors)
    else:
        assert isinstance(result, Curriculum)


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_random_bytes_parse_or_raise_curriculum_error(data):
    with pytest.raises(CurriculumError):
        parse_curriculum(data, filename="random.bin")


@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.data())
def test_mutated_valid_curriculum_parses_or_names_a_real_line(data):
    lines = MINIMAL.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "repeat", "indent", "dedent", "garble"]))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = "  " + lines[index]
        elif action == "dedent":
            lines[index] = lines[index].removeprefix("  ")
        else:
            lines[index] = data.draw(st.text(max_size=20)) + "\n"
        if not lines:
            break
    text = "".join(lines)
    try:
        parse_curriculum(text, filename="mutated.yaml")
    except CurriculumError as error:
        count = max(1, text.count("\n") + 1)
        assert all(e.line is None or 1 <= e.line <= count for e in error.errors), error
