"""Launch URLs: ``xml:base`` resolution, item ``parameters`` and package paths.

The rules follow the SCORM 2004 CAM ("Launching a resource"): the resource ``href`` is
resolved against the ``xml:base`` of the resource, then of ``<resources>``, then of the
``<manifest>`` (RFC 3986 relative resolution), and the item's ``parameters`` are appended:

1. a leading ``?`` or ``&`` of the parameters is dropped;
2. parameters starting with ``#`` are appended only when the URL has no ``#`` and no ``?``
   yet (they are disregarded otherwise);
3. otherwise they are appended after ``&`` when the URL already has a query string, after
   ``?`` when it has none.

SCORM 1.2 packages use the same ``parameters`` attribute and get the same treatment.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def join_base(*parts: str | None) -> str:
    """Resolve ``parts`` left to right, each relative to the previous (xml:base chain)."""
    result = ""
    for part in parts:
        if not part:
            continue
        result = urljoin(result, part) if result else part
    return result


def apply_parameters(url: str, parameters: str | None) -> str:
    """Append an item's ``parameters`` to a resource URL (SCORM CAM launch URL rules)."""
    if not parameters:
        return url
    parameters = parameters.strip()
    while parameters[:1] in ("?", "&"):
        parameters = parameters[1:]
    if not parameters:
        return url
    if parameters.startswith("#"):
        if "#" in url or "?" in url:
            return url
        return url + parameters
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    separator = "&" if "?" in url else "?"
    if url.endswith(("?", "&")):
        separator = ""
    return f"{url}{separator}{parameters}{fragment}"


def is_external(url: str) -> bool:
    """True for an absolute URL (``http:``, ``https:``, ``//host``…): not a package file."""
    return bool(_SCHEME.match(url)) or url.startswith("//")


class UnsafePath(ValueError):
    """A path that would leave the package root."""


def package_path(url: str) -> str | None:
    """The package file a relative URL points to, or None for an external URL.

    The query string and fragment are dropped, %-escapes decoded and ``.``/``..`` segments
    collapsed. A URL that climbs out of the package root (``../x``) or is absolute
    (``/etc/x``) raises :class:`UnsafePath`.
    """
    if is_external(url):
        return None
    path = urlsplit(url).path
    path = unquote(path).replace("\\", "/")
    if path.startswith("/"):
        raise UnsafePath(url)
    normalised = posixpath.normpath(path) if path else ""
    if normalised in ("", "."):
        return ""
    if normalised == ".." or normalised.startswith("../"):
        raise UnsafePath(url)
    return normalised
