"""SCORM 1.2 ``adlcp:prerequisites`` (``type="aicc_script"``) expressions.

The AICC script grammar: item identifiers combined with ``&`` (and), ``|`` (or), ``~``
(not), parentheses, status tests ``id = "passed"`` / ``id <> "failed"`` (the status may be
the word or its AICC letter p, c, f, i, b, n) and sets ``2*{a,b,c}`` (at least two of them
done). Packages also write the operators as the words ``AND``, ``OR`` and ``NOT``; both
spellings are accepted. ``not`` binds tighter than ``and``, which binds tighter than ``or``.

A bare identifier is satisfied when that item's lesson status is ``passed`` or
``completed``, as the AICC guidelines and Moodle's ``scorm_eval_prerequisites`` do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DONE = frozenset({"passed", "completed"})
_STATUS_LETTERS = {
    "p": "passed",
    "c": "completed",
    "f": "failed",
    "i": "incomplete",
    "b": "browsed",
    "n": "not attempted",
}
_STATUS_WORDS = frozenset(_STATUS_LETTERS.values())

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op><>|[&|~()={},*])
      | (?P<string>"[^"]*")
      | (?P<word>[^\s&|~()={},*"<>]+)
    )""",
    re.VERBOSE,
)
_WORD_OPERATORS = {"and": "&", "or": "|", "not": "~"}


class PrerequisiteSyntaxError(ValueError):
    """The expression does not follow the AICC script grammar."""


@dataclass(frozen=True)
class Ref:
    identifier: str

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        return statuses.get(self.identifier, "not attempted") in DONE


@dataclass(frozen=True)
class StatusTest:
    identifier: str
    status: str
    negate: bool = False

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        matches = statuses.get(self.identifier, "not attempted") == self.status
        return not matches if self.negate else matches


@dataclass(frozen=True)
class AtLeast:
    count: int
    identifiers: tuple[str, ...]

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        done = sum(1 for i in self.identifiers if statuses.get(i, "not attempted") in DONE)
        return done >= self.count


@dataclass(frozen=True)
class Not:
    operand: Node

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        return not self.operand.evaluate(statuses)


@dataclass(frozen=True)
class And:
    left: Node
    right: Node

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        return self.left.evaluate(statuses) and self.right.evaluate(statuses)


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        return self.left.evaluate(statuses) or self.right.evaluate(statuses)


Node = Ref | StatusTest | AtLeast | Not | And | Or


@dataclass(frozen=True)
class Prerequisites:
    """A parsed prerequisites expression; ``tree`` is None for an empty expression."""

    expression: str
    type: str = "aicc_script"
    tree: Node | None = None

    def evaluate(self, statuses: Mapping[str, str]) -> bool:
        """Whether the item may be launched, given each item's ``lesson_status``."""
        return True if self.tree is None else self.tree.evaluate(statuses)

    def identifiers(self) -> frozenset[str]:
        found: set[str] = set()
        stack: list[Node] = [self.tree] if self.tree is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, Ref | StatusTest):
                found.add(node.identifier)
            elif isinstance(node, AtLeast):
                found.update(node.identifiers)
            elif isinstance(node, Not):
                stack.append(node.operand)
            else:
                stack.extend((node.left, node.right))
        return frozenset(found)


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PrerequisiteSyntaxError(f"unexpected character at position {position + 1}")
        position = match.end()
        if match.group("op"):
            tokens.append(("op", match.group("op")))
        elif match.group("string"):
            tokens.append(("string", match.group("string")[1:-1]))
        else:
            word = match.group("word")
            operator = _WORD_OPERATORS.get(word.lower())
            tokens.append(("op", operator) if operator else ("word", word))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise PrerequisiteSyntaxError("the expression ends too early")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if kind != "op" or text != value:
            raise PrerequisiteSyntaxError(f"expected '{value}' but found '{text}'")

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise PrerequisiteSyntaxError(f"unexpected '{self.peek()[1]}'")  # type: ignore[index]
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.peek() == ("op", "|"):
            self.take()
            node = Or(node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.peek() == ("op", "&"):
            self.take()
            node = And(node, self.parse_not())
        return node

    def parse_not(self) -> Node:
        if self.peek() == ("op", "~"):
            self.take()
            return Not(self.parse_not())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        kind, text = self.take()
        if kind == "op" and text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind != "word":
            raise PrerequisiteSyntaxError(f"expected an item identifier but found '{text}'")
        if self.peek() == ("op", "*") and text.isdigit():
            self.take()
            return self.parse_set(int(text))
        nxt = self.peek()
        if nxt in (("op", "="), ("op", "<>")):
            self.take()
            return StatusTest(text, self.parse_status(), negate=nxt[1] == "<>")
        return Ref(text)

    def parse_set(self, count: int) -> Node:
        self.expect("{")
        identifiers: list[str] = []
        while True:
            kind, text = self.take()
            if kind != "word":
                raise PrerequisiteSyntaxError(f"expected an item identifier but found '{text}'")
            identifiers.append(text)
            kind, text = self.take()
            if (kind, text) == ("op", "}"):
                break
            if (kind, text) != ("op", ","):
                raise PrerequisiteSyntaxError(f"expected ',' or '}}' but found '{text}'")
        return AtLeast(count, tuple(identifiers))

    def parse_status(self) -> str:
        kind, text = self.take()
        if kind not in ("word", "string"):
            raise PrerequisiteSyntaxError(f"expected a lesson status but found '{text}'")
        status = text.strip().lower()
        status = _STATUS_LETTERS.get(status, status)
        if status not in _STATUS_WORDS:
            raise PrerequisiteSyntaxError(f"'{text}' is not a lesson status")
        return status


def parse_prerequisites(*, expression: str, type: str = "aicc_script") -> Prerequisites:
    """Parse an ``adlcp:prerequisites`` expression; raise PrerequisiteSyntaxError if invalid."""
    text = expression.strip()
    if not text:
        return Prerequisites(expression=text, type=type, tree=None)
    tokens = _tokenize(text)
    return Prerequisites(expression=text, type=type, tree=_Parser(tokens).parse())
