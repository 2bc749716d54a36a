"""Read a Training-of-Trainers curriculum (YAML) into frozen dataclasses.

Pure Python: no Django. The format is documented in ``courses/CURRICULUM_FORMAT.md`` and
``courses/curriculum_schema.json``. ``parse_curriculum`` either returns a :class:`Curriculum`
or raises :class:`CurriculumError` listing every problem it found as
``(line, field_path, message)``; it never returns half a curriculum. The reader is split by
stage: `model` (the dataclasses, themes and errors), `loading` (safe YAML with the line of
every field), `validation` (the JSON Schema and the rules beyond it) and `reader` (the entry
points, which build the `Curriculum`); the public names are re-exported here.
"""

from courses.curriculum.loading import KeyPath, format_path
from courses.curriculum.model import (
    SLUG_MAX_LENGTH,
    THEMES,
    Completion,
    ContentBlock,
    Curriculum,
    CurriculumError,
    CurriculumIssue,
    Module,
    QuizReference,
    Session,
    Source,
    Theme,
    slugify,
)
from courses.curriculum.reader import (
    DEFAULT_DURATION_TOLERANCE,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    load_curriculum_file,
    parse_curriculum,
)
from courses.curriculum.validation import MAX_HOURS_PER_DAY, SCHEMA_PATH, load_schema

__all__ = [
    "DEFAULT_DURATION_TOLERANCE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "MAX_HOURS_PER_DAY",
    "SCHEMA_PATH",
    "SLUG_MAX_LENGTH",
    "THEMES",
    "Completion",
    "ContentBlock",
    "Curriculum",
    "CurriculumError",
    "CurriculumIssue",
    "KeyPath",
    "Module",
    "QuizReference",
    "Session",
    "Source",
    "Theme",
    "format_path",
    "load_curriculum_file",
    "load_schema",
    "parse_curriculum",
    "slugify",
]
