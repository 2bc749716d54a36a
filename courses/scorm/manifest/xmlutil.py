"""Namespace-tolerant helpers over ``xml.etree`` elements.

Manifests in the wild spell namespaces in more ways than the specs list (``adlcp_v1p2``,
``adlcp_rootv1p2``, ``adlcp_v1p3``…) and attribute names in both cases
(``adlcp:scormtype`` in 1.2, ``adlcp:scormType`` in 2004). Elements are therefore matched
by *namespace family* and local name, and ADL attributes case-insensitively.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

CP = "cp"
ADLCP = "adlcp"
ADLSEQ = "adlseq"
ADLNAV = "adlnav"
IMSSS = "imsss"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_BASE = f"{{{XML_NS}}}base"

_FAMILIES = (
    ("adlnet.org/xsd/adlcp", ADLCP),
    ("adlnet.org/xsd/adlseq", ADLSEQ),
    ("adlnet.org/xsd/adlnav", ADLNAV),
    ("imsglobal.org/xsd/imsss", IMSSS),
    ("imsproject.org/xsd/imscp", CP),
    ("imsglobal.org/xsd/imscp", CP),
)


def split_tag(tag: str) -> tuple[str, str]:
    """``{uri}local`` → (uri, local); a tag without namespace gives ("", local)."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return "", tag


def family(uri: str) -> str:
    """The namespace family of a URI; an empty URI counts as IMS CP (no default namespace)."""
    if not uri:
        return CP
    lowered = uri.lower()
    for marker, name in _FAMILIES:
        if marker in lowered:
            return name
    return "other"


def is_element(element: Element, fam: str, local: str) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return False
    uri, name = split_tag(element.tag)
    return family(uri) == fam and name.lower() == local.lower()


def children(element: Element, fam: str, local: str) -> Iterator[Element]:
    for child in element:
        if is_element(child, fam, local):
            yield child


def child(element: Element, fam: str, local: str) -> Element | None:
    return next(children(element, fam, local), None)


def text_of(element: Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip()


def attr(element: Element, name: str, fam: str | None = None) -> str | None:
    """An attribute by local name, case-insensitively; ``fam`` limits it to a namespace family.

    Without ``fam`` only un-namespaced attributes match (plain CP attributes such as
    ``identifier``); with ``fam`` only attributes of that family.
    """
    wanted = name.lower()
    for key, value in element.attrib.items():
        uri, local = split_tag(key)
        if local.lower() != wanted:
            continue
        if fam is None and not uri:
            return value
        if fam is not None and uri and family(uri) == fam:
            return value
    return None


def bool_attr(element: Element, name: str, default: bool, fam: str | None = None) -> bool:
    value = attr(element, name, fam)
    if value is None:
        return default
    value = value.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(f"attribute {name}='{value}' is not true or false")


def float_attr(element: Element, name: str, default: float | None) -> float | None:
    value = attr(element, name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"attribute {name}='{value}' is not a number") from None


def int_attr(element: Element, name: str, default: int | None) -> int | None:
    value = attr(element, name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"attribute {name}='{value}' is not a whole number") from None


def namespaces_used(root: Element) -> set[str]:
    """Every namespace URI used by an element or attribute name in the document."""
    found: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        uri, _ = split_tag(element.tag)
        if uri:
            found.add(uri)
        for key in element.attrib:
            uri, _ = split_tag(key)
            if uri:
                found.add(uri)
    return found
