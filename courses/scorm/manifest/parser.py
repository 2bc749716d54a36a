"""Parse and validate ``imsmanifest.xml`` (SCORM 1.2 and SCORM 2004 2nd/3rd/4th edition).

The XML is read with :mod:`defusedxml`: entity declarations (billion laughs, external
entities) and external references are refused before anything is expanded or fetched.

Every problem found is collected and reported at once in a :class:`ManifestError`, each
message naming the element and identifier concerned, e.g. ``item 'ITEM_3' references
resource 'RES_9' which is not in <resources>``. Things that do not stop a package from
working (a leaf item without a resource, an unknown ``hideLMSUI`` value) become
``Manifest.warnings`` instead.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any
from xml.etree.ElementTree import Element

from courses.scorm.manifest import sequencing as seq
from courses.scorm.manifest.launch import UnsafePath, apply_parameters, join_base, package_path
from courses.scorm.manifest.models import (
    SCORM_12,
    CompletionThreshold,
    Item,
    Manifest,
    ManifestError,
    Organization,
    Presentation,
    Resource,
    SharedDataMap,
)
from courses.scorm.manifest.prerequisites import PrerequisiteSyntaxError, parse_prerequisites
from courses.scorm.manifest.safexml import decode, parse_xml
from courses.scorm.manifest.version import declared_namespaces, detect_version
from courses.scorm.manifest.xmlutil import (
    ADLCP,
    ADLNAV,
    ADLSEQ,
    CP,
    IMSSS,
    XML_BASE,
    attr,
    bool_attr,
    child,
    children,
    float_attr,
    text_of,
)

DEFAULT_MAX_MANIFEST_BYTES = 10 * 1024 * 1024
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")
HIDE_LMS_UI = ("previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll")


class _Builder:
    """One parse: collects errors and warnings while building the dataclasses."""

    def __init__(self, *, root: Element, version: str, source: str) -> None:
        self.root = root
        self.version = version
        self.source = source
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.resources: dict[str, Resource] = {}
        self.collection: dict[str, dict[str, Any]] = {}
        self.item_ids: set[str] = set()
        self.metadata_locations: list[str] = []
        self.base = root.get(XML_BASE, "")

    # -- helpers ---------------------------------------------------------------------
    def error(self, message: str) -> None:
        self.errors.append(message)

    def _path(self, url: str, where: str) -> str | None:
        try:
            return package_path(url)
        except UnsafePath:
            self.error(f"{where} '{url}' points outside the package")
            return None

    def _metadata(self, element: Element, base: str) -> None:
        metadata = child(element, CP, "metadata")
        if metadata is None:
            return
        for location in children(metadata, ADLCP, "location"):
            href = text_of(location)
            if href:
                path = self._path(join_base(base, href), "<adlcp:location>")
                if path:
                    self.metadata_locations.append(path)

    # -- resources -------------------------------------------------------------------
    def parse_resources(self) -> None:
        resources_el = child(self.root, CP, "resources")
        if resources_el is None:
            self.error("the manifest has no <resources> element")
            return
        resources_base = join_base(self.base, resources_el.get(XML_BASE))
        for index, element in enumerate(children(resources_el, CP, "resource"), start=1):
            identifier = (attr(element, "identifier") or "").strip()
            if not identifier:
                self.error(f"resource #{index} has no identifier attribute")
                continue
            if identifier in self.resources:
                self.error(f"resource identifier '{identifier}' is used more than once")
                continue
            base = join_base(resources_base, element.get(XML_BASE))
            scorm_type = attr(element, "scormtype", ADLCP)
            if scorm_type is not None:
                scorm_type = scorm_type.strip().lower()
                if scorm_type not in ("sco", "asset"):
                    self.error(
                        f"resource '{identifier}' has adlcp:scormType='{scorm_type}'; "
                        "it must be 'sco' or 'asset'"
                    )
            href = attr(element, "href")
            href = href.strip() if href is not None else None
            files: list[str] = []
            for file_el in children(element, CP, "file"):
                file_href = (attr(file_el, "href") or "").strip()
                if not file_href:
                    self.error(f"resource '{identifier}' has a <file> without href")
                    continue
                path = self._path(join_base(base, file_href), f"resource '{identifier}' file")
                if path:
                    files.append(path)
                self._metadata(file_el, base)
            dependencies = []
            for dep in children(element, CP, "dependency"):
                ref = (attr(dep, "identifierref") or "").strip()
                if ref:
                    dependencies.append(ref)
            self._metadata(element, base)
            resource = Resource(
                identifier=identifier,
                type=attr(element, "type") or "",
                scorm_type=scorm_type,
                href=href or None,
                base=base,
                files=tuple(files),
                dependencies=tuple(dependencies),
            )
            if resource.launch_href is not None:
                self._path(resource.launch_href, f"resource '{identifier}' href")
            self.resources[identifier] = resource
        for resource in self.resources.values():
            for dep in resource.dependencies:
                if dep not in self.resources:
                    self.error(
                        f"resource '{resource.identifier}' depends on '{dep}' "
                        "which is not in <resources>"
                    )

    # -- sequencing --------------------------------------------------------------------
    def parse_collection(self) -> None:
        collection = child(self.root, IMSSS, "sequencingCollection")
        if collection is None:
            return
        for element in children(collection, IMSSS, "sequencing"):
            identifier = attr(element, "ID")
            if not identifier:
                self.error("an <imsss:sequencing> in <sequencingCollection> has no ID")
                continue
            try:
                self.collection[identifier] = seq.parse_sequencing_parts(element)
                seq.build(self.collection[identifier])
            except ValueError as exc:
                self.collection.pop(identifier, None)
                self.error(f"<sequencingCollection> entry '{identifier}': {exc}")

    def sequencing(self, owner: Element, where: str) -> seq.Sequencing | None:
        element = child(owner, IMSSS, "sequencing")
        if element is None:
            return None
        try:
            local = seq.parse_sequencing_parts(element)
        except ValueError as exc:
            self.error(f"{where} has invalid <imsss:sequencing>: {exc}")
            return None
        idref = attr(element, "IDRef")
        shared = None
        if idref:
            shared = self.collection.get(idref)
            if shared is None:
                self.error(
                    f"{where} uses sequencing IDRef '{idref}' which is not in "
                    "<imsss:sequencingCollection>"
                )
                return None
        try:
            return seq.build(seq.merge(shared, local), idref=idref)
        except ValueError as exc:
            self.error(f"{where} has invalid <imsss:sequencing>: {exc}")
            return None

    # -- items -----------------------------------------------------------------------
    def _number(self, element: Element | None, where: str, low: float, high: float) -> float | None:
        value = text_of(element)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            self.error(f"{where} '{value}' is not a number")
            return None
        if not low <= number <= high:
            self.error(f"{where} '{value}' is outside {low:g}..{high:g}")
            return None
        return number

    def _completion_threshold(self, element: Element, where: str) -> CompletionThreshold | None:
        node = child(element, ADLCP, "completionThreshold")
        if node is None:
            return None
        try:
            if node.attrib:
                values = {
                    "completed_by_measure": bool_attr(node, "completedByMeasure", False),
                    "min_progress_measure": float_attr(node, "minProgressMeasure", 1.0),
                    "progress_weight": float_attr(node, "progressWeight", 1.0),
                }
                for key in ("min_progress_measure", "progress_weight"):
                    if not 0.0 <= values[key] <= 1.0:
                        raise ValueError(f"{key.replace('_', ' ')} {values[key]} is outside 0..1")
                return CompletionThreshold(**values)
            number = self._number(node, f"{where} <adlcp:completionThreshold>", 0.0, 1.0)
            if number is None:
                return None
            return CompletionThreshold(min_progress_measure=number, from_text=True)
        except ValueError as exc:
            self.error(f"{where} has an invalid <adlcp:completionThreshold>: {exc}")
            return None

    def _presentation(self, element: Element, where: str) -> Presentation | None:
        node = child(element, ADLNAV, "presentation")
        if node is None:
            return None
        hidden: list[str] = []
        interface = child(node, ADLNAV, "navigationInterface")
        if interface is not None:
            for hide in children(interface, ADLNAV, "hideLMSUI"):
                value = text_of(hide) or ""
                if value not in HIDE_LMS_UI:
                    self.warnings.append(f"{where} hides unknown LMS control '{value}'")
                    continue
                if value not in hidden:
                    hidden.append(value)
        return Presentation(hide_lms_ui=tuple(hidden))

    def _shared_data(self, element: Element, where: str) -> tuple[SharedDataMap, ...]:
        data = child(element, ADLCP, "data")
        if data is None:
            return ()
        maps = []
        for node in children(data, ADLCP, "map"):
            target = attr(node, "targetID")
            if not target:
                self.error(f"{where} has an <adlcp:map> without targetID")
                continue
            try:
                maps.append(
                    SharedDataMap(
                        target_id=target,
                        read_shared_data=bool_attr(node, "readSharedData", True),
                        write_shared_data=bool_attr(node, "writeSharedData", True),
                    )
                )
            except ValueError as exc:
                self.error(f"{where} has an invalid <adlcp:map>: {exc}")
        return tuple(maps)

    def item(self, element: Element, *, path: str) -> Item | None:
        identifier = (attr(element, "identifier") or "").strip()
        if not identifier:
            self.error(f"{path} has no identifier attribute")
            return None
        where = f"item '{identifier}'"
        if identifier in self.item_ids:
            self.error(f"item identifier '{identifier}' is used more than once")
        self.item_ids.add(identifier)
        title = text_of(child(element, CP, "title"))
        if not title:
            self.error(f"{where} has no <title>")
        self._metadata(element, self.base)
        kids = []
        for position, node in enumerate(children(element, CP, "item"), start=1):
            built = self.item(node, path=f"item #{position} under {where}")
            if built is not None:
                kids.append(built)
        identifierref = (attr(element, "identifierref") or "").strip() or None
        parameters = attr(element, "parameters")
        try:
            visible = bool_attr(element, "isvisible", True)
        except ValueError as exc:
            self.error(f"{where}: {exc}")
            visible = True
        resource = None
        launch_url = None
        if identifierref is not None:
            resource = self.resources.get(identifierref)
            if resource is None:
                self.error(
                    f"{where} references resource '{identifierref}' which is not in <resources>"
                )
            elif resource.launch_href is None:
                self.error(
                    f"resource '{identifierref}' referenced by {where} has no href, "
                    "so the item cannot be launched"
                )
            elif kids and self.version != SCORM_12:
                self.warnings.append(
                    f"{where} has child items and a resource; SCORM 2004 only launches "
                    "leaf items, so its resource is ignored"
                )
            else:
                launch_url = apply_parameters(resource.launch_href, parameters)
        elif not kids:
            self.warnings.append(f"{where} has neither a resource nor child items")
        mastery = None
        prerequisites = None
        if self.version == SCORM_12:
            mastery = self._number(
                child(element, ADLCP, "masteryscore"), f"{where} <adlcp:masteryscore>", 0, 100
            )
            prereq_el = child(element, ADLCP, "prerequisites")
            if prereq_el is not None and text_of(prereq_el):
                expression = text_of(prereq_el) or ""
                try:
                    prerequisites = parse_prerequisites(
                        expression=expression, type=attr(prereq_el, "type") or "aicc_script"
                    )
                except PrerequisiteSyntaxError as exc:
                    self.error(f"{where} has prerequisites '{expression}' that do not parse: {exc}")
        time_limit_action = text_of(child(element, ADLCP, "timelimitaction"))
        if time_limit_action:
            normalised = ",".join(part.strip() for part in time_limit_action.lower().split(","))
            if normalised not in TIME_LIMIT_ACTIONS:
                self.error(
                    f"{where} has <adlcp:timeLimitAction>{time_limit_action}</...>; "
                    f"it must be one of {', '.join(TIME_LIMIT_ACTIONS)}"
                )
            time_limit_action = normalised
        is_2004 = self.version != SCORM_12
        return Item(
            identifier=identifier,
            title=title or "",
            identifierref=identifierref,
            parameters=parameters,
            is_visible=visible,
            children=tuple(kids),
            resource=resource,
            launch_url=launch_url,
            mastery_score=mastery,
            prerequisites=prerequisites,
            data_from_lms=text_of(child(element, ADLCP, "datafromlms")),
            max_time_allowed=text_of(child(element, ADLCP, "maxtimeallowed")) or None,
            time_limit_action=time_limit_action or None,
            completion_threshold=self._completion_threshold(element, where) if is_2004 else None,
            sequencing=self.sequencing(element, where) if is_2004 else None,
            presentation=self._presentation(element, where) if is_2004 else None,
            shared_data=self._shared_data(element, where) if is_2004 else (),
        )

    # -- organizations -------------------------------------------------------------
    def organizations(self) -> tuple[tuple[Organization, ...], str]:
        organizations_el = child(self.root, CP, "organizations")
        if organizations_el is None:
            self.error("the manifest has no <organizations> element")
            return (), ""
        organizations: list[Organization] = []
        seen: set[str] = set()
        for index, element in enumerate(children(organizations_el, CP, "organization"), 1):
            identifier = (attr(element, "identifier") or "").strip()
            if not identifier:
                self.error(f"organization #{index} has no identifier attribute")
                continue
            where = f"organization '{identifier}'"
            if identifier in seen:
                self.error(f"organization identifier '{identifier}' is used more than once")
            seen.add(identifier)
            title = text_of(child(element, CP, "title"))
            if not title:
                self.error(f"{where} has no <title>")
            self._metadata(element, self.base)
            items = []
            for position, node in enumerate(children(element, CP, "item"), start=1):
                built = self.item(node, path=f"item #{position} of {where}")
                if built is not None:
                    items.append(built)
            is_2004 = self.version != SCORM_12
            try:
                global_objectives = bool_attr(element, "objectivesGlobalToSystem", True, ADLSEQ)
                global_data = bool_attr(element, "sharedDataGlobalToSystem", True, ADLCP)
            except ValueError as exc:
                self.error(f"{where}: {exc}")
                global_objectives = global_data = True
            organizations.append(
                Organization(
                    identifier=identifier,
                    title=title or "",
                    items=tuple(items),
                    structure=attr(element, "structure") or "hierarchical",
                    sequencing=self.sequencing(element, where) if is_2004 else None,
                    objectives_global_to_system=global_objectives,
                    shared_data_global_to_system=global_data,
                )
            )
        default = (attr(organizations_el, "default") or "").strip()
        if not organizations:
            if not any(True for _ in children(organizations_el, CP, "organization")):
                self.error("the manifest has no <organization>, so there is nothing to launch")
            return tuple(organizations), ""
        if default:
            if default not in seen:
                self.error(
                    f"<organizations default='{default}'> names an organization that is "
                    "not in the manifest"
                )
        else:
            default = organizations[0].identifier
        return tuple(organizations), default


def parse_manifest(
    *,
    data: bytes,
    source: str = "imsmanifest.xml",
    max_bytes: int = DEFAULT_MAX_MANIFEST_BYTES,
) -> Manifest:
    """Parse and validate a manifest; raise :class:`ManifestError` listing every problem."""
    if len(data) > max_bytes:
        raise ManifestError(
            f"{source} is {len(data):,} bytes, more than the {max_bytes:,} bytes allowed"
        )
    root = parse_xml(data, source)
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2] != "manifest":
        raise ManifestError(f"{source} does not start with a <manifest> element")
    metadata = child(root, CP, "metadata")
    schemaversion = text_of(child(metadata, CP, "schemaversion")) if metadata is not None else None
    namespaces = declared_namespaces(decode(data)) | {
        tag[1:].partition("}")[0]
        for el in root.iter()
        if isinstance((tag := el.tag), str) and tag.startswith("{")
    }
    version, inferred, warnings = detect_version(
        root=root, schemaversion=schemaversion, namespaces=namespaces
    )
    if version is None:
        raise ManifestError(
            f"{source} has no <schemaversion> and no SCORM namespace, so its SCORM version "
            "cannot be told"
        )
    builder = _Builder(root=root, version=version, source=source)
    builder.warnings.extend(warnings)
    if metadata is not None:
        builder._metadata(root, builder.base)
    builder.parse_resources()
    if version != SCORM_12:
        builder.parse_collection()
    organizations, default = builder.organizations()
    for organization in organizations:
        for item in organization.walk():
            if item.prerequisites is None:
                continue
            for unknown in sorted(item.prerequisites.identifiers() - builder.item_ids):
                builder.error(
                    f"item '{item.identifier}' has prerequisites that name item '{unknown}' "
                    "which is not in the manifest"
                )
    if not builder.errors and organizations:
        default_org = next(o for o in organizations if o.identifier == default)
        if not any(item.launch_url for item in default_org.walk()):
            builder.error(f"the default organization '{default}' has no item that can be launched")
    if builder.errors:
        raise ManifestError(builder.errors)
    return Manifest(
        identifier=attr(root, "identifier") or "",
        version=version,
        schemaversion=schemaversion,
        version_inferred=inferred,
        organizations=organizations,
        default_organization_identifier=default,
        resources=tuple(builder.resources.values()),
        sequencing_collection=MappingProxyType(
            {key: seq.build(parts, idref=None) for key, parts in builder.collection.items()}
        ),
        metadata_locations=tuple(dict.fromkeys(builder.metadata_locations)),
        warnings=tuple(builder.warnings),
    )


def parse_manifest_file(*, path: Path | str) -> Manifest:
    """Parse a manifest file from disk (``source`` in messages is its file name)."""
    path = Path(path)
    return parse_manifest(data=path.read_bytes(), source=path.name)
