"""The standard error codes of the SCORM 1.2 and SCORM 2004 run-time APIs.

The model code reasons in terms of :class:`Fault` (what went wrong) and each version maps a
fault to its own code, so one engine serves both versions.
"""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType

NO_ERROR = 0

ERRORS_12 = MappingProxyType(
    {
        0: "No error",
        101: "General exception",
        201: "Invalid argument error",
        202: "Element cannot have children",
        203: "Element not an array - cannot have count",
        301: "Not initialized",
        401: "Not implemented error",
        402: "Invalid set value, element is a keyword",
        403: "Element is read only",
        404: "Element is write only",
        405: "Incorrect data type",
    }
)

ERRORS_2004 = MappingProxyType(
    {
        0: "No Error",
        101: "General Exception",
        102: "General Initialization Failure",
        103: "Already Initialized",
        104: "Content Instance Terminated",
        111: "General Termination Failure",
        112: "Termination Before Initialization",
        113: "Termination After Termination",
        122: "Retrieve Data Before Initialization",
        123: "Retrieve Data After Termination",
        132: "Store Data Before Initialization",
        133: "Store Data After Termination",
        142: "Commit Before Initialization",
        143: "Commit After Termination",
        201: "General Argument Error",
        301: "General Get Failure",
        351: "General Set Failure",
        391: "General Commit Failure",
        401: "Undefined Data Model Element",
        402: "Unimplemented Data Model Element",
        403: "Data Model Element Value Not Initialized",
        404: "Data Model Element Is Read Only",
        405: "Data Model Element Is Write Only",
        406: "Data Model Element Type Mismatch",
        407: "Data Model Element Value Out Of Range",
        408: "Data Model Dependency Not Established",
    }
)


class Fault(Enum):
    """What went wrong in a GetValue/SetValue, independent of the version's numbering."""

    UNDEFINED = "undefined element"
    NO_CHILDREN = "element cannot have children"
    NO_COUNT = "element is not an array and cannot have a count"
    KEYWORD = "element is a keyword and cannot be set"
    READ_ONLY = "element is read only"
    WRITE_ONLY = "element is write only"
    TYPE_MISMATCH = "value has the wrong type or format"
    OUT_OF_RANGE = "value is out of range"
    NOT_INITIALIZED = "element has no value yet"
    GET_FAILURE = "index is beyond the array's _count"
    OUT_OF_ORDER = "array items must be set in order: index is beyond _count"
    DEPENDENCY = "a dependency is not established (an element that must be set first is not)"
    DUPLICATE = "value duplicates one that must be unique"
    WRITE_ONCE = "identifier cannot be changed once set"
    TOO_MANY = "too many items for this array or pattern"
    EMPTY_ELEMENT = "no element name was given"


CODES_12 = MappingProxyType(
    {
        Fault.UNDEFINED: 201,
        Fault.NO_CHILDREN: 202,
        Fault.NO_COUNT: 203,
        Fault.KEYWORD: 402,
        Fault.READ_ONLY: 403,
        Fault.WRITE_ONLY: 404,
        Fault.TYPE_MISMATCH: 405,
        Fault.OUT_OF_RANGE: 405,
        Fault.NOT_INITIALIZED: 0,
        Fault.GET_FAILURE: 201,
        Fault.OUT_OF_ORDER: 201,
        Fault.DEPENDENCY: 201,
        Fault.DUPLICATE: 405,
        Fault.WRITE_ONCE: 405,
        Fault.TOO_MANY: 405,
        Fault.EMPTY_ELEMENT: 201,
    }
)

CODES_2004 = MappingProxyType(
    {
        Fault.UNDEFINED: 401,
        Fault.NO_CHILDREN: 301,
        Fault.NO_COUNT: 301,
        Fault.KEYWORD: 404,
        Fault.READ_ONLY: 404,
        Fault.WRITE_ONLY: 405,
        Fault.TYPE_MISMATCH: 406,
        Fault.OUT_OF_RANGE: 407,
        Fault.NOT_INITIALIZED: 403,
        Fault.GET_FAILURE: 301,
        Fault.OUT_OF_ORDER: 351,
        Fault.DEPENDENCY: 408,
        Fault.DUPLICATE: 351,
        Fault.WRITE_ONCE: 351,
        Fault.TOO_MANY: 351,
        Fault.EMPTY_ELEMENT: 301,
    }
)


def error_string(*, version: str, code: int | str) -> str:
    """The standard text of an error code ("" for an unknown code, as the APIs return)."""
    table = ERRORS_12 if version == "1.2" else ERRORS_2004
    try:
        return table.get(int(code), "")
    except (TypeError, ValueError):
        return ""
