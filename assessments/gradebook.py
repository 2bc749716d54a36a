"""Gradebook export: CSV and XLSX (openpyxl) of learners x graded items."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.utils.translation import gettext as _

from assessments.selectors import gradebook

# Columns other apps add to the gradebook (the live app: sessions attended), registered
# from their AppConfig.ready so that assessments imports none of them.
_column_providers: dict[str, Callable] = {}


def register_gradebook_columns(name: str, provider: Callable) -> None:
    """`provider(course=..., user_ids=[...])` returns [(label, {user_id: value}), ...]."""
    _column_providers[name] = provider


def gradebook_rows(*, course) -> tuple[list, list, list[str]]:
    """The gradebook with the registered extra columns: each row gets `extra`, its values
    in the order of the returned labels."""
    quizzes, rows = gradebook(course=course)
    user_ids = [row.user.pk for row in rows]
    columns = [
        column
        for provider in _column_providers.values()
        for column in provider(course=course, user_ids=user_ids)
    ]
    for row in rows:
        row.extra = [values.get(row.user.pk) for _label, values in columns]
    return quizzes, rows, [label for label, _values in columns]


def gradebook_labels(rows: list) -> list:
    """Each row as the page shows it: `name`, the learner's, and `cells`, the row's other
    cells as HTML (grades and total as "83.3%" or "—" as `floatformat:1` wrote them, the
    result, the extra columns). Built here rather than cell by cell in the template: a
    300-learner gradebook has 2,000 cells, and the template's work on each of them was most
    of the page's time (numbers are formatted once per distinct value)."""
    from django.template.defaultfilters import floatformat
    from django.utils.formats import localize
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    labels: dict[float, str] = {}

    def label(value: float | None) -> str:
        if value is None:
            return "—"
        text = labels.get(value)
        if text is None:
            text = labels[value] = conditional_escape(f"{floatformat(value, 1)}%")
        return text

    badge = '<td><span class="badge badge--{}">{}</span></td>'
    results = {
        None: "<td>—</td>",
        True: badge.format("success", conditional_escape(_("Passed"))),
        False: badge.format("warning", conditional_escape(_("Not yet"))),
    }
    for row in rows:
        row.name = row.user.get_full_name() or row.user.username
        cells = [f'<td class="num">{label(grade)}</td>' for grade in row.grades]
        cells.append(f'<td class="num">{label(row.total)}</td>')
        cells.append(results[row.passed])
        cells += [
            f'<td class="num">{conditional_escape(localize(value) if value else "—")}</td>'
            for value in row.extra
        ]
        row.cells = mark_safe("".join(cells))  # every value in them is escaped above
    return rows


def gradebook_table(*, course) -> tuple[list[str], list[list]]:
    quizzes, rows, extra = gradebook_rows(course=course)
    header = [
        _("Username"),
        _("Name"),
        *[f"{quiz.title} (%)" for quiz in quizzes],
        _("Course total (%)"),
        _("Passed"),
        *extra,
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
                *row.extra,
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
