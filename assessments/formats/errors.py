"""The one error hierarchy of the question formats.

Every problem found in an input file becomes an :class:`ErrorItem` that says *where* (a
1-based line of a GIFT file, or the 1-based index of a ``<question>`` element of a Moodle
XML file together with the question's name) and *what*, in words a trainer understands.
A parser collects every problem it can find and raises one :class:`FormatError` carrying
them all, so a file is imported completely or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorItem", "FormatError", "GiftError", "IRError", "MoodleXmlError"]


@dataclass(frozen=True, kw_only=True)
class ErrorItem:
    """One problem in an input file (or in an IR dict).

    ``line`` is the 1-based line in the file; ``element`` the 1-based index of the
    ``<question>`` element in a Moodle XML file (categories count); ``question`` the name of
    the question concerned, when it is known. ``message`` never repeats the location.
    """

    message: str
    line: int | None = None
    element: int | None = None
    question: str | None = None

    def __str__(self) -> str:
        if self.element is not None:
            name = f"question '{self.question}' " if self.question else "question "
            return f"{name}(element {self.element}): {self.message}"
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        if self.question:
            return f"question '{self.question}': {self.message}"
        return self.message


class FormatError(ValueError):
    """A file (or IR dict) could not be read or written; ``errors`` lists every problem."""

    def __init__(self, errors: list[ErrorItem] | str) -> None:
        if isinstance(errors, str):
            errors = [ErrorItem(message=errors)]
        self.errors: list[ErrorItem] = list(errors)
        self.filename: str | None = None
        super().__init__("\n".join(str(error) for error in self.errors))

    @property
    def messages(self) -> list[str]:
        """Each error as the one line a trainer would read."""
        return [str(error) for error in self.errors]


class GiftError(FormatError):
    """A GIFT file could not be imported or a bank could not be written as GIFT."""


class MoodleXmlError(FormatError):
    """A Moodle XML file could not be imported or a bank could not be written as Moodle XML."""


class IRError(FormatError):
    """A question-bank dict does not follow the IR schema (see :mod:`.ir`)."""
