"""Course grades for the "minimum grade" completion rule, and extra requirements.

The courses app does not import the assessments app (see DESIGN.md); the gradebook
registers its grade function here when it loads, and completion asks through it.
Other apps add requirements the same way (the live app: "attended at least N sessions").
"""

from collections.abc import Callable

_grade_provider: Callable | None = None


def register_grade_provider(provider: Callable) -> None:
    """`provider(user=..., course=...)` returns the course grade in percent, or None."""
    global _grade_provider  # one provider per process, set at start-up
    _grade_provider = provider


def course_grade(*, user, course) -> float | None:
    return _grade_provider(user=user, course=course) if _grade_provider else None


_requirements: dict[str, Callable] = {}


def register_completion_requirement(name: str, requirement: Callable) -> None:
    """`requirement(user=..., course=...)` returns True or False when it applies to the
    course, None when it does not. A course completes only when every applicable one holds,
    on top of the course's own rule."""
    _requirements[name] = requirement  # by name, so a second registration replaces it


def completion_requirements_met(*, user, course) -> bool:
    return all(
        requirement(user=user, course=course) is not False for requirement in _requirements.values()
    )
