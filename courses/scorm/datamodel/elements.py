"""The CMI element tables of SCORM 1.2 and SCORM 2004, as data.

Element names are templates: ``n`` stands for an array index (``cmi.interactions.n.id``).
``source`` says where a value comes from:

- ``state``: stored per learner attempt (written by the SCO, or by the LMS for
  ``entry``/``total_time``); ``default`` is returned until it is set (None: not
  initialized, SCORM 2004 error 403);
- ``context``: given by the LMS at launch (learner, credit, mode, manifest values) from
  the :class:`~courses.scorm.datamodel.base.LaunchContext` attribute named ``context``;
- ``keyword``: ``_version`` and ``_children`` constants (``default``);
- ``count``: an array's ``_count``.

Array ordering rules are in :data:`ARRAYS_12` / :data:`ARRAYS_2004`: an index may be at
most ``_count`` (equal appends an item), and in SCORM 2004 a new objective, interaction or
interaction objective must be created by setting its ``id`` first (error 408 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

STATE = "state"
CONTEXT = "context"
KEYWORD = "keyword"
COUNT = "count"

STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
EXIT_12 = ("time-out", "suspend", "logout", "")
INTERACTION_TYPES_12 = (
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
)
RESULT_12 = ("correct", "wrong", "unanticipated", "neutral")
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")
COMPLETION_2004 = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_2004 = ("passed", "failed", "unknown")
EXIT_2004 = ("time-out", "suspend", "logout", "normal", "")
INTERACTION_TYPES_2004 = (
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "likert",
    "matching",
    "performance",
    "sequencing",
    "numeric",
    "other",
)
RESULT_2004 = ("correct", "incorrect", "unanticipated", "neutral")
NAV_REQUESTS = (
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    "_none_",
)


@dataclass(frozen=True)
class ElementSpec:
    name: str
    access: str  # "r", "w" or "rw"
    type: str | None = None
    source: str = STATE
    default: str | None = None
    context: str | None = None
    vocabulary: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    note: str = ""

    @property
    def readable(self) -> bool:
        return "r" in self.access

    @property
    def writable(self) -> bool:
        return "w" in self.access


@dataclass(frozen=True)
class ArraySpec:
    """An array such as ``cmi.interactions``; ``first`` must create a new item (2004)."""

    name: str
    children: tuple[str, ...]
    first: str | None = None
    limit: int | None = None


def _table(*specs: ElementSpec) -> MappingProxyType[str, ElementSpec]:
    return MappingProxyType({spec.name: spec for spec in specs})


def _e(name: str, access: str, type_: str | None = None, **kwargs: object) -> ElementSpec:
    return ElementSpec(name=name, access=access, type=type_, **kwargs)  # type: ignore[arg-type]


def _k(name: str, value: str) -> ElementSpec:
    return ElementSpec(name=name, access="r", source=KEYWORD, default=value)


def _c(name: str) -> ElementSpec:
    return ElementSpec(name=name, access="r", source=COUNT)


# ---------------------------------------------------------------------------- 1.2 ----
_SCORE_12 = {"type_": "CMIBlankDecimal", "minimum": 0.0, "maximum": 100.0, "default": ""}
ELEMENTS_12 = _table(
    _k(
        "cmi._children",
        "core,suspend_data,launch_data,comments,objectives,student_data,"
        "student_preference,interactions",
    ),
    _k("cmi._version", "3.4"),
    _k(
        "cmi.core._children",
        "student_id,student_name,lesson_location,credit,lesson_status,entry,score,"
        "total_time,lesson_mode,exit,session_time",
    ),
    _e("cmi.core.student_id", "r", "CMIIdentifier", source=CONTEXT, context="learner_id"),
    _e("cmi.core.student_name", "r", "CMIString255", source=CONTEXT, context="learner_name"),
    _e("cmi.core.lesson_location", "rw", "CMIString255", default=""),
    _e(
        "cmi.core.credit",
        "r",
        "CMIVocabulary",
        source=CONTEXT,
        context="credit",
        vocabulary=("credit", "no-credit"),
    ),
    _e(
        "cmi.core.lesson_status",
        "rw",
        "CMIVocabulary",
        default="not attempted",
        vocabulary=STATUS_12[:-1],
        note="the SCO may not set 'not attempted'; the LMS applies the mastery score at finish",
    ),
    _e(
        "cmi.core.entry",
        "r",
        "CMIVocabulary",
        default="ab-initio",
        vocabulary=("ab-initio", "resume", ""),
    ),
    _k("cmi.core.score._children", "raw,min,max"),
    _e("cmi.core.score.raw", "rw", **_SCORE_12),
    _e("cmi.core.score.min", "rw", **_SCORE_12),
    _e("cmi.core.score.max", "rw", **_SCORE_12),
    _e("cmi.core.total_time", "r", "CMITimespan", default="0000:00:00.00"),
    _e(
        "cmi.core.lesson_mode",
        "r",
        "CMIVocabulary",
        source=CONTEXT,
        context="mode",
        vocabulary=("browse", "normal", "review"),
    ),
    _e("cmi.core.exit", "w", "CMIVocabulary", vocabulary=EXIT_12),
    _e("cmi.core.session_time", "w", "CMITimespan"),
    _e(
        "cmi.suspend_data",
        "rw",
        "CMIString4096",
        default="",
        max_length=64000,
        note="accepts up to 64000 characters (like Moodle): authoring tools exceed 4096",
    ),
    _e("cmi.launch_data", "r", "CMIString4096", source=CONTEXT, context="launch_data"),
    _e("cmi.comments", "rw", "CMIString4096", default=""),
    _e(
        "cmi.comments_from_lms",
        "r",
        "CMIString4096",
        source=CONTEXT,
        context="comments_from_lms_12",
    ),
    _k("cmi.objectives._children", "id,score,status"),
    _c("cmi.objectives._count"),
    _e("cmi.objectives.n.id", "rw", "CMIIdentifier", default=""),
    _k("cmi.objectives.n.score._children", "raw,min,max"),
    _e("cmi.objectives.n.score.raw", "rw", **_SCORE_12),
    _e("cmi.objectives.n.score.min", "rw", **_SCORE_12),
    _e("cmi.objectives.n.score.max", "rw", **_SCORE_12),
    _e(
        "cmi.objectives.n.status",
        "rw",
        "CMIVocabulary",
        default="not attempted",
        vocabulary=STATUS_12,
    ),
    _k("cmi.student_data._children", "mastery_score,max_time_allowed,time_limit_action"),
    _e(
        "cmi.student_data.mastery_score", "r", "CMIDecimal", source=CONTEXT, context="mastery_score"
    ),
    _e(
        "cmi.student_data.max_time_allowed",
        "r",
        "CMITimespan",
        source=CONTEXT,
        context="max_time_allowed",
    ),
    _e(
        "cmi.student_data.time_limit_action",
        "r",
        "CMIVocabulary",
        source=CONTEXT,
        context="time_limit_action",
        vocabulary=TIME_LIMIT_ACTIONS,
    ),
    _k("cmi.student_preference._children", "audio,language,speed,text"),
    _e("cmi.student_preference.audio", "rw", "CMISInteger", default="0", minimum=-1, maximum=100),
    _e("cmi.student_preference.language", "rw", "CMIString255", default=""),
    _e(
        "cmi.student_preference.speed",
        "rw",
        "CMISInteger",
        default="0",
        minimum=-100,
        maximum=100,
    ),
    _e("cmi.student_preference.text", "rw", "CMISInteger", default="0", minimum=-1, maximum=1),
    _k(
        "cmi.interactions._children",
        "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    ),
    _c("cmi.interactions._count"),
    _e("cmi.interactions.n.id", "w", "CMIIdentifier"),
    _c("cmi.interactions.n.objectives._count"),
    _e("cmi.interactions.n.objectives.n.id", "w", "CMIIdentifier"),
    _e("cmi.interactions.n.time", "w", "CMITime"),
    _e("cmi.interactions.n.type", "w", "CMIVocabulary", vocabulary=INTERACTION_TYPES_12),
    _c("cmi.interactions.n.correct_responses._count"),
    _e("cmi.interactions.n.correct_responses.n.pattern", "w", "CMIFeedback"),
    _e("cmi.interactions.n.weighting", "w", "CMIDecimal"),
    _e("cmi.interactions.n.student_response", "w", "CMIFeedback"),
    _e("cmi.interactions.n.result", "w", "CMIResult", vocabulary=RESULT_12),
    _e("cmi.interactions.n.latency", "w", "CMITimespan"),
)

ARRAYS_12 = MappingProxyType(
    {
        a.name: a
        for a in (
            ArraySpec("cmi.objectives", ("id", "score", "status")),
            ArraySpec(
                "cmi.interactions",
                (
                    "id",
                    "objectives",
                    "time",
                    "type",
                    "correct_responses",
                    "weighting",
                    "student_response",
                    "result",
                    "latency",
                ),
            ),
            ArraySpec("cmi.interactions.n.objectives", ("id",)),
            ArraySpec("cmi.interactions.n.correct_responses", ("pattern",)),
        )
    }
)

# --------------------------------------------------------------------------- 2004 ----
_REAL = "real(10,7)"
_SCALED = {"minimum": -1.0, "maximum": 1.0}
_COMMENT_CHILDREN = "comment,timestamp,location"
ELEMENTS_2004 = _table(
    _k("cmi._version", "1.0"),
    _k("cmi.comments_from_learner._children", _COMMENT_CHILDREN),
    _c("cmi.comments_from_learner._count"),
    _e("cmi.comments_from_learner.n.comment", "rw", "localized_string_type(4000)"),
    _e("cmi.comments_from_learner.n.location", "rw", "characterstring(250)"),
    _e("cmi.comments_from_learner.n.timestamp", "rw", "time(second,10,0)"),
    _k("cmi.comments_from_lms._children", _COMMENT_CHILDREN),
    _c("cmi.comments_from_lms._count"),
    _e("cmi.comments_from_lms.n.comment", "r", "localized_string_type(4000)", source=CONTEXT),
    _e("cmi.comments_from_lms.n.location", "r", "characterstring(250)", source=CONTEXT),
    _e("cmi.comments_from_lms.n.timestamp", "r", "time(second,10,0)", source=CONTEXT),
    _e(
        "cmi.completion_status",
        "rw",
        "state",
        default="unknown",
        vocabulary=COMPLETION_2004,
        note="evaluated against cmi.completion_threshold and cmi.progress_measure on read",
    ),
    _e(
        "cmi.completion_threshold",
        "r",
        _REAL,
        source=CONTEXT,
        context="completion_threshold",
        minimum=0.0,
        maximum=1.0,
    ),
    _e(
        "cmi.credit",
        "r",
        "state",
        source=CONTEXT,
        context="credit",
        vocabulary=("credit", "no-credit"),
    ),
    _e("cmi.entry", "r", "state", default="ab-initio", vocabulary=("ab-initio", "resume", "")),
    _e("cmi.exit", "w", "state", vocabulary=EXIT_2004),
    _k(
        "cmi.interactions._children",
        "id,type,objectives,timestamp,correct_responses,weighting,learner_response,result,"
        "latency,description",
    ),
    _c("cmi.interactions._count"),
    _e("cmi.interactions.n.id", "rw", "long_identifier_type"),
    _e("cmi.interactions.n.type", "rw", "state", vocabulary=INTERACTION_TYPES_2004),
    _k("cmi.interactions.n.objectives._children", "id"),
    _c("cmi.interactions.n.objectives._count"),
    _e("cmi.interactions.n.objectives.n.id", "rw", "long_identifier_type"),
    _e("cmi.interactions.n.timestamp", "rw", "time(second,10,0)"),
    _k("cmi.interactions.n.correct_responses._children", "pattern"),
    _c("cmi.interactions.n.correct_responses._count"),
    _e("cmi.interactions.n.correct_responses.n.pattern", "rw", "interaction_response"),
    _e("cmi.interactions.n.weighting", "rw", _REAL),
    _e("cmi.interactions.n.learner_response", "rw", "interaction_response"),
    _e("cmi.interactions.n.result", "rw", "result", vocabulary=RESULT_2004),
    _e("cmi.interactions.n.latency", "rw", "timeinterval(second,10,2)"),
    _e("cmi.interactions.n.description", "rw", "localized_string_type(250)"),
    _e("cmi.launch_data", "r", "characterstring(4000)", source=CONTEXT, context="launch_data"),
    _e("cmi.learner_id", "r", "long_identifier_type", source=CONTEXT, context="learner_id"),
    _e(
        "cmi.learner_name",
        "r",
        "localized_string_type(250)",
        source=CONTEXT,
        context="learner_name",
    ),
    _k(
        "cmi.learner_preference._children",
        "audio_level,language,delivery_speed,audio_captioning",
    ),
    _e("cmi.learner_preference.audio_level", "rw", _REAL, default="1", minimum=0.0),
    _e("cmi.learner_preference.language", "rw", "language_type", default=""),
    _e("cmi.learner_preference.delivery_speed", "rw", _REAL, default="1", minimum=0.0),
    _e(
        "cmi.learner_preference.audio_captioning",
        "rw",
        "state",
        default="0",
        vocabulary=("-1", "0", "1"),
    ),
    _e("cmi.location", "rw", "characterstring(1000)"),
    _e(
        "cmi.max_time_allowed",
        "r",
        "timeinterval(second,10,2)",
        source=CONTEXT,
        context="max_time_allowed",
    ),
    _e(
        "cmi.mode",
        "r",
        "state",
        source=CONTEXT,
        context="mode",
        vocabulary=("browse", "normal", "review"),
    ),
    _k(
        "cmi.objectives._children",
        "id,score,success_status,completion_status,progress_measure,description",
    ),
    _c("cmi.objectives._count"),
    _e("cmi.objectives.n.id", "rw", "long_identifier_type"),
    _k("cmi.objectives.n.score._children", "scaled,raw,min,max"),
    _e("cmi.objectives.n.score.scaled", "rw", _REAL, **_SCALED),
    _e("cmi.objectives.n.score.raw", "rw", _REAL),
    _e("cmi.objectives.n.score.min", "rw", _REAL),
    _e("cmi.objectives.n.score.max", "rw", _REAL),
    _e(
        "cmi.objectives.n.success_status",
        "rw",
        "state",
        default="unknown",
        vocabulary=SUCCESS_2004,
    ),
    _e(
        "cmi.objectives.n.completion_status",
        "rw",
        "state",
        default="unknown",
        vocabulary=COMPLETION_2004,
    ),
    _e("cmi.objectives.n.progress_measure", "rw", _REAL, minimum=0.0, maximum=1.0),
    _e("cmi.objectives.n.description", "rw", "localized_string_type(250)"),
    _e("cmi.progress_measure", "rw", _REAL, minimum=0.0, maximum=1.0),
    _e(
        "cmi.scaled_passing_score",
        "r",
        _REAL,
        source=CONTEXT,
        context="scaled_passing_score",
        **_SCALED,
    ),
    _k("cmi.score._children", "scaled,raw,min,max"),
    _e("cmi.score.scaled", "rw", _REAL, **_SCALED),
    _e("cmi.score.raw", "rw", _REAL),
    _e("cmi.score.min", "rw", _REAL),
    _e("cmi.score.max", "rw", _REAL),
    _e("cmi.session_time", "w", "timeinterval(second,10,2)"),
    _e(
        "cmi.success_status",
        "rw",
        "state",
        default="unknown",
        vocabulary=SUCCESS_2004,
        note="evaluated against cmi.scaled_passing_score and cmi.score.scaled on read",
    ),
    _e(
        "cmi.suspend_data",
        "rw",
        "characterstring(64000)",
        note="SPM 4000 in the 2nd/3rd edition, 64000 in the 4th; 64000 accepted for all",
    ),
    _e(
        "cmi.time_limit_action",
        "r",
        "state",
        source=CONTEXT,
        context="time_limit_action",
        vocabulary=TIME_LIMIT_ACTIONS,
    ),
    _e("cmi.total_time", "r", "timeinterval(second,10,2)", default="PT0H0M0S"),
    _e("adl.nav.request", "rw", "state", default="_none_", vocabulary=NAV_REQUESTS),
    _e("adl.nav.request_valid.continue", "r", "state", source=CONTEXT),
    _e("adl.nav.request_valid.previous", "r", "state", source=CONTEXT),
    _e("adl.nav.request_valid.choice.{target=n}", "r", "state", source=CONTEXT),
    _e("adl.nav.request_valid.jump.{target=n}", "r", "state", source=CONTEXT),
    _k("adl.data._children", "id,store"),
    _c("adl.data._count"),
    _e("adl.data.n.id", "r", "long_identifier_type", source=CONTEXT),
    _e(
        "adl.data.n.store",
        "rw",
        "characterstring(64000)",
        note="starts from the shared bucket's value; readable/writable per adlcp:map",
    ),
)

ARRAYS_2004 = MappingProxyType(
    {
        a.name: a
        for a in (
            ArraySpec("cmi.comments_from_learner", ("comment", "location", "timestamp"), limit=250),
            ArraySpec("cmi.comments_from_lms", ("comment", "location", "timestamp")),
            ArraySpec(
                "cmi.objectives",
                (
                    "id",
                    "score",
                    "success_status",
                    "completion_status",
                    "progress_measure",
                    "description",
                ),
                first="id",
            ),
            ArraySpec(
                "cmi.interactions",
                (
                    "id",
                    "type",
                    "objectives",
                    "timestamp",
                    "correct_responses",
                    "weighting",
                    "learner_response",
                    "result",
                    "latency",
                    "description",
                ),
                first="id",
            ),
            ArraySpec("cmi.interactions.n.objectives", ("id",), first="id"),
            ArraySpec("cmi.interactions.n.correct_responses", ("pattern",), first="pattern"),
            ArraySpec("adl.data", ("id", "store")),
        )
    }
)
