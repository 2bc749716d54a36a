"""From a manifest item to the :class:`LaunchContext` its SCO runs with.

Which manifest value feeds which CMI element:

=====================================  =========================================  ==============
manifest                               CMI element                                version
=====================================  =========================================  ==============
``adlcp:datafromlms``                  ``cmi.launch_data``                        both
``adlcp:masteryscore``                 ``cmi.student_data.mastery_score``         1.2
``adlcp:maxtimeallowed``               ``cmi.student_data.max_time_allowed``      1.2
``imsss:limitConditions``              ``cmi.max_time_allowed``                   2004
``@attemptAbsoluteDurationLimit``
``adlcp:timelimitaction``              ``cmi.student_data.time_limit_action`` /   both
                                       ``cmi.time_limit_action``
``adlcp:completionThreshold``          ``cmi.completion_threshold``               2004
primary objective ``minNormalized``    ``cmi.scaled_passing_score`` (only when    2004
``Measure``                            ``satisfiedByMeasure`` is true)
``imsss:objectives`` identifiers       initial ``cmi.objectives.n.id``            2004
=====================================  =========================================  ==============
"""

from __future__ import annotations

from courses.scorm.datamodel import LaunchContext
from courses.scorm.manifest import SCORM_12, Item, Manifest


def launch_context(
    *,
    manifest: Manifest,
    item: Item,
    learner_id: str,
    learner_name: str,
    credit: bool = True,
    mode: str = "normal",
) -> LaunchContext:
    """The LaunchContext for ``item`` of ``manifest`` and a learner."""
    common = {
        "learner_id": learner_id,
        "learner_name": learner_name,
        "credit": "credit" if credit else "no-credit",
        "mode": mode,
        "launch_data": item.data_from_lms,
        "time_limit_action": item.time_limit_action,
    }
    if manifest.version == SCORM_12:
        return LaunchContext(
            **common,
            mastery_score=item.mastery_score,
            max_time_allowed=item.max_time_allowed,
        )
    sequencing = item.sequencing
    primary = sequencing.primary_objective if sequencing else None
    passing = (
        primary.min_normalized_measure
        if primary is not None and primary.satisfied_by_measure
        else None
    )
    threshold = item.completion_threshold.cmi_value if item.completion_threshold else None
    duration = sequencing.limit_conditions.attempt_absolute_duration_limit if sequencing else None
    return LaunchContext(
        **common,
        max_time_allowed=duration,
        completion_threshold=threshold,
        scaled_passing_score=passing,
        objective_ids=sequencing.objective_ids if sequencing else (),
    )
