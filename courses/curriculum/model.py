"""What a parsed curriculum is: frozen dataclasses (`Curriculum`, `Module`, `Session`,
`ContentBlock`, `QuizReference`, `Completion`, `Source`), the fixed taxonomy of thematic
areas (`THEMES`), one problem found in a file (`CurriculumIssue`) and the error listing them
all (`CurriculumError`), and `slugify`, which makes page slugs from titles. Pure Python: no
Django.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

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
