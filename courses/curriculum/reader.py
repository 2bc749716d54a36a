"""The curriculum reader's entry points: `parse_curriculum` decodes, loads and validates a
file's bytes and builds the frozen `Curriculum` from the valid document (with a content hash
that changes only when the document does), and `load_curriculum_file` reads a file within the
size limit. Either a whole curriculum comes back, or a `CurriculumError` listing every
problem. Pure Python: no Django.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

from courses.curriculum.loading import _decode, _load_yaml, _Stop
from courses.curriculum.model import (
    Completion,
    ContentBlock,
    Curriculum,
    CurriculumError,
    CurriculumIssue,
    Module,
    QuizReference,
    Session,
    Source,
    slugify,
)
from courses.curriculum.validation import _Checker, _schema_issues

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 20
# Sessions must add up to the declared contact hours within this fraction: the hours are
# printed on certificates, so a larger gap is an error; a smaller non-zero gap is a warning.
DEFAULT_DURATION_TOLERANCE = 0.10


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
