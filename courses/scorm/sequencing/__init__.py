"""SCORM 2004 simple sequencing, in pure Python.

- :mod:`.tree`: the activity tree (from a parsed manifest, or from the JSON stored with a
  package version);
- :mod:`.state`: a learner's tracking state on it (JSON for the database);
- :mod:`.tracking`: objectives and global objectives, rule conditions, rollup, and what a
  SCO reports (and starts with);
- :mod:`.limits`: limit conditions (attempts, attempt duration) and attempt clocks;
- :mod:`.flow`: flow through the tree, selection and randomization of children;
- :mod:`.choice`: which activities may be chosen (control modes, constrained choice);
- :mod:`.engine`: :class:`Sequencer`, navigation requests → the activity to deliver, and
  the table of contents the player shows.
"""

from courses.scorm.sequencing.engine import (
    NAVIGATION_REQUESTS,
    Navigation,
    Outcome,
    Sequencer,
    SequencingError,
)
from courses.scorm.sequencing.state import SequencingState
from courses.scorm.sequencing.tracking import AttemptReport, ObjectiveReport
from courses.scorm.sequencing.tree import PRIMARY, ActivityTree, tree_definition

__all__ = [
    "NAVIGATION_REQUESTS",
    "PRIMARY",
    "ActivityTree",
    "AttemptReport",
    "Navigation",
    "ObjectiveReport",
    "Outcome",
    "Sequencer",
    "SequencingError",
    "SequencingState",
    "tree_definition",
]
