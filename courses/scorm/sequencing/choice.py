"""Choice requests (SCORM 2004 SN book: the choice part of the Navigation Request Process
NB.2.1, the Choice Sequencing Request Process SB.2.9 with its Choice Activity Traversal
SB.2.4 and Choice Flow SB.2.9.1/SB.2.9.2 subprocesses).

A target may be chosen when it is in the current attempt's available children all the
way down, nothing on its path is ``hiddenFromChoice``, its parent allows ``choice``, no
active ancestor of the current activity outside the target's branch has
``choiceExit="false"``, and the path to it passes the traversal checks:

- a sibling of the current activity: going forward, no ``stopForwardTraversal`` rule fires
  on the siblings from the current one to the target; going backward, their parent is
  not ``forwardOnly``;
- below the current activity (or anywhere when nothing is current): no
  ``stopForwardTraversal`` on the way down, and no cluster on the way that is not active
  has ``adlseq:preventActivation`` (a learner enters such a cluster from its start, by
  flow, never in its middle by choice);
- in another branch: the nearest ancestor of the current activity with
  ``adlseq:constrainChoice`` only lets the learner go to the activity logically next (or
  previous) in flow from it, or into it; then the same checks as above (forward:
  traversal and activation; backward: activation only, as the pseudo code has it, so a
  ``forwardOnly`` common ancestor does not forbid a backward choice into another branch).

Finally every activity on the path must pass the Check Activity Process (``disabled``
rules, limit conditions) and a cluster must have something to deliver.

``preventActivation`` is checked on clusters only: a leaf has no descendants to protect.
``choiceExit`` is checked for active activities (NB.2.1), so a cluster that has ended
no longer keeps the learner in.
"""

from __future__ import annotations

import random
from itertools import pairwise

from courses.scorm.sequencing.flow import BACKWARD, FORWARD, Flow


def replay_rng() -> random.Random:
    """A fixed generator for what-if runs (validity checks), so they draw nothing real."""
    return random.Random(0)  # noqa: S311 - the order of learning content, not a secret


class Choice(Flow):
    def _trial(self, rng: random.Random | None = None) -> Choice:  # pragma: no cover
        raise NotImplementedError

    def hidden_from_choice(self, identifier: str) -> bool:
        return any(
            self.rule_action(a, "pre", ("hiddenFromChoice",)) for a in self.tree.path(identifier)
        )

    def choice_problem(self, target: str) -> str | None:
        """Why a choice of ``target`` is refused, or None when it is allowed."""
        tree = self.tree
        if target not in tree:
            return "unknown"
        path = tree.path(target)
        for parent, node in pairwise(path):
            if node not in self.children(parent):
                return "not_available"
        if self.hidden_from_choice(target):
            return "hidden"
        parent = tree.parent(target)
        if parent is not None and not tree[parent].control.choice:
            return "choice_not_allowed"
        problem = self._choice_exit_problem(target) or self._choice_path_problem(target)
        if problem:
            return problem
        for node in path:
            problem = self.check_activity(node)
            if problem:
                return problem
        if not tree[target].is_leaf:
            leaf, _end = self._trial(replay_rng())._flow(target, FORWARD, True)
            if leaf is None:
                return "nothing_to_deliver"
        return None

    # --- NB.2.1 -------------------------------------------------------------------------------
    def _choice_exit_problem(self, target: str) -> str | None:
        tree, current = self.tree, self.state.current
        if current is None or current == target:
            return None
        common = tree.common_ancestor(current, target)
        for node in reversed(tree.path(current)):
            if node == common:
                break
            if self.st(node).active and not tree[node].control.choice_exit:
                return "choice_exit"
        return None

    # --- SB.2.9 -------------------------------------------------------------------------------
    def _choice_path_problem(self, target: str) -> str | None:
        tree, current = self.tree, self.state.current
        if current == target:
            return None
        parent = tree.parent(target)
        if current is not None and parent is not None and tree.parent(current) == parent:
            return self._sibling_problem(current, target, parent)
        common = tree.root if current is None else tree.common_ancestor(current, target)
        if common == target:
            return None  # an ancestor of the current activity: choiceExit was checked
        below = tree.path(target)[len(tree.path(common)) :]
        if current is None or current == common:
            for node in below:
                problem = self._traversal_problem(node, FORWARD) or self._prevented(node, common)
                if problem:
                    return problem
            return None
        problem = self._constrained_problem(current, target, common)
        if problem:
            return problem
        if tree.position(target) > tree.position(current):
            for node in [common, *below[:-1]]:
                problem = self._traversal_problem(node, FORWARD) or self._prevented(node, common)
                if problem:
                    return problem
            return None
        return next(filter(None, (self._prevented(node, common) for node in below)), None)

    def _sibling_problem(self, current: str, target: str, parent: str) -> str | None:
        siblings = self.children(parent)
        if current not in siblings:
            return None
        start, end = siblings.index(current), siblings.index(target)
        if end > start:
            between, direction = siblings[start : end + 1], FORWARD
        else:
            between, direction = siblings[end : start + 1][::-1], BACKWARD
        for node in between:
            problem = self._traversal_problem(node, direction)
            if problem:
                return problem
        return None

    def _prevented(self, node: str, common: str) -> str | None:
        activity = self.tree[node]
        if (
            node != common
            and not activity.is_leaf
            and activity.sequencing.constrained_choice.prevent_activation
            and not self.st(node).active
        ):
            return "prevent_activation"
        return None

    def _constrained_problem(self, current: str, target: str, common: str) -> str | None:
        """adlseq:constrainChoice of the nearest ancestor of the current activity below
        the common ancestor (the current activity included)."""
        tree = self.tree
        constrained = None
        for node in reversed(tree.path(current)):
            if node == common:
                break
            if tree[node].sequencing.constrained_choice.constrain_choice:
                constrained = node
                break
        if constrained is None or target == constrained:
            return None
        forward = tree.position(target) > tree.position(constrained)
        consider = self._choice_flow(constrained, FORWARD if forward else BACKWARD)
        if consider not in tree.path(target):
            return "constrained_choice"
        return None

    # --- SB.2.4 -------------------------------------------------------------------------------
    def _traversal_problem(self, node: str, direction: int) -> str | None:
        if direction == FORWARD:
            if self.rule_action(node, "pre", ("stopForwardTraversal",)):
                return "stop_forward_traversal"
            return None
        parent = self.tree.parent(node)
        if parent is None:
            return "no_activity"
        if self.tree[parent].control.forward_only:
            return "forward_only"
        return None

    # --- SB.2.9.1 and SB.2.9.2 ------------------------------------------------------------------
    def _choice_flow(self, node: str, direction: int) -> str:
        """The activity logically next (previous) to ``node`` for constrained choice."""
        following = self._choice_flow_tree(node, direction)
        return node if following is None else following

    def _choice_flow_tree(self, node: str, direction: int) -> str | None:
        tree = self.tree
        parent = tree.parent(node)
        if parent is None:
            return None
        siblings = self.children(parent)
        if node not in siblings:
            return None
        index = siblings.index(node)
        if direction == FORWARD:
            if node == tree.preorder()[-1]:
                return None
            if index == len(siblings) - 1:
                return self._choice_flow_tree(parent, FORWARD)
            return siblings[index + 1]
        if index == 0:
            return self._choice_flow_tree(parent, BACKWARD)
        return siblings[index - 1]
