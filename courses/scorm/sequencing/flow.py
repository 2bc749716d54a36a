"""Flow through the activity tree (SCORM 2004 SN book SB.2.1 to SB.2.3) and the selection
and randomization of children (SR.1, SR.2), once per attempt of a cluster."""

from __future__ import annotations

import random

from courses.scorm.sequencing.tracking import Tracker

FORWARD, BACKWARD = 1, -1


class Flow(Tracker):
    rng: random.Random

    def check_activity(self, identifier: str) -> str | None:  # pragma: no cover - Sequencer
        raise NotImplementedError

    def _available(self, cluster: str) -> list[str]:
        """The children a traversal entering ``cluster`` sees: drawn (selected and
        randomized) for the attempt the cluster is about to begin, once per attempt."""
        state = self.st(cluster)
        if state.active or state.suspended:
            return self.children(cluster)
        upcoming = state.attempts + 1
        controls = self.tree[cluster].sequencing.randomization_controls
        select = controls.select_count is not None and (
            controls.selection_timing == "onEachNewAttempt"
            or (controls.selection_timing == "once" and state.children is None)
        )
        reorder = controls.reorder_children and (
            controls.randomization_timing == "onEachNewAttempt"
            or (controls.randomization_timing == "once" and state.children is None)
        )
        if (select or reorder) and state.children_attempt != upcoming:
            children = list(self.tree[cluster].children)
            if select:
                count = max(0, min(controls.select_count or 0, len(children)))
                chosen = set(self.rng.sample(children, count))
                children = [c for c in children if c in chosen]
            if reorder:
                self.rng.shuffle(children)
            state.children = children
            state.children_attempt = upcoming
        return self.children(cluster)

    def _traverse(
        self, identifier: str, direction: int, consider_children: bool
    ) -> tuple[str | None, bool, int]:
        """Flow Tree Traversal: (next activity, end of the tree reached, direction)."""
        tree = self.tree
        if consider_children and not tree[identifier].is_leaf:
            children = self._available(identifier)
            if not children:
                return None, False, direction
            if direction == FORWARD or tree[identifier].control.forward_only:
                return children[0], False, FORWARD
            return children[-1], False, BACKWARD
        node = identifier
        while True:
            parent = tree.parent(node)
            if parent is None:
                return None, True, direction
            siblings = self.children(parent)
            if node not in siblings:
                return None, False, direction
            index = siblings.index(node)
            if direction == FORWARD:
                if index + 1 < len(siblings):
                    return siblings[index + 1], False, direction
            else:
                if tree[parent].control.forward_only:
                    return None, False, direction
                if index > 0:
                    return siblings[index - 1], False, direction
            node = parent

    def _flow_activity(self, identifier: str, direction: int) -> tuple[str | None, bool]:
        """Flow Activity Traversal: skip rules, disabled/limit checks, into clusters."""
        tree = self.tree
        parent = tree.parent(identifier)
        if parent is not None and not tree[parent].control.flow:
            return None, False
        if self.rule_action(identifier, "pre", ("skip",)):
            following, end, direction = self._traverse(identifier, direction, False)
            if following is None:
                return None, end
            return self._flow_activity(following, direction)
        if self.check_activity(identifier):
            return None, False
        if not tree[identifier].is_leaf:
            following, _end, direction = self._traverse(identifier, direction, True)
            if following is None:
                return None, False
            return self._flow_activity(following, direction)
        return identifier, False

    def _flow(
        self, identifier: str, direction: int, consider_children: bool
    ) -> tuple[str | None, bool]:
        following, end, direction = self._traverse(identifier, direction, consider_children)
        if following is None:
            return None, end
        return self._flow_activity(following, direction)
