"""Importing ToT curricula: the tree, re-import without duplicates, errors leave nothing."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courses import imports
from courses.models import CoursePage, Enrolment, LessonPage, ModulePage
from lms.exceptions import NotAllowed, ServiceError
from lms.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CURRICULA = Path(__file__).resolve().parents[2] / "courses" / "curricula"
SMALL = """\
format: 1
code: TST-THB-101
title: Victims of trafficking at the airport
summary: Spotting and referring possible victims at immigration counters.
learning_objectives:
  - Recognise the indicators of trafficking at the counter.
target_audience: Immigration officers.
level: introductory
duration:
  hours: 1.5
  days: 1
language: en
themes: [trafficking-in-human-beings]
enrolment: open
completion:
  rule: all-lessons
certificate: true
source:
  title: Test curriculum
  version: "1.0"
modules:
  - title: Day 1
    summary: Indicators.
    sessions:
      - title: Indicators at the counter
        objectives: [List the indicators.]
        duration_minutes: 45
        method: lecture
        content:
          - text: "**Indicators** include a third party holding the documents."
          - callout:
              style: warning
              text: Never interview a victim in front of the escort.
      - title: Referral
        objectives: [Refer a case.]
        duration_minutes: 45
        method: role-play
        content:
          - text: Call the referral desk.
"""


def import_text(text: str, **kwargs):
    return imports.curriculum_import_file(
        data=text.encode(), filename="test.yaml", check_permissions=False, **kwargs
    )


def test_import_builds_the_course_tree_as_drafts():
    result = import_text(SMALL)

    course = CoursePage.objects.get(code="TST-THB-101")
    assert result.created and result.pages_created == 4
    assert not course.live
    assert [m.title for m in ModulePage.objects.child_of(course)] == ["Day 1"]
    lessons = LessonPage.objects.descendant_of(course).order_by("path")
    assert [ln.title for ln in lessons] == ["Indicators at the counter", "Referral"]
    first = lessons[0].get_latest_revision_as_object()
    assert [block.block_type for block in first.body] == ["paragraph", "callout"]
    assert "<b>Indicators</b>" in first.body[0].value.source or "<strong>" in str(
        first.body[0].value
    )


def test_import_with_publish_makes_everything_live():
    import_text(SMALL, publish=True)

    course = CoursePage.objects.get(code="TST-THB-101")
    assert course.live
    assert LessonPage.objects.descendant_of(course).live().count() == 2


def test_reimporting_updates_instead_of_duplicating():
    import_text(SMALL, publish=True)
    changed = SMALL.replace("Call the referral desk.", "Call the protection desk on duty.")

    result = import_text(changed, publish=True)

    course = CoursePage.objects.get(code="TST-THB-101")
    assert not result.created
    assert (result.pages_created, result.pages_updated) == (0, 4)
    assert CoursePage.objects.filter(code="TST-THB-101").count() == 1
    lessons = LessonPage.objects.descendant_of(course).order_by("path")
    assert [ln.title for ln in lessons] == ["Indicators at the counter", "Referral"]
    assert "protection desk on duty" in str(lessons[1].body[0].value)


def test_a_renamed_session_with_a_fixed_slug_keeps_its_page():
    with_slug = SMALL.replace(
        "      - title: Referral\n", "      - title: Referral\n        slug: referral\n"
    )
    import_text(with_slug, publish=True)
    lesson_id = LessonPage.objects.get(slug="referral").pk

    renamed = with_slug.replace("title: Referral\n", "title: Referral to the protection desk\n")
    result = import_text(renamed, publish=True)

    assert result.pages_created == 0
    assert LessonPage.objects.get(pk=lesson_id).title == "Referral to the protection desk"


def test_the_same_file_twice_changes_nothing():
    import_text(SMALL, publish=True)

    result = import_text(SMALL, publish=True)

    assert result.unchanged


def test_a_bad_file_names_the_line_and_creates_nothing():
    bad = SMALL.replace(
        "duration_minutes: 45\n        method: role-play",
        "duration_minutes: lots\n        method: role-play",
    )

    with pytest.raises(ServiceError) as error:
        import_text(bad)

    item = error.value.errors[0]
    assert item.line is not None and item.line > 30
    assert "duration_minutes" in item.field
    assert not CoursePage.objects.filter(code="TST-THB-101").exists()


def test_a_trainer_may_import_drafts_but_not_publish():
    trainer = UserFactory(roles=[Role.TRAINER])

    with pytest.raises(NotAllowed):
        imports.curriculum_import_file(
            data=SMALL.encode(), filename="t.yaml", user=trainer, publish=True
        )
    imports.curriculum_import_file(data=SMALL.encode(), filename="t.yaml", user=trainer)

    course = CoursePage.objects.get(code="TST-THB-101")
    assert Enrolment.objects.get(user=trainer, course=course).role == Enrolment.Role.TRAINER


def test_the_command_imports_and_publishes_a_shipped_curriculum(capsys):
    call_command(
        "import_curriculum", str(CURRICULA / "identifying-victims-of-trafficking.yaml"), "--publish"
    )

    course = CoursePage.objects.get(code="FIA-THB-101")
    assert course.live
    assert LessonPage.objects.live().descendant_of(course).count() == 11
    assert "created" in capsys.readouterr().out


def test_the_command_reports_errors_as_a_command_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: 1\ncode: [\n")

    with pytest.raises(CommandError, match="line"):
        call_command("import_curriculum", str(path))
    assert not CoursePage.objects.exists()


@pytest.mark.parametrize("name", sorted(p.name for p in CURRICULA.glob("*.yaml")))
def test_every_shipped_curriculum_imports(name):
    result = imports.curriculum_import_file(
        data=(CURRICULA / name).read_bytes(), filename=name, check_permissions=False, publish=True
    )

    assert result.course.live
    assert LessonPage.objects.live().descendant_of(result.course).count() > 5
