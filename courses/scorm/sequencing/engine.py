"""The SCORM 2004 sequencer: navigation requests in, the activity to deliver out.

A condensed reading of the SCORM 2004 4th edition Sequencing and Navigation book's
overall sequencing process (OP.1): a navigation request is checked, the current activity
is terminated (end attempt, exit action rules, post-condition rules: ``exitParent``,
``exitAll``, ``retry``, ``retryAll``, ``continue``, ``previous``), the resulting sequencing
request is run (flow with ``skip`` rules, :mod:`.flow`; choice with its control modes,
``constrainChoice`` and ``preventActivation``, :mod:`.choice`; ``disabled`` rules and
limit conditions, :mod:`.limits`) and the chosen leaf is delivered (new attempts begin,
children are selected and randomized once per attempt).

:meth:`Sequencer.navigate` works on a copy of the state and keeps it only when the request
succeeds, so a refused request changes nothing.

Global objectives follow ``adlseq:objectivesGlobalToSystem``: when it is false they belong
to the attempt on the whole activity tree and a new attempt on the root starts without
them; when it is true (the default) they outlive it, and the platform keeps them per
learner across packages (:mod:`courses.scorm.navigation`). Not covered: auxiliary
resources, begin/end time limits (SCORM has none).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from courses.scorm.sequencing.choice import Choice, replay_rng
from courses.scorm.sequencing.flow import BACKWARD, FORWARD
from courses.scorm.sequencing.state import SequencingState
from courses.scorm.sequencing.tree import ActivityTree

NAVIGATION_REQUESTS = (
    "start",
    "resumeAll",
    "continue",
    "previous",
    "choice",
    "jump",
    "exit",
    "exitAll",
    "suspendAll",
    "abandon",
    "abandonAll",
    "retry",
)


_POST_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous", "stop")


class SequencingError(Exception):
    """The navigation request is not allowed now; nothing was changed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Outcome:
    request: str
    deliver: str | None = None
    """The leaf activity to launch, or None."""
    new_attempt: bool = False
    """The delivered activity starts a new attempt (False: it resumes)."""
    ended: bool = False
    """The sequencing session ended (end of the course, exitAll, suspendAll)."""
    suspended: bool = False
    """The learner suspended the course (resumeAll brings them back)."""


@dataclass
class Navigation:
    """What the player shows: the table of contents and which requests are valid."""

    toc: list[dict[str, Any]] = field(default_factory=list)
    valid: dict[str, Any] = field(default_factory=dict)
    current: str | None = None
    ended: bool = False
    suspended: bool = False
    hide: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "toc": self.toc,
            "valid": self.valid,
            "current": self.current,
            "ended": self.ended,
            "suspended": self.suspended,
            "hide": self.hide,
        }


class Sequencer(Choice):
    def __init__(
        self,
        tree: ActivityTree,
        state: SequencingState | None = None,
        *,
        rng: random.Random | None = None,
        now: datetime | None = None,
    ) -> None:
        super().__init__(tree, state, now=now)
        self.rng = rng or random.Random()  # noqa: S311 - content order, not a secret

    def _trial(self, rng: random.Random | None = None) -> Sequencer:
        return Sequencer(self.tree, self.state.copy(), rng=rng or self.rng, now=self.now)

    # --- Public ------------------------------------------------------------------------
    def navigate(self, request: str, target: str | None = None) -> Outcome:
        """Process a navigation request; raise SequencingError (and change nothing) when
        it is not allowed."""
        trial = self._trial()
        outcome = trial._navigate(request, target)
        self.state = trial.state
        return outcome

    def is_valid(self, request: str, target: str | None = None) -> bool:
        """Would the request deliver something (or end the course where that is its
        meaning)? Nothing is changed."""
        try:
            outcome = self._trial(replay_rng())._navigate(request, target)
        except SequencingError:
            return False
        return outcome.deliver is not None or outcome.ended

    def check_activity(self, identifier: str) -> str | None:
        """Check Activity Process (UP.5): why the activity may not be delivered
        (``disabled`` rule, a limit condition), or None."""
        if self.rule_action(identifier, "pre", ("disabled",)):
            return "disabled"
        return self.limit_violated(identifier)

    def navigation(self) -> Navigation:
        """The table of contents (visible, available activities in order) and the
        validity of continue, previous, choice and jump requests."""
        tree, state = self.tree, self.state
        toc: list[dict[str, Any]] = []
        choice: dict[str, bool] = {}
        jump: dict[str, bool] = {}

        def walk(identifier: str, depth: int, hidden: bool, disabled: bool) -> None:
            for child in self.children(identifier):
                activity = tree[child]
                child_state = self.st(child)
                is_hidden = hidden or bool(self.rule_action(child, "pre", ("hiddenFromChoice",)))
                is_disabled = disabled or self.check_activity(child) is not None
                allowed = not is_hidden and self.choice_problem(child) is None
                choice[child] = allowed
                jump[child] = not is_disabled and (activity.is_leaf or allowed)
                if activity.visible:
                    toc.append(
                        {
                            "id": child,
                            "title": activity.title,
                            "depth": depth,
                            "leaf": activity.is_leaf,
                            "hidden": is_hidden,
                            "disabled": is_disabled,
                            "choice": allowed,
                            "current": child == state.current,
                            "attempted": child_state.attempts > 0,
                            "completed": self.completed(child),
                            "satisfied": self.satisfied(child),
                            "suspended": child_state.suspended,
                        }
                    )
                walk(child, depth + (1 if activity.visible else 0), is_hidden, is_disabled)

        walk(tree.root, 0, False, False)
        current = state.current
        running = current is not None and self.st(current).active
        valid = {
            "continue": current is not None and self.is_valid("continue"),
            "previous": current is not None and self.is_valid("previous"),
            "choice": choice,
            "jump": jump,
            "exit": running,
            "exitAll": running,
            "suspendAll": running,
        }
        return Navigation(
            toc=toc,
            valid=valid,
            current=current,
            ended=state.ended,
            suspended=state.suspended is not None,
            hide=list(tree[current].hide_lms_ui) if current else [],
        )

    # --- Overall sequencing process (OP.1) ------------------------------------------------
    def _navigate(self, request: str, target: str | None) -> Outcome:
        tree, state = self.tree, self.state
        if request not in NAVIGATION_REQUESTS:
            raise SequencingError("unknown_request", f"'{request}' is not a navigation request")
        current = state.current
        running = current is not None and self.st(current).active
        if request == "start":
            if running:
                return Outcome(request, deliver=current)  # a relaunch goes back to it
            if state.suspended:
                return self._resume_all(request)
            return self._start(request)
        if request == "resumeAll":
            if not state.suspended or running:
                raise SequencingError("nothing_suspended", "There is nothing to resume.")
            return self._resume_all(request)
        if request in ("choice", "jump"):
            if not target or target not in tree:
                raise SequencingError("unknown_target", "There is no such item.")
            if request == "choice":
                problem = self.choice_problem(target)
                if problem:
                    raise SequencingError(problem, "This item cannot be chosen now.")
            else:
                problem = next(filter(None, map(self.check_activity, tree.path(target))), None)
                if problem:
                    raise SequencingError(problem, "This item cannot be opened now.")
        if request in ("continue", "previous", "retry", "exit", "abandon") and current is None:
            raise SequencingError("no_current", "No item is open.")
        if request in ("continue", "previous"):
            parent = tree.parent(current)
            if parent is not None and not tree[parent].control.flow:
                raise SequencingError("flow_not_allowed", "This module has no next/previous.")
            if request == "previous" and parent is not None and tree[parent].control.forward_only:
                raise SequencingError("forward_only", "This module only goes forward.")
        override = None
        if current is not None:
            kind = (
                request if request in ("exitAll", "suspendAll", "abandon", "abandonAll") else "exit"
            )
            if running or kind != "exit":
                override = self._terminate(kind, post=request != "retry")
        sequencing = override or {
            "exit": "exit",
            "exitAll": "exit",
            "suspendAll": "exit",
            "abandon": "exit",
            "abandonAll": "exit",
        }.get(request, request)
        return self._sequence(sequencing, target, request)

    # --- Termination (TB.2.3) ------------------------------------------------------------
    def _terminate(self, kind: str, *, post: bool = True) -> str | None:
        tree, state = self.tree, self.state
        current = state.current
        assert current is not None
        if kind == "abandon":
            self.st(current).active = False
            return None
        if kind == "abandonAll":
            for node in tree.path(current):
                self.st(node).active = False
            state.current = tree.root
            return "exit"
        if kind == "suspendAll":
            for node in tree.path(current):
                node_state = self.st(node)
                node_state.suspended = True
                node_state.active = False
            state.suspended = current
            state.current = tree.root
            self.rollup()
            return "exit"
        if kind == "exitAll":
            for node in reversed(tree.path(current)):
                if self.st(node).active:
                    self._end_attempt(node)
            state.current = tree.root
            return "exit"
        # exit
        if self.st(current).active:
            self._end_attempt(current)
        if not post:
            return None
        for node in tree.path(current)[:-1]:  # exit action rules, from the root down
            if self.rule_action(node, "exit", ("exit",)):
                for below in reversed(tree.path(current)[tree.path(current).index(node) :]):
                    if self.st(below).active:
                        self._end_attempt(below)
                state.current = current = node
                break
        while True:  # post-condition rules
            if self.st(current).suspended:
                return None
            action = self.rule_action(current, "post", _POST_ACTIONS)
            if action == "exitParent":
                parent = tree.parent(current)
                if parent is None:
                    return None
                state.current = current = parent
                if self.st(parent).active:
                    self._end_attempt(parent)
                continue
            if action == "exitAll":
                return self._terminate("exitAll")
            if action == "retryAll":
                self._terminate("exitAll")
                return "retry"
            if action in ("retry", "continue", "previous"):
                return action
            return None

    def _end_attempt(self, identifier: str) -> None:
        """End Attempt Process (UP.4)."""
        activity = self.tree[identifier]
        state = self.st(identifier)
        if activity.is_leaf:
            if activity.tracked:
                state.suspended = state.exit_suspend
                if not state.suspended:
                    controls = activity.sequencing.delivery_controls
                    primary = state.objective(activity.primary_key)
                    if not controls.completion_set_by_content and state.completed is None:
                        state.completed = primary.completed = True
                    if not controls.objective_set_by_content and primary.satisfied is None:
                        primary.satisfied = True
                    self.write_globals(identifier)
        else:
            state.suspended = any(self.st(c).suspended for c in self.children(identifier))
        state.active = False
        self.attempt_ended(identifier)
        self.rollup()

    # --- Sequencing requests (SB.2.x) -----------------------------------------------------
    def _sequence(self, request: str, target: str | None, original: str) -> Outcome:
        tree, state = self.tree, self.state
        current = state.current
        if request == "exit":
            if current is None or tree.parent(current) is None:
                return self._end_session(original)
            return Outcome(original)
        if request == "start":
            return self._start(original)
        if request == "resumeAll":
            return self._resume_all(original)
        if request in ("continue", "previous"):
            if current is None:
                raise SequencingError("no_current", "No item is open.")
            direction = FORWARD if request == "continue" else BACKWARD
            parent = tree.parent(current)
            if parent is not None and not tree[parent].control.flow:
                raise SequencingError("flow_not_allowed", "This module has no next/previous.")
            leaf, end = self._flow(current, direction, False)
            if leaf is not None:
                return self._deliver(leaf, original)
            if end and direction == FORWARD:
                return self._end_session(original)
            raise SequencingError("no_activity", "There is no item to go to.")
        if request in ("choice", "jump"):
            assert target is not None
            problem = self._choice_path_problem(target) if request == "choice" else None
            if problem:  # SB.2.9 again, on the state the termination left
                raise SequencingError(problem, "This item cannot be chosen now.")
            if tree[target].is_leaf:
                return self._deliver(target, original)
            leaf, _end = self._flow(target, FORWARD, True)
            if leaf is None:
                raise SequencingError("nothing_to_deliver", "Nothing in this part can be opened.")
            return self._deliver(leaf, original)
        if request == "retry":
            if current is None:
                raise SequencingError("no_current", "No item is open.")
            for node in tree.preorder():  # the whole subtree starts afresh
                if current in tree.path(node):
                    self.st(node).suspended = False
            if tree[current].is_leaf:
                return self._deliver(current, original)
            leaf, _end = self._flow(current, FORWARD, True)
            if leaf is None:
                raise SequencingError("nothing_to_deliver", "Nothing in this part can be opened.")
            return self._deliver(leaf, original)
        raise SequencingError("unknown_request", f"'{request}' is not a sequencing request")

    def _start(self, original: str) -> Outcome:
        tree = self.tree
        if tree[tree.root].is_leaf:
            return self._deliver(tree.root, original)
        leaf, _end = self._flow(tree.root, FORWARD, True)
        if leaf is None and not tree[tree.root].control.flow:
            # No flow from the root: the learner picks from the contents. The player
            # opens the first item they could pick rather than an empty frame.
            leaf = next(
                (a for a in tree.leaves() if a != tree.root and self.choice_problem(a) is None),
                None,
            )
        if leaf is None:
            raise SequencingError("nothing_to_deliver", "No item can be opened now.")
        return self._deliver(leaf, original)

    def _resume_all(self, original: str) -> Outcome:
        target = self.state.suspended
        assert target is not None
        return self._deliver(target, original)

    def _end_session(self, original: str) -> Outcome:
        state = self.state
        if state.current is not None:
            for node in reversed(self.tree.path(state.current)):
                if self.st(node).active:
                    self._end_attempt(node)
        state.current = None
        state.ended = True
        return Outcome(original, ended=True, suspended=state.suspended is not None)

    # --- Delivery (DB.1.1, DB.2) -----------------------------------------------------------
    def _deliver(self, leaf: str, original: str) -> Outcome:
        tree, state = self.tree, self.state
        if not tree[leaf].launchable:
            raise SequencingError("not_launchable", "This item has nothing to open.")
        path = tree.path(leaf)
        for node in path:
            problem = self.check_activity(node)
            if problem:
                raise SequencingError(problem, "This item cannot be opened now.")
        if state.current is not None and state.current != leaf:
            for node in reversed(tree.path(state.current)):
                if node not in path and self.st(node).active:
                    self._end_attempt(node)
        new_attempt = False
        for position, node in enumerate(path):
            node_state = self.st(node)
            if node_state.active:
                continue
            if node_state.suspended:
                node_state.suspended = False
            else:
                if not tree[node].is_leaf:
                    self._available(node)  # draw the children of the new attempt
                node_state.attempts += 1
                node_state.reset_tracking()
                self.attempt_began(node)
                if position:
                    node_state.parent_attempt = self.st(path[position - 1]).attempts
                elif not tree.objectives_global_to_system:
                    state.globals.clear()  # they belong to the attempt on the whole tree
                new_attempt = node == leaf
                if position + 1 < len(path) and path[position + 1] not in self.children(node):
                    raise SequencingError("not_available", "This item is not in this attempt.")
            node_state.active = True
        state.current = leaf
        state.suspended = None
        state.ended = False
        self.rollup()
        return Outcome(original, deliver=leaf, new_attempt=new_attempt)
