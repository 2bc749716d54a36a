"""Course grades for the "minimum grade" completion rule.

The courses app does not import the assessments app (see DESIGN.md); the gradebook
registers its grade function here when it loads, and completion asks through it.
"""

from collections.abc import Callable

_grade_provider: Callable | None = None


def register_grade_provider(provider: Callable) -> None:
    """`provider(user=..., course=...)` returns the course grade in percent, or None."""
    global _grade_provider  # one provider per process, set at start-up
    _grade_provider = provider


def course_grade(*, user, course) -> float | None:
    return _grade_provider(user=user, course=course) if _grade_provider else None
