"""Read a Training-of-Trainers curriculum (YAML) into frozen dataclasses.

Pure Python: no Django. The format is documented in ``CURRICULUM_FORMAT.md`` and
``curriculum_schema.json`` beside this module. ``parse_curriculum`` either returns a
:class:`Curriculum` or raises :class:`CurriculumError` listing every problem it found as
``(line, field_path, message)``; it never returns half a curriculum.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import jsonschema
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

SCHEMA_PATH = Path(__file__).with_name("curriculum_schema.json")
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 20
# Sessions must add up to the declared contact hours within this fraction: the hours are
# printed on certificates, so a larger gap is an error; a smaller non-zero gap is a warning.
DEFAULT_DURATION_TOLERANCE = 0.10
MAX_HOURS_PER_DAY = 10
SLUG_MAX_LENGTH = 80


@dataclass(frozen=True)
class Theme:
    slug: str
    name_en: str
    name_ur: str


_THEME_NAMES = (
    ("trafficking-in-human-beings", "Trafficking in human beings", "انسانوں کی تجارت"),
    ("smuggling-of-migrants", "Smuggling of migrants", "تارکینِ وطن کی اسمگلنگ"),
    ("irregular-migration", "Irregular migration", "بے قاعدہ ہجرت"),
    ("document-fraud", "Document fraud", "دستاویزی جعل سازی"),
    ("return-and-reintegration", "Return and reintegration", "واپسی اور دوبارہ انضمام"),
    ("data-collection", "Data collection", "ڈیٹا کی جمع آوری"),
    ("migrants-rights-and-protection", "Migrants' rights and protection",
     "تارکینِ وطن کے حقوق اور تحفظ"),
    ("labour-migration", "Labour migration", "روزگار کے لیے ہجرت"),
    ("border-management", "Border management", "سرحدی انتظام"),
    ("anti-money-laundering", "Anti-money laundering", "منی لانڈرنگ کی روک تھام"),
    ("cybercrime", "Cybercrime", "سائبر جرائم"),
    ("investigation-techniques", "Investigation techniques", "تفتیشی تکنیکیں"),
)  # fmt: skip
# The fixed taxonomy of thematic areas: slug -> Theme, in display order.
THEMES: MappingProxyType[str, Theme] = MappingProxyType(
    {slug: Theme(slug, en, ur) for slug, en, ur in _THEME_NAMES}
)


class CurriculumIssue(NamedTuple):
    """One problem: the 1-based line (None when unknown), the field path and what is wrong."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


class CurriculumError(ValueError):
    """The curriculum cannot be used; ``errors`` lists every problem found."""

    def __init__(self, *, filename: str, errors: list[CurriculumIssue]) -> None:
        self.filename = filename
        self.errors = sorted(set(errors), key=lambda e: (e.line or 0, e.field, e.message))
        count = len(self.errors)
        lines = "\n".join(f"  {issue}" for issue in self.errors)
        super().__init__(f"{filename}: {count} problem{'s' if count != 1 else ''}\n{lines}")


@dataclass(frozen=True)
class ContentBlock:
    kind: str  # "text" or "callout"
    text: str  # Markdown
    style: str | None = None  # callouts: note, tip, warning, important
    title: str | None = None


@dataclass(frozen=True)
class QuizReference:
    category: str  # "<course code>/<category>[/<subcategory>...]", as in the GIFT $CATEGORY line
    title: str | None
    questions: int | None  # random questions to draw; None means all in the category


@dataclass(frozen=True)
class Session:
    title: str
    slug: str
    order: int
    objectives: tuple[str, ...]
    duration_minutes: int
    method: str
    materials: tuple[str, ...]
    blocks: tuple[ContentBlock, ...]
    quiz: QuizReference | None


@dataclass(frozen=True)
class Module:
    title: str
    slug: str
    order: int
    summary: str
    sessions: tuple[Session, ...]

    @property
    def duration_minutes(self) -> int:
        return sum(session.duration_minutes for session in self.sessions)


@dataclass(frozen=True)
class Completion:
    rule: str  # all-lessons, all-activities, min-grade
    min_grade: float | None


@dataclass(frozen=True)
class Source:
    title: str
    version: str
    organisations: tuple[str, ...]
    date: datetime.date | None
    url: str | None
    licence: str | None
    references: tuple[str, ...]


@dataclass(frozen=True)
class Curriculum:
    filename: str
    format: int
    code: str
    title: str
    summary: str
    learning_objectives: tuple[str, ...]
    target_audience: str
    level: str
    duration_hours: float
    duration_days: int
    language: str
    themes: tuple[str, ...]
    prerequisites: tuple[str, ...]
    enrolment: str
    completion: Completion
    certificate: bool
    source: Source
    modules: tuple[Module, ...]
    content_hash: str  # SHA-256 of the parsed document: unchanged file, unchanged hash
    warnings: tuple[CurriculumIssue, ...]

    @property
    def fingerprint(self) -> str:
        """The key that finds the existing course on re-import: the course code."""
        return self.code

    @property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(session for module in self.modules for session in module.sessions)

    @property
    def total_minutes(self) -> int:
        return sum(module.duration_minutes for module in self.modules)

    @property
    def quiz_categories(self) -> tuple[str, ...]:
        seen = dict.fromkeys(s.quiz.category for s in self.sessions if s.quiz is not None)
        return tuple(seen)


def slugify(value: str) -> str:
    """A page slug: Latin letters lose their accents, other scripts (Urdu) are kept."""
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = unicodedata.normalize("NFKC", value).lower()
    value = re.sub(r"[^\w\s-]", "", value)
    value = re.sub(r"[\s_-]+", "-", value).strip("-")
    return value[:SLUG_MAX_LENGTH].rstrip("-")


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


_VALIDATOR = jsonschema.Draft202012Validator(load_schema())
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
KeyPath = tuple[str | int, ...]


class _Stop(Exception):
    """Stops reading at once: ``args`` are (line, field, message)."""


class _Loader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases and deep nesting, and keeps dates as text."""

    yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != _TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, *, max_depth: int) -> None:
        super().__init__(stream)
        self.depth, self.max_depth = 0, max_depth

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            message = "YAML anchors and aliases (&name, *name) are not allowed; write it out"
            raise _Stop(line, "(file)", message)
        if self.depth >= self.max_depth:
            raise _Stop(line, "(file)", f"nested more than {self.max_depth} levels deep")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def format_path(path: KeyPath) -> str:
    """``("modules", 2, "sessions", 0, "title")`` -> ``modules[2].sessions[0].title``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _decode(data: bytes | str, *, max_bytes: int) -> str:
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > max_bytes:
        raise _Stop(None, "(file)", f"the file is {size:,} bytes; the limit is {max_bytes:,}")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, bad = data.count(b"\n", 0, exc.start) + 1, data[exc.start]
        where = f"byte 0x{bad:02X} at offset {exc.start}"
        raise _Stop(line, "(file)", f"not valid UTF-8 ({where}); save it as UTF-8") from None


def _line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, or of its nearest ancestor that has one."""
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _index_nodes(node: Node, path: KeyPath, lines: dict[KeyPath, int], errors: list) -> None:
    """Record the line of every key and item; refuse non-text and duplicate keys."""
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = _line(item)
            _index_nodes(item, (*path, index), lines, errors)
    if not isinstance(node, MappingNode):
        return
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line, child = _line(key_node), (*path, key_node.value)
        if not isinstance(key_node, ScalarNode) or key_node.tag != _STR_TAG:
            errors.append(CurriculumIssue(line, format_path(path), "keys must be plain names"))
        elif key_node.value in seen:
            message = f"duplicate key (first given on line {seen[key_node.value]})"
            errors.append(CurriculumIssue(line, format_path(child), message))
        else:
            seen[key_node.value] = lines[child] = line
            _index_nodes(value_node, child, lines, errors)


def _load_yaml(text: str, *, max_depth: int) -> tuple[dict[str, Any], dict[KeyPath, int]]:
    loader = None
    try:
        loader = _Loader(text, max_depth=max_depth)  # checks for unprintable characters
        node = loader.get_single_node()
        if node is None:
            raise _Stop(1, "(top level)", "the file is empty")
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            message = f"the top level must be a mapping of fields (code:, title:, …), not {kind}"
            raise _Stop(_line(node), "(top level)", message)
        lines: dict[KeyPath, int] = {(): _line(node)}
        errors: list[CurriculumIssue] = []
        _index_nodes(node, (), lines, errors)
        if errors:
            raise _Stop(*errors)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "malformed YAML"
        detail += f" ({exc.context})" if exc.context else ""
        line = mark.line + 1 if mark else None
        raise _Stop(line, "(file)", f"YAML syntax error: {detail}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _Stop(line, "(file)", f"character U+{code:04X} is not allowed in YAML") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise _Stop(None, "(file)", f"unreadable YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


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


def _text(value: Any) -> str:
    return str(value).strip()


def _texts(items: Any) -> tuple[str, ...]:
    return tuple(_text(item) for item in items or ())


def _optional(mapping: dict[str, Any], key: str) -> str | None:
    return _text(mapping[key]) if key in mapping else None


def _block(block: dict[str, Any]) -> ContentBlock:
    if "text" in block:
        return ContentBlock("text", _text(block["text"]))
    callout = block["callout"]
    return ContentBlock(
        "callout", _text(callout["text"]), callout["style"], _optional(callout, "title")
    )


def _session(session: dict[str, Any], number: int) -> Session:
    content, quiz, title = session["content"], session.get("quiz"), _text(session["title"])
    return Session(
        title=title,
        slug=session.get("slug") or slugify(title) or f"session-{number}",
        order=number,
        objectives=_texts(session["objectives"]),
        duration_minutes=int(session["duration_minutes"]),
        method=session["method"],
        materials=_texts(session.get("materials")),
        blocks=tuple(
            _block(b) for b in ([{"text": content}] if isinstance(content, str) else content)
        ),
        quiz=QuizReference(_text(quiz["category"]), _optional(quiz, "title"), quiz.get("questions"))
        if quiz
        else None,
    )


def _build(data: dict[str, Any], *, filename: str, warnings: list) -> Curriculum:
    modules = []
    ordered = sorted(
        enumerate(data["modules"]), key=lambda im: (im[1].get("order", im[0] + 1), im[0])
    )
    for position, (index, module) in enumerate(ordered, start=1):
        title = _text(module["title"])
        sessions = tuple(_session(s, n) for n, s in enumerate(module["sessions"], start=1))
        slug = module.get("slug") or slugify(title) or f"module-{index + 1}"
        modules.append(Module(title, slug, position, _text(module.get("summary", "")), sessions))
    source, completion = data["source"], data["completion"]
    min_grade = completion.get("min_grade")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    return Curriculum(
        filename=filename,
        format=data["format"],
        code=_text(data["code"]),
        title=_text(data["title"]),
        summary=_text(data["summary"]),
        learning_objectives=_texts(data["learning_objectives"]),
        target_audience=_text(data["target_audience"]),
        level=data["level"],
        duration_hours=float(data["duration"]["hours"]),
        duration_days=int(data["duration"]["days"]),
        language=data["language"],
        themes=tuple(data["themes"]),
        prerequisites=tuple(data.get("prerequisites", ())),
        enrolment=data["enrolment"],
        completion=Completion(completion["rule"], None if min_grade is None else float(min_grade)),
        certificate=data["certificate"],
        source=Source(
            title=_text(source["title"]),
            version=source["version"],
            organisations=_texts(source.get("organisations")),
            date=datetime.date.fromisoformat(source["date"]) if "date" in source else None,
            url=source.get("url"),
            licence=_optional(source, "licence"),
            references=_texts(source.get("references")),
        ),
        modules=tuple(modules),
        content_hash=digest.hexdigest(),
        warnings=tuple(warnings),
    )


def parse_curriculum(
    data: bytes | str,
    *,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    duration_tolerance: float = DEFAULT_DURATION_TOLERANCE,
) -> Curriculum:
    """Parse and validate a curriculum; raise CurriculumError naming every problem's line."""
    try:
        document, lines = _load_yaml(_decode(data, max_bytes=max_bytes), max_depth=max_depth)
    except _Stop as stop:
        issues = stop.args if isinstance(stop.args[0], CurriculumIssue) else [stop.args]
        raise CurriculumError(
            filename=filename, errors=[CurriculumIssue(*i) for i in issues]
        ) from None
    checker = _Checker(lines)
    checker.check(document, tolerance=duration_tolerance)
    errors = _schema_issues(document, lines) + checker.errors
    if errors:
        raise CurriculumError(filename=filename, errors=errors)
    return _build(document, filename=filename, warnings=checker.warnings)


def load_curriculum_file(*, path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES) -> Curriculum:
    """Read and parse a curriculum file, never reading more than ``max_bytes`` + 1 bytes."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    return parse_curriculum(data, filename=path.name, max_bytes=max_bytes)
