"""SCORM time spans: SCORM 1.2 ``CMITimespan`` and SCORM 2004 ``timeinterval`` (ISO 8601).

Durations are held as whole centiseconds (SCORM's precision is 0.01 s), so adding a
session time to a total time never drifts.

- SCORM 1.2 ``HHHH:MM:SS.SS``: 2 to 4 digits of hours, 2 of minutes and seconds, an
  optional fraction of 1 or 2 digits. Written back as ``HHHH:MM:SS.SS`` (4-digit hours,
  2-digit fraction); a total beyond ``9999:59:59.99`` is written as that maximum since the
  format has no room for more.
- SCORM 2004 ``P[nY][nM][nD][T[nH][nM][n[.n]S]]``: at least one component, ``T`` only
  before a time component, only the seconds may have a fraction. Years and months have no
  fixed length; for sums they count as 365 and 30 days. Written back as ``PT#H#M#S``
  (``PT0H0M0S`` for zero), seconds with up to two decimals.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTIS_PER_SECOND = 100
_MINUTE = 60 * CENTIS_PER_SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
MAX_TIMESPAN_12 = 9999 * _HOUR + 59 * _MINUTE + 5999

TIMESPAN_12_PATTERN = r"[0-9]{2,4}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,2})?"
DURATION_2004_PATTERN = (
    r"P(?=[0-9]|T[0-9])([0-9]+Y)?([0-9]+M)?([0-9]+D)?"
    r"(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?"
)
_TIMESPAN_12 = re.compile(r"([0-9]{2,4}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,2}))?")
_DURATION_2004 = re.compile(
    r"P(?=[0-9]|T[0-9])(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?"
    r"(?:T(?=[0-9])(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?"
)


def _centis(seconds_text: str) -> int:
    try:
        seconds = Decimal(seconds_text)
    except InvalidOperation:
        raise ValueError(seconds_text) from None
    return int((seconds * CENTIS_PER_SECOND).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_timespan_12(value: str) -> int:
    """``0000:10:30.5`` → 63050 centiseconds; ValueError when not a CMITimespan."""
    match = _TIMESPAN_12.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS)")
    hours, minutes, seconds, fraction = match.groups()
    centis = int(hours) * _HOUR + int(minutes) * _MINUTE + int(seconds) * CENTIS_PER_SECOND
    if fraction:
        centis += int(fraction.ljust(2, "0"))
    return centis


def format_timespan_12(centis: int) -> str:
    """Centiseconds → ``HHHH:MM:SS.SS`` (capped at ``9999:59:59.99``)."""
    centis = min(max(int(centis), 0), MAX_TIMESPAN_12)
    hours, rest = divmod(centis, _HOUR)
    minutes, rest = divmod(rest, _MINUTE)
    seconds, hundredths = divmod(rest, CENTIS_PER_SECOND)
    return f"{hours:04d}:{minutes:02d}:{seconds:02d}.{hundredths:02d}"


def parse_duration_2004(value: str) -> int:
    """``PT1H2M3.5S`` → centiseconds; ValueError when not a SCORM 2004 timeinterval."""
    match = _DURATION_2004.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a SCORM 2004 timeinterval (ISO 8601 duration)")
    years, months, days, hours, minutes, seconds = match.groups()
    centis = 0
    centis += int(years or 0) * 365 * _DAY
    centis += int(months or 0) * 30 * _DAY
    centis += int(days or 0) * _DAY
    centis += int(hours or 0) * _HOUR
    centis += int(minutes or 0) * _MINUTE
    if seconds:
        centis += _centis(seconds)
    return centis


def format_duration_2004(centis: int) -> str:
    """Centiseconds → ``PT#H#M#S`` (hours are not folded into days)."""
    centis = max(int(centis), 0)
    hours, rest = divmod(centis, _HOUR)
    minutes, rest = divmod(rest, _MINUTE)
    seconds, hundredths = divmod(rest, CENTIS_PER_SECOND)
    second_text = f"{seconds}" if not hundredths else f"{seconds}.{hundredths:02d}".rstrip("0")
    return f"PT{hours}H{minutes}M{second_text}S"


def parse_any_duration(value: str) -> int:
    """Either format (handy for reports that mix versions)."""
    if value.startswith("P"):
        return parse_duration_2004(value)
    return parse_timespan_12(value)


def seconds(centis: int) -> float:
    return centis / CENTIS_PER_SECOND
