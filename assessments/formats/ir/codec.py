"""``to_dict`` / ``from_dict`` for the IR: plain JSON types, exact round trip.

The dict of a dataclass has exactly its fields (``Question.source`` excepted), nested
dataclasses as dicts, ``bytes`` as base64 text. ``from_dict`` checks every key and type,
fills absent optional keys with their defaults, rejects unknown keys and then validates
the result (:mod:`.validate`), raising :class:`IRError` that names the path of each problem.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import math
import types
import typing
from typing import Any

from ..errors import ErrorItem, IRError
from . import model
from .model import PAYLOAD_TYPES, Bank, Question

FORMAT_VERSION = 1
_SKIPPED = frozenset({"source"})


def to_plain(value: Any) -> Any:
    """Turn an IR object (or list of them) into JSON-serialisable data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _SKIPPED
        }
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def question_to_dict(question: Question) -> dict[str, Any]:
    """The dict stored per question version and read when grading."""
    return to_plain(question)


def bank_to_dict(bank: Bank) -> dict[str, Any]:
    return {"format_version": FORMAT_VERSION, **to_plain(bank)}


class _Decoder:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    def build(self, cls: type, data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            self.fail(path, f"expected an object, got {type(data).__name__}")
            return None
        hints, known = _schema(cls)
        for key in data:
            if key not in known:
                self.fail(path, f"unknown key {key!r}")
        values: dict[str, Any] = {}
        for name, spec in known.items():
            where = f"{path}.{name}" if path else name
            if name not in data:
                required = (
                    spec.default is dataclasses.MISSING
                    and spec.default_factory is dataclasses.MISSING
                )
                if required:
                    self.fail(where, "is missing")
                continue
            if cls is Question and name == "data":
                continue
            values[name] = self.convert(hints[name], data[name], where)
        if cls is Question:
            payload_cls = PAYLOAD_TYPES.get(values.get("qtype"))
            if payload_cls is None:
                self.fail(f"{path}.qtype", f"unknown question type {values.get('qtype')!r}")
                return None
            values["data"] = self.build(payload_cls, data.get("data", {}), f"{path}.data")
        if any(value is None and not _optional(hints[key]) for key, value in values.items()):
            return None
        try:
            return cls(**values)
        except TypeError:
            return None

    def convert(self, hint: Any, value: Any, path: str) -> Any:
        origin = typing.get_origin(hint)
        if origin in (types.UnionType, typing.Union):
            options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            if value is None:
                return None
            return self.convert(options[0], value, path)
        if origin is list:
            if not isinstance(value, list):
                self.fail(path, f"expected a list, got {type(value).__name__}")
                return None
            (item_hint,) = typing.get_args(hint)
            items = [self.convert(item_hint, item, f"{path}[{i}]") for i, item in enumerate(value)]
            return None if any(item is None for item in items) else items
        if dataclasses.is_dataclass(hint):
            return self.build(hint, value, path)
        return self.scalar(hint, value, path)

    def scalar(self, hint: Any, value: Any, path: str) -> Any:
        if hint is bool:
            if isinstance(value, bool):
                return value
        elif hint is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif hint is float:
            if isinstance(value, int | float) and not isinstance(value, bool):
                if math.isfinite(value):
                    return float(value)
                self.fail(path, "must be a finite number")
                return None
        elif hint is str:
            if isinstance(value, str):
                return value
        elif hint is bytes and isinstance(value, str):
            try:
                return base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                self.fail(path, "is not valid base64")
                return None
        kind = {bool: "true or false", int: "a whole number", float: "a number"}.get(
            hint, "a string"
        )
        self.fail(path, f"expected {kind}, got {value!r:.40}")
        return None


@functools.cache
def _schema(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field]]:
    """The resolved type hints and the serialised fields of an IR class."""
    hints = typing.get_type_hints(cls, vars(model))
    return hints, {f.name: f for f in dataclasses.fields(cls) if f.name not in _SKIPPED}


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (types.UnionType, typing.Union) and type(
        None
    ) in typing.get_args(hint)


def question_from_dict(data: dict[str, Any]) -> Question:
    """Build and validate one question from its dict; raises :class:`IRError`."""
    from .validate import validate_question

    decoder = _Decoder()
    question = decoder.build(Question, data, "")
    if decoder.errors or question is None:
        raise IRError([ErrorItem(message=m) for m in decoder.errors or ["invalid question"]])
    problems = validate_question(question)
    if problems:
        raise IRError([ErrorItem(message=m, question=question.name) for m in problems])
    return question


def bank_from_dict(data: dict[str, Any]) -> Bank:
    """Build and validate a bank from its dict; raises :class:`IRError`."""
    from .validate import validate_bank

    decoder = _Decoder()
    if not isinstance(data, dict):
        raise IRError("a question bank must be an object")
    version = data.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise IRError(f"format_version {version!r} is not supported (expected {FORMAT_VERSION})")
    body = {key: value for key, value in data.items() if key != "format_version"}
    bank = decoder.build(Bank, body, "")
    if decoder.errors or bank is None:
        raise IRError([ErrorItem(message=m) for m in decoder.errors or ["invalid bank"]])
    problems = validate_bank(bank)
    if problems:
        raise IRError(problems)
    return bank
