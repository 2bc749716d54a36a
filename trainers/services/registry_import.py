"""The CSV import of existing trainer lists into the registry: UTF-8 (with or without BOM),
names in any script kept as written, every problem reported by line and column, and nothing
imported unless every line is right."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from courses.models import ThematicArea
from lms.exceptions import ErrorItem, ServiceError, TooLarge
from lms.models import Organisation, User
from trainers.models import Cohort, Gender, Trainer
from trainers.services.registry import (
    certification_grant,
    cohort_add_participants,
    trainer_languages,
    trainer_match,
    trainer_upsert,
)

IMPORT_COLUMNS = [
    "full_name",
    "full_name_native",
    "email",
    "phone",
    "organisation",
    "country",
    "gender",
    "languages",
    "specialisations",
    "username",
    "cohort",
    "certified_on",
]
REQUIRED_COLUMNS = ("full_name", "country")
# Columns of the registry's export that the import reads past.
IGNORED_COLUMNS = ("status",)


@dataclass
class ImportResult:
    created: list[Trainer] = field(default_factory=list)
    updated: list[Trainer] = field(default_factory=list)
    certified: int = 0


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ServiceError(
            _("The file is not UTF-8 text."),
            [
                ErrorItem(
                    message=_(
                        "This byte is not UTF-8. Save the sheet as “CSV UTF-8” and upload it again."
                    ),
                    line=line,
                )
            ],
        ) from None


def _country_code(value: str) -> str | None:
    value = value.strip()
    if value.upper() in dict(countries):
        return value.upper()
    code = countries.by_name(value)
    return code or None


@transaction.atomic
def trainers_import(*, data: bytes, by: User | None = None) -> ImportResult:
    """Import a CSV list of trainers (UTF-8, with or without BOM; comma or semicolon).

    Columns: IMPORT_COLUMNS; `full_name` and `country` are required, the others optional.
    Every problem is reported with its line and column; nothing is imported unless every
    line is right. A trainer already in the registry (same account, email, or name and
    country) is updated. With `cohort` (a cohort's name), the trainer joins that cohort, and
    with `certified_on` too, is certified from it on that date.
    """
    if len(data) > settings.TRAINER_IMPORT_MAX_BYTES:
        raise TooLarge(
            _("The file is larger than %(limit)d KB.")
            % {"limit": settings.TRAINER_IMPORT_MAX_BYTES // 1024}
        )
    text = _decode(data)
    if not text.strip():
        raise ServiceError(_("The file is empty."), [ErrorItem(message=_("No lines."), line=1)])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [column.strip().lower() for column in next(reader)]
    errors: list[ErrorItem] = []
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [
        column
        for column in header
        if column and column not in IMPORT_COLUMNS and column not in IGNORED_COLUMNS
    ]
    for column in missing:
        errors.append(ErrorItem(message=_("This column is required."), field=column, line=1))
    for column in unknown:
        errors.append(
            ErrorItem(
                message=_("Unknown column; the columns are: %(columns)s")
                % {"columns": ", ".join(IMPORT_COLUMNS)},
                field=column,
                line=1,
            )
        )
    if errors:
        raise ServiceError(_("The file's first line must name the columns."), errors)

    organisations = {o.short_name.lower(): o for o in Organisation.objects.all()}
    organisations.update({o.name.lower(): o for o in organisations.values()})
    themes = {t.slug: t for t in ThematicArea.objects.all()}
    themes.update({t.name.lower(): t for t in list(themes.values())})
    cohorts = {c.name.lower(): c for c in Cohort.objects.all()}
    languages = trainer_languages()
    language_names = {name.lower(): code for code, name in languages.items()}
    genders = {value: value for value in Gender.values}
    genders.update({"f": "female", "m": "male", "woman": "female", "man": "male"})
    usernames = {}
    rows = []
    last_line = reader.line_num
    for cells in reader:
        # A quoted cell may hold line breaks: a record starts after the previous one ended.
        line_number, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(
                ErrorItem(
                    message=_("%(n)d cells where the header names %(m)d columns.")
                    % {"n": len(cells), "m": len(header)},
                    line=line_number,
                )
            )
            continue
        row = {
            column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)
        }

        def error(column: str, message: str, line=line_number) -> None:
            errors.append(ErrorItem(message=message, field=column, line=line))

        parsed: dict = {"line": line_number}
        parsed["full_name"] = " ".join(row["full_name"].split())
        if not parsed["full_name"]:
            error("full_name", _("A name is required."))
        parsed["full_name_native"] = row.get("full_name_native", "")
        parsed["country"] = _country_code(row["country"]) if row["country"] else None
        if parsed["country"] is None:
            error("country", _("A country is required: an ISO code such as PK, or its name."))
        parsed["email"] = row.get("email", "")
        if parsed["email"]:
            try:
                validate_email(parsed["email"])
            except ValidationError:
                error("email", _("Not an email address."))
        parsed["phone"] = row.get("phone", "")
        parsed["organisation"] = None
        if row.get("organisation"):
            parsed["organisation"] = organisations.get(row["organisation"].lower())
            if parsed["organisation"] is None:
                error(
                    "organisation",
                    _("No organisation called “%(name)s”.") % {"name": row["organisation"]},
                )
        parsed["gender"] = None
        if row.get("gender"):
            parsed["gender"] = genders.get(row["gender"].lower())
            if parsed["gender"] is None:
                error(
                    "gender",
                    _("Use one of: %(values)s") % {"values": ", ".join(Gender.values)},
                )
        parsed["languages"] = None
        if "languages" in row:
            codes = []
            for value in _split(row["languages"]):
                code = (
                    value.lower()
                    if value.lower() in languages
                    else language_names.get(value.lower())
                )
                if code is None:
                    error("languages", _("Unknown language “%(value)s”.") % {"value": value})
                else:
                    codes.append(code)
            parsed["languages"] = codes
        parsed["specialisations"] = None
        if "specialisations" in row:
            chosen = []
            for value in _split(row["specialisations"]):
                theme = themes.get(value.lower())
                if theme is None:
                    error(
                        "specialisations",
                        _("Unknown thematic area “%(value)s”.") % {"value": value},
                    )
                else:
                    chosen.append(theme)
            parsed["specialisations"] = chosen
        parsed["user"] = None
        if row.get("username"):
            usernames[line_number] = row["username"]
        parsed["cohort"] = None
        if row.get("cohort"):
            parsed["cohort"] = cohorts.get(row["cohort"].lower())
            if parsed["cohort"] is None:
                error("cohort", _("No cohort called “%(name)s”.") % {"name": row["cohort"]})
        parsed["certified_on"] = None
        if row.get("certified_on"):
            try:
                parsed["certified_on"] = date.fromisoformat(row["certified_on"])
            except ValueError:
                error("certified_on", _("Write the date as YYYY-MM-DD."))
            if not row.get("cohort"):
                error("certified_on", _("A certification date needs a cohort."))
        rows.append(parsed)

    users = {u.username.lower(): u for u in User.objects.filter(username__in=usernames.values())}
    for row in rows:
        username = usernames.get(row["line"])
        if username:
            row["user"] = users.get(username.lower())
            if row["user"] is None:
                errors.append(
                    ErrorItem(
                        message=_("No user called “%(name)s”.") % {"name": username},
                        field="username",
                        line=row["line"],
                    )
                )
    if not rows and not errors:
        errors.append(ErrorItem(message=_("The file has no trainers after its header."), line=2))
    if errors:
        raise ServiceError(
            _("Nothing was imported: %(n)d problems to fix.") % {"n": len(errors)}, errors
        )

    result = ImportResult()
    for row in rows:
        existing = trainer_match(
            user=row["user"], email=row["email"], full_name=row["full_name"], country=row["country"]
        )
        trainer = trainer_upsert(
            full_name=row["full_name"],
            country=row["country"],
            user=row["user"],
            email=row["email"],
            full_name_native=row["full_name_native"] or None,
            organisation=row["organisation"],
            gender=row["gender"],
            phone=row["phone"] or None,
            languages=row["languages"],
            specialisations=row["specialisations"],
        )
        (result.updated if existing else result.created).append(trainer)
        if row["cohort"] is not None:
            cohort_add_participants(cohort=row["cohort"], trainers=[trainer])
            if row["certified_on"] is not None:
                certification_grant(
                    trainer=trainer, cohort=row["cohort"], issued_on=row["certified_on"], by=by
                )
                result.certified += 1
    return result
