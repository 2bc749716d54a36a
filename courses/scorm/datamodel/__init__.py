"""The SCORM 1.2 and SCORM 2004 CMI data models.

- :class:`Cmi12` / :class:`Cmi2004`: validating in-memory models with
  ``get_value(element) -> (value, error_code)`` and ``set_value(element, value) -> code``,
  ``launch()`` (new session: entry) and ``finish()`` (time accumulation, status rules);
- :class:`RuntimeApi`: the Initialize/Terminate/Commit session machine of the JS API;
- :func:`apply_commit`: server-side replay of a browser commit;
- :func:`to_json_spec`: the tables as JSON for the browser runtime.
"""

from courses.scorm.datamodel.api import RuntimeApi
from courses.scorm.datamodel.base import LaunchContext, LmsComment, SharedData
from courses.scorm.datamodel.cmi12 import Cmi12
from courses.scorm.datamodel.cmi2004 import Cmi2004
from courses.scorm.datamodel.commit import CommitError, CommitResult, apply_commit, new_model
from courses.scorm.datamodel.errors import ERRORS_12, ERRORS_2004, Fault, error_string
from courses.scorm.datamodel.spec import to_json_spec
from courses.scorm.datamodel.summary import Summary
from courses.scorm.datamodel.timeutil import (
    format_duration_2004,
    format_timespan_12,
    parse_duration_2004,
    parse_timespan_12,
)

__all__ = [
    "ERRORS_12",
    "ERRORS_2004",
    "Cmi12",
    "Cmi2004",
    "CommitError",
    "CommitResult",
    "Fault",
    "LaunchContext",
    "LmsComment",
    "RuntimeApi",
    "SharedData",
    "Summary",
    "apply_commit",
    "error_string",
    "format_duration_2004",
    "format_timespan_12",
    "new_model",
    "parse_duration_2004",
    "parse_timespan_12",
    "to_json_spec",
]
