"""Errors that services raise and every interface (page, API, command) reports the same way.

Each carries a summary and a list of items naming where the problem is (a field, a line of
a file, an element), so that the user can fix the input. Nothing is written when one is
raised inside a service: services are atomic.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorItem:
    message: str
    field: str | None = None
    line: int | None = None

    def as_dict(self) -> dict:
        item: dict = {"message": self.message}
        if self.field is not None:
            item["field"] = self.field
        if self.line is not None:
            item["line"] = self.line
        return item

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ServiceError(Exception):
    """Bad input: HTTP 400."""

    detail: str
    errors: list[ErrorItem] = field(default_factory=list)
    status = 400

    def __str__(self) -> str:
        lines = [self.detail, *(f"  {item}" for item in self.errors)]
        return "\n".join(lines)


class NotAllowed(ServiceError):
    """The user may not do this: HTTP 403."""

    status = 403


class Conflict(ServiceError):
    """The request clashes with the current state: HTTP 409."""

    status = 409


class TooLarge(ServiceError):
    """An upload or input over its size limit: HTTP 413."""

    status = 413


class Unprocessable(ServiceError):
    """Well-formed but semantically wrong input: HTTP 422."""

    status = 422
