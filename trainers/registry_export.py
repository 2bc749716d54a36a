"""CSV and XLSX export of a registry search. The columns are the import's, so an exported
file can be edited and imported again (`status` is informative and ignored on import)."""

from __future__ import annotations

import csv
import io

from trainers.selectors.registry import status_label

EXPORT_COLUMNS = [
    "full_name",
    "full_name_native",
    "organisation",
    "country",
    "gender",
    "languages",
    "specialisations",
    "status",
]
CONTACT_COLUMNS = ["email", "phone"]


def _safe(value):
    """Cells a spreadsheet would run as a formula are written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def registry_table(*, trainers, contacts: bool) -> tuple[list[str], list[list[str]]]:
    header = EXPORT_COLUMNS[:2] + (CONTACT_COLUMNS if contacts else []) + EXPORT_COLUMNS[2:]
    rows = []
    for trainer in trainers:
        row = [trainer.full_name, trainer.full_name_native]
        if contacts:
            row += [trainer.email, trainer.phone]
        row += [
            trainer.organisation.short_name if trainer.organisation_id else "",
            trainer.country.code,
            trainer.gender,
            "; ".join(lang.language for lang in trainer.languages.all()),
            "; ".join(theme.slug for theme in trainer.specialisations.all()),
            status_label(trainer.registry_status),
        ]
        rows.append([_safe(value) for value in row])
    return header, rows


def registry_csv(*, trainers, contacts: bool) -> bytes:
    """UTF-8 with a BOM, so that spreadsheets show Urdu, Arabic and Dari names."""
    header, rows = registry_table(trainers=trainers, contacts=contacts)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def registry_xlsx(*, trainers, contacts: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = registry_table(trainers=trainers, contacts=contacts)
    book = Workbook()
    sheet = book.active
    sheet.title = "Trainers"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
