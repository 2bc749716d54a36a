"""The import_questions management command."""

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Question
from tests.assessments.factories import BANK
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


def test_import_questions_command(tmp_path, capsys):
    course = course_create(code="TST-CMD-1", modules=1, lessons=1)
    path = tmp_path / "bank.gift"
    path.write_bytes(BANK)
    call_command("import_questions", str(path), course="TST-CMD-1", format="gift")
    assert Question.objects.filter(course=course).count() == 6
    assert "Imported 6 questions" in capsys.readouterr().out


def test_import_questions_command_reports_errors_and_imports_nothing(tmp_path):
    course = course_create(code="TST-CMD-2", modules=1, lessons=1)
    path = tmp_path / "bad.gift"
    path.write_bytes(b"::A:: x {T}\n\n::B:: y {=a ~b\n")
    with pytest.raises(CommandError, match="line"):
        call_command("import_questions", str(path), course="TST-CMD-2", format="gift")
    assert not Question.objects.filter(course=course).exists()
    with pytest.raises(CommandError, match="No course"):
        call_command("import_questions", str(path), course="NOPE", format="gift")
