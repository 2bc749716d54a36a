"""The session state machine of the ``API`` (1.2) and ``API_1484_11`` (2004) objects.

The browser runtime implements the same machine in JavaScript; this one is the reference
(and what tests and server-side tools drive). Return values follow the JavaScript API:
strings ``"true"``/``"false"`` and string error codes.

============================  ===========================  ==============================
situation                     SCORM 1.2                    SCORM 2004
============================  ===========================  ==============================
argument not ""               201                          201
Initialize twice              101                          103
Initialize after Terminate    allowed (as Moodle does)     104
LMS cannot start the session  101                          102
Get/Set/Commit before init    301                          122 / 132 / 142
Get/Set/Commit after finish   301                          123 / 133 / 143
Finish before init            301                          112
Finish after finish           301                          113
commit to the server failed   101                          391 (111 during Terminate)
============================  ===========================  ==============================
"""

from __future__ import annotations

from collections.abc import Callable

from courses.scorm.datamodel.cmi12 import Cmi12
from courses.scorm.datamodel.cmi2004 import Cmi2004
from courses.scorm.datamodel.errors import error_string

NOT_INITIALIZED = "not initialized"
RUNNING = "running"
TERMINATED = "terminated"

Committer = Callable[[dict[str, str], bool], bool]
"""Called with (state, finished) on Commit and Terminate; returns False on failure."""


class RuntimeApi:
    def __init__(
        self,
        model: Cmi12 | Cmi2004,
        *,
        committer: Committer | None = None,
        can_start: bool = True,
    ) -> None:
        self.model = model
        self.committer = committer
        self.can_start = can_start
        self.state = NOT_INITIALIZED
        self.error = 0
        self.diagnostic = ""
        self.is_2004 = isinstance(model, Cmi2004)

    # -- helpers --------------------------------------------------------------------------
    def _fail(self, code: int, diagnostic: str = "") -> str:
        self.error = code
        self.diagnostic = diagnostic
        return "false"

    def _ok(self) -> str:
        self.error = 0
        self.diagnostic = ""
        return "true"

    def _session_error(self, before: int, after: int) -> int | None:
        if self.state == RUNNING:
            return None
        if not self.is_2004:
            return 301
        return before if self.state == NOT_INITIALIZED else after

    def _push(self, finished: bool) -> bool:
        if self.committer is None:
            return True
        try:
            return bool(self.committer(self.model.to_state(), finished))
        except Exception:  # the content must get an error code, never an exception
            return False

    # -- API ---------------------------------------------------------------------------------
    def initialize(self, parameter: str = "") -> str:
        if parameter != "":
            return self._fail(201, "the parameter must be an empty string")
        if self.state == RUNNING:
            return self._fail(103 if self.is_2004 else 101, "already initialized")
        if self.state == TERMINATED and self.is_2004:
            return self._fail(104, "the session was terminated")
        if not self.can_start:
            return self._fail(102 if self.is_2004 else 101, "the LMS could not start the session")
        self.state = RUNNING
        return self._ok()

    def terminate(self, parameter: str = "") -> str:
        """``Terminate`` (2004) / ``LMSFinish`` (1.2)."""
        if parameter != "":
            return self._fail(201, "the parameter must be an empty string")
        code = self._session_error(112, 113)
        if code is not None:
            return self._fail(code, "the session is not running")
        self.model.finish()
        if not self._push(True):
            return self._fail(111 if self.is_2004 else 101, "the data could not be stored")
        self.state = TERMINATED if self.is_2004 else NOT_INITIALIZED
        return self._ok()

    def get_value(self, element: str) -> str:
        code = self._session_error(122, 123)
        if code is not None:
            self._fail(code, "the session is not running")
            return ""
        try:
            value, code = self.model.get_value(element)
        except Exception:  # a bug must reach the content as an error code, not a crash
            self._fail(101, "unexpected failure reading the element")
            return ""
        self.error = code
        self.diagnostic = self.model.last_fault.value if self.model.last_fault and code else ""
        return value

    def set_value(self, element: str, value: str) -> str:
        code = self._session_error(132, 133)
        if code is not None:
            return self._fail(code, "the session is not running")
        try:
            code = self.model.set_value(element, value)
        except Exception:
            return self._fail(101, "unexpected failure storing the element")
        if code:
            fault = self.model.last_fault
            return self._fail(code, fault.value if fault else "")
        return self._ok()

    def commit(self, parameter: str = "") -> str:
        if parameter != "":
            return self._fail(201, "the parameter must be an empty string")
        code = self._session_error(142, 143)
        if code is not None:
            return self._fail(code, "the session is not running")
        if not self._push(False):
            return self._fail(391 if self.is_2004 else 101, "the data could not be stored")
        return self._ok()

    def get_last_error(self) -> str:
        return str(self.error)

    def get_error_string(self, code: str) -> str:
        return error_string(version="2004" if self.is_2004 else "1.2", code=code)

    def get_diagnostic(self, code: str = "") -> str:
        if code in ("", str(self.error)):
            return self.diagnostic or self.get_error_string(str(self.error))
        return self.get_error_string(code)
