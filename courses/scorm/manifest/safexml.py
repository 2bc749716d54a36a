"""Reading untrusted XML: :mod:`defusedxml` refuses entity declarations (billion laughs,
external entities) and external references before anything is expanded or fetched."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

from courses.scorm.manifest.models import ManifestError


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_xml(data: bytes, source: str) -> Element:
    try:
        return SafeET.fromstring(data)
    except EntitiesForbidden:
        raise ManifestError(
            f"{source} declares XML entities, which are not allowed "
            "(they can expand without bound or read files from the server)"
        ) from None
    except DTDForbidden:
        raise ManifestError(f"{source} has a DTD, which is not allowed") from None
    except DefusedXmlException:
        raise ManifestError(
            f"{source} refers to an external resource, which is not allowed"
        ) from None
    except LookupError as exc:
        raise ManifestError(
            f"{source} declares a character encoding that is not known: {exc}"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":")[0]
        raise ManifestError(
            f"{source} is not well-formed XML: {reason} (line {line}, column {column + 1})"
        ) from None
