"""Gradebook export: CSV and XLSX (openpyxl) of learners x graded items."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from assessments.selectors import gradebook


def gradebook_table(*, course) -> tuple[list[str], list[list]]:
    quizzes, rows = gradebook(course=course)
    header = [
        _("Username"),
        _("Name"),
        *[f"{quiz.title} (%)" for quiz in quizzes],
        _("Course total (%)"),
        _("Passed"),
    ]
    table = []
    for row in rows:
        table.append(
            [
                row.user.username,
                row.user.get_full_name(),
                *[None if g is None else round(g, 2) for g in row.grades],
                row.total,
                "" if row.passed is None else (_("yes") if row.passed else _("no")),
            ]
        )
    return header, table


def _safe(value):
    """Cells that a spreadsheet would run as a formula are written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def gradebook_csv(*, course) -> bytes:
    header, table = gradebook_table(course=course)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in table:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def gradebook_xlsx(*, course) -> bytes:
    from openpyxl import Workbook

    header, table = gradebook_table(course=course)
    book = Workbook()
    sheet = book.active
    sheet.title = str(course.code)[:31]
    sheet.append(header)
    for row in table:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
