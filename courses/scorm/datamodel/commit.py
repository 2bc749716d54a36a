"""Server-side re-validation of a browser commit.

The browser runtime enforces the data model while the SCO runs; the server never trusts
it and replays the commit through the same model (:func:`apply_commit`). Values the model
refuses are left out and reported with their element and error code; the rest is applied,
so one bad value does not lose a learner's other progress (``strict=True`` rejects the
whole commit instead).

A commit is the list of ``SetValue`` calls since the last one (element, value), or a
mapping of element to latest value. Their order is normalised before replay so that a
snapshot object sent in any key order still works: plain elements first, then array items
by index, and within an item its ``id`` before its ``type`` before the rest (2004 requires
an id before anything else, and a type before responses). Repeated writes of one element
keep their relative order, so the last one wins.

``finish=True`` replays Terminate/LMSFinish afterwards (time accumulation, status rules).
Finishing is idempotent within a session, but a commit replayed twice is still applied
twice: the caller orders and de-duplicates commits (sequence numbers) before calling this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from courses.scorm.datamodel.base import LaunchContext, parse_element
from courses.scorm.datamodel.cmi12 import Cmi12
from courses.scorm.datamodel.cmi2004 import Cmi2004
from courses.scorm.datamodel.errors import error_string
from courses.scorm.datamodel.summary import Summary


@dataclass(frozen=True)
class CommitError:
    element: str
    value: str
    code: int
    message: str


@dataclass(frozen=True)
class CommitResult:
    state: dict[str, str]
    errors: tuple[CommitError, ...]
    summary: Summary

    @property
    def ok(self) -> bool:
        return not self.errors


def _order_key(pair: tuple[str, str]) -> tuple[bool, tuple[int, ...], int]:
    ref = parse_element(pair[0]) if isinstance(pair[0], str) else None
    if ref is None:
        return (False, (), 2)
    rank = 2
    if ref.template.endswith(".n.id"):
        rank = 0
    elif ref.template == "cmi.interactions.n.type":
        rank = 1
    return (bool(ref.indices), ref.indices, rank)


def _pairs(
    commit: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[list[tuple[str, str]], list[object]]:
    """(element, value) pairs, and the entries that are not pairs at all."""
    items = commit.items() if isinstance(commit, Mapping) else commit
    pairs: list[tuple[str, str]] = []
    malformed: list[object] = []
    for item in items:
        if isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((item[0], item[1]))
        else:
            malformed.append(item)
    return pairs, malformed


def new_model(
    *,
    version: str,
    state: Mapping[str, str] | None = None,
    context: LaunchContext | None = None,
) -> Cmi12 | Cmi2004:
    """The model class for a manifest version ("1.2", "2004-3rd"…) on a stored state."""
    if version == "1.2":
        return Cmi12(context=context, state=state)
    if version.startswith("2004"):
        edition = version if version != "2004" else "2004-4th"
        return Cmi2004(context=context, state=state, edition=edition)
    raise ValueError(f"unknown SCORM version {version!r}")


def apply_commit(
    stored_state: Mapping[str, str],
    commit: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    version: str,
    context: LaunchContext | None = None,
    finish: bool = False,
    strict: bool = False,
) -> CommitResult:
    """Replay a browser commit on the stored state; return the new state and refusals."""
    model = new_model(version=version, state=stored_state, context=context)
    pairs, malformed = _pairs(commit)
    errors = [
        CommitError(
            element=repr(item)[:200],
            value="",
            code=201,
            message=f"{error_string(version=version, code=201)}: not an (element, value) pair",
        )
        for item in malformed
    ]
    for element, value in sorted(pairs, key=_order_key):
        code = model.set_value(element, value)
        if code:
            reason = model.last_fault.value if model.last_fault else ""
            text = error_string(version=version, code=code)
            errors.append(
                CommitError(
                    element=str(element),
                    value=str(value)[:200],
                    code=code,
                    message=f"{text}: {reason}" if reason else text,
                )
            )
    if strict and errors:
        untouched = new_model(version=version, state=stored_state, context=context)
        return CommitResult(
            state=untouched.to_state(), errors=tuple(errors), summary=untouched.summary()
        )
    if finish:
        model.finish()
    return CommitResult(state=model.to_state(), errors=tuple(errors), summary=model.summary())
