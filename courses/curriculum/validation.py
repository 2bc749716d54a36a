"""Validation of a loaded curriculum: the JSON Schema (``courses/curriculum_schema.json``),
with each failure turned into a plain-language message at its line (`_schema_issues`), and
the rules a schema cannot express (`_Checker`): unique titles, slugs and orders among
siblings, quiz categories under the course's code, a course that requires itself, real
dates, and sessions that add up to the declared hours (an error beyond the tolerance, a
warning below it). Pure Python: no Django.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import jsonschema

from courses.curriculum.loading import KeyPath, _line_of, format_path
from courses.curriculum.model import THEMES, CurriculumIssue, slugify

SCHEMA_PATH = Path(__file__).parents[1] / "curriculum_schema.json"
MAX_HOURS_PER_DAY = 10


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


_VALIDATOR = jsonschema.Draft202012Validator(load_schema())


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number"}
_TYPE_WORDS |= {"boolean": "true or false", "array": "a list", "object": "a mapping of fields"}
_CODE_HINT = "a course code like FIA-THB-101 (2-5 capitals, hyphen, 2-5 capitals, hyphen, 3 digits)"
_FIELD_MESSAGES = {
    "format": "must be 1 (the only version of this format)",
    "code": f"must be {_CODE_HINT}",
    "prerequisites": f"each prerequisite must be {_CODE_HINT}",
    "duration_minutes": "must be a whole number of minutes between 5 and 480",
    "hours": "must be a number of hours above 0 and at most 500",
    "days": "must be a whole number of days between 1 and 60",
    "order": "must be a whole number between 1 and 100",
    "slug": "must be lower-case letters and digits joined by single hyphens, like day-1-intro",
    "min_grade": "must be a percentage from 0 to 100, given only when rule is min-grade",
    "date": "must be a date written YYYY-MM-DD",
    "url": "must be a web address starting with http:// or https://",
    "version": "must be a version label like 1.0 or 2024-1 (in quotes if it looks like a number)",
    "category": "must be the course code, then '/' and a category name, like FIA-THB-101/Day 1",
    "questions": "must be a whole number of questions between 1 and 100",
    "themes": "must be one of the known themes: " + ", ".join(THEMES),
}
_OWN_MESSAGE = {"type", "minimum", "maximum", "exclusiveMinimum", "pattern", "const", "enum", "not"}


def _message(kind: str | None, value: Any, instance: Any, field: str, default: str) -> str:
    """A plain-language message for one JSON Schema failure."""
    if field in _FIELD_MESSAGES and kind in _OWN_MESSAGE:
        return _FIELD_MESSAGES[field] + (f" (got {instance!r})" if kind == "enum" else "")
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        quote = "string" in expected and isinstance(instance, int | float | bool)
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        return f"must be {words}" + (" (put it in quotes)" if quote else "")
    if kind == "enum":
        return f"must be one of: {', '.join(map(str, value))} (got {instance!r})"
    if kind in ("minItems", "maxItems"):
        word = "at least" if kind == "minItems" else "at most"
        return f"must list {word} {value} item{'s' * (value != 1)} (has {len(instance)})"
    if kind == "maxLength":
        return f"must be at most {value} characters (has {len(instance)})"
    return {
        "pattern": "must not be blank" if value == "\\S" else default,
        "uniqueItems": "must not list the same item twice",
        "minProperties": "each content block must have exactly one of: text, callout",
        "maxProperties": "each content block must have exactly one of: text, callout",
        "not": "is not allowed here",
    }.get(kind, default)


def _schema_issues(data: Any, lines: dict[KeyPath, int]) -> list[CurriculumIssue]:
    issues = []
    for error in _VALIDATOR.iter_errors(data):
        path: KeyPath = tuple(error.absolute_path)
        kind, value, instance = error.validator, error.validator_value, error.instance
        if kind in ("required", "additionalProperties"):
            known = error.schema.get("properties", {})
            if kind == "required":
                names, message = [n for n in value if n not in instance], "is required"
            else:
                names = [n for n in instance if n not in known]
                message = f"unknown field; allowed here: {', '.join(known)}"
            for name in names:
                where = (*path, name) if kind != "required" else path
                issues.append(
                    CurriculumIssue(_line_of(lines, where), format_path((*path, name)), message)
                )
            continue
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        message = _message(kind, value, instance, field, error.message)
        issues.append(CurriculumIssue(_line_of(lines, path), format_path(path), message))
    return issues


def _norm(title: Any) -> str:
    return " ".join(str(title).split()).casefold()


class _Checker:
    """Rules JSON Schema cannot express. Defensive: the data may also have failed the schema."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self.lines = lines
        self.errors: list[CurriculumIssue] = []
        self.warnings: list[CurriculumIssue] = []

    def add(self, target: list[CurriculumIssue], path: KeyPath, message: str) -> None:
        target.append(CurriculumIssue(_line_of(self.lines, path), format_path(path), message))

    def unique(self, items: list[tuple[KeyPath, Any]], what: str, scope: str) -> bool:
        """Report repeats among ``(path, value)`` pairs; True when there were none."""
        first: dict[str, KeyPath] = {}
        clean = True
        for path, value in items:
            if not isinstance(value, str | int) or not str(value).strip():
                continue
            if (key := _norm(value)) in first:
                clean = False
                message = f"{what} {value!r} is already used by {format_path(first[key])}"
                self.add(self.errors, path, f"{message}; {what}s must be unique {scope}")
            first.setdefault(key, path)
        return clean

    def siblings(self, base: KeyPath, items: list[tuple[int, dict[str, Any]]], scope: str) -> None:
        """Titles, then (when titles differ) slugs, must be unique among siblings."""
        titles = [((*base, i, "title"), item.get("title")) for i, item in items]
        if self.unique(titles, "title", scope):
            slugs = [((*base, i, "slug"), _slug_of(item)) for i, item in items]
            self.unique(slugs, "slug", f"{scope} (set slug: to tell them apart)")

    def check(self, data: dict[str, Any], *, tolerance: float) -> None:
        code = data.get("code") if isinstance(data.get("code"), str) else None
        prerequisites = data.get("prerequisites")
        if code and isinstance(prerequisites, list) and code in prerequisites:
            where = ("prerequisites", prerequisites.index(code))
            self.add(self.errors, where, "a course cannot require itself")
        source = data.get("source")
        if isinstance(source, dict) and isinstance(source.get("date"), str):
            try:
                datetime.date.fromisoformat(source["date"])
            except ValueError:
                self.add(self.errors, ("source", "date"), f"{source['date']!r} is not a real date")
        modules = _mappings(data.get("modules"))
        self.siblings(("modules",), modules, "among modules")
        orders = [(("modules", i, "order"), m["order"]) for i, m in modules if "order" in m]
        self.unique(orders, "order", "among modules")
        minutes = [self.check_module(i, m, code=code) for i, m in modules]
        if modules and None not in minutes:
            self.check_duration(data.get("duration"), sum(minutes), tolerance=tolerance)

    def check_module(self, index: int, module: dict[str, Any], *, code: str | None) -> float | None:
        """Check one module's sessions; return their total minutes (None if not all known)."""
        base = ("modules", index, "sessions")
        sessions = _mappings(module.get("sessions"))
        self.siblings(base, sessions, "in a module")
        total: float | None = 0
        for j, session in sessions:
            minutes = session.get("duration_minutes")
            known = isinstance(minutes, int | float) and not isinstance(minutes, bool)
            total = total + minutes if known and total is not None else None
            quiz = session.get("quiz")
            category = quiz.get("category") if isinstance(quiz, dict) else None
            if code and isinstance(category, str) and not category.startswith(f"{code}/"):
                where = (*base, j, "quiz", "category")
                self.add(self.errors, where, f"must start with this curriculum's code: {code}/")
        return total

    def check_duration(self, duration: Any, minutes: float, *, tolerance: float) -> None:
        hours = duration.get("hours") if isinstance(duration, dict) else None
        if not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
            return
        gap, days = abs(minutes - hours * 60), duration.get("days")
        summary = f"sessions add up to {minutes / 60:g} h but duration.hours is {hours:g} h"
        if gap > hours * 60 * tolerance:
            message = f"{summary}; they must agree within {tolerance:.0%}"
            self.add(self.errors, ("duration", "hours"), message)
        elif gap:
            self.add(self.warnings, ("duration", "hours"), summary)
        if isinstance(days, int) and days > 0 and hours > days * MAX_HOURS_PER_DAY:
            message = f"{hours:g} h in {days} days is more than {MAX_HOURS_PER_DAY} h a day"
            self.add(self.warnings, ("duration", "hours"), message)


def _mappings(items: Any) -> list[tuple[int, dict[str, Any]]]:
    items = items if isinstance(items, list) else []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _slug_of(item: dict[str, Any]) -> str:
    slug = item.get("slug")
    return slug if isinstance(slug, str) else slugify(str(item.get("title", "")))
