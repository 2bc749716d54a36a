"""Which SCORM version a manifest is written for.

``<metadata><schemaversion>`` decides when it holds a known value:

======================================  ===========
schemaversion                           version
======================================  ===========
``1.2``                                 ``1.2``
``CAM 1.3`` / ``1.3``                   ``2004-2nd``
``2004 3rd Edition``                    ``2004-3rd``
``2004 4th Edition``                    ``2004-4th``
======================================  ===========

Without it (or with a value no edition uses) the version is inferred from the namespaces:
the SCORM 1.2 ones (``imscp_rootv1p1p2``, ``adlcp_rootv1p2``) give ``1.2``; the 2004 ones
(``imscp_v1p1``, ``adlcp_v1p3``, ``imsss``, ``adlseq``, ``adlnav``) give SCORM 2004, and the
edition is the earliest whose features the manifest uses: ``2004-4th`` when it uses a
4th-edition-only construct (``adlcp:data``, ``adlseq:objectives``,
``adlcp:sharedDataGlobalToSystem``, the attribute form of ``adlcp:completionThreshold``),
``2004-2nd`` otherwise, since the 3rd and 4th editions made ``<schemaversion>`` mandatory.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from courses.scorm.manifest.models import (
    SCORM_12,
    SCORM_2004_2ND,
    SCORM_2004_3RD,
    SCORM_2004_4TH,
)
from courses.scorm.manifest.xmlutil import ADLCP, ADLSEQ, attr, family, is_element, split_tag

_DECLARED = re.compile(r"""xmlns(?::[\w.-]+)?\s*=\s*["']([^"']*)["']""")

_SCHEMAVERSIONS = {
    "1.2": SCORM_12,
    "cam 1.3": SCORM_2004_2ND,
    "1.3": SCORM_2004_2ND,
    "2004 2nd edition": SCORM_2004_2ND,
    "2004 3rd edition": SCORM_2004_3RD,
    "2004 4th edition": SCORM_2004_4TH,
}

_SCORM_12_MARKERS = ("imscp_rootv1p1p2", "adlcp_rootv1p2")
_SCORM_2004_MARKERS = ("imscp_v1p1", "adlcp_v1p3", "imsss", "adlseq", "adlnav")


def version_from_schemaversion(value: str | None) -> str | None:
    if value is None:
        return None
    key = " ".join(value.split()).lower()
    return _SCHEMAVERSIONS.get(key)


def declared_namespaces(text: str) -> set[str]:
    """Namespace URIs declared anywhere in the document (used or not)."""
    return {match.group(1) for match in _DECLARED.finditer(text)}


def _uses_4th_edition(root: Element) -> bool:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        uri, local = split_tag(element.tag)
        fam = family(uri)
        if fam == ADLCP and local in ("data", "map"):
            return True
        if fam == ADLSEQ and local == "objectives":
            return True
        if is_element(element, ADLCP, "completionThreshold") and element.attrib:
            return True
        if attr(element, "sharedDataGlobalToSystem", ADLCP) is not None:
            return True
    return False


def detect_version(
    *, root: Element, schemaversion: str | None, namespaces: set[str]
) -> tuple[str | None, bool, list[str]]:
    """(version or None, inferred?, warnings) for a parsed manifest."""
    warnings: list[str] = []
    lowered = {uri.lower() for uri in namespaces}
    says_12 = any(marker in uri for uri in lowered for marker in _SCORM_12_MARKERS)
    says_2004 = any(
        uri.rstrip("/").endswith(marker) or f"/{marker}" in uri
        for uri in lowered
        for marker in _SCORM_2004_MARKERS
    )
    from_schema = version_from_schemaversion(schemaversion)
    if from_schema is not None:
        if from_schema == SCORM_12 and says_2004 and not says_12:
            warnings.append(
                f"<schemaversion>{schemaversion}</schemaversion> says SCORM 1.2 but the "
                "manifest uses SCORM 2004 namespaces; it is treated as SCORM 1.2"
            )
        elif from_schema != SCORM_12 and says_12 and not says_2004:
            warnings.append(
                f"<schemaversion>{schemaversion}</schemaversion> says SCORM 2004 but the "
                "manifest uses SCORM 1.2 namespaces; it is treated as SCORM 2004"
            )
        return from_schema, False, warnings
    if schemaversion:
        warnings.append(
            f"<schemaversion>{schemaversion}</schemaversion> is not a SCORM version; "
            "the version was inferred from the namespaces"
        )
    if says_12 and not says_2004:
        return SCORM_12, True, warnings
    if says_2004:
        edition = SCORM_2004_4TH if _uses_4th_edition(root) else SCORM_2004_2ND
        return edition, True, warnings
    return None, True, warnings
