"""Dataclasses describing a parsed ``imsmanifest.xml``.

Everything is frozen: a parsed manifest is a value that can be cached, compared and handed
to the player or the sequencer without anyone changing it under their feet.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from courses.scorm.manifest.launch import join_base
from courses.scorm.manifest.prerequisites import Prerequisites
from courses.scorm.manifest.sequencing import Sequencing

SCORM_12 = "1.2"
SCORM_2004_2ND = "2004-2nd"
SCORM_2004_3RD = "2004-3rd"
SCORM_2004_4TH = "2004-4th"
VERSIONS = (SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH)


class ManifestError(ValueError):
    """The manifest cannot be used; ``messages`` says every reason found, most precise first."""

    def __init__(self, messages: list[str] | tuple[str, ...] | str) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.messages: tuple[str, ...] = tuple(messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class CompletionThreshold:
    """``adlcp:completionThreshold``.

    2nd/3rd edition write the threshold as the element's text (``<...>0.8</...>``); the 4th
    edition uses the attributes ``completedByMeasure``, ``minProgressMeasure`` and
    ``progressWeight``.
    """

    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0
    from_text: bool = False

    @property
    def cmi_value(self) -> float | None:
        """The value the LMS gives the SCO as ``cmi.completion_threshold`` (None: undefined).

        A 2nd/3rd edition text value is always the threshold; in the 4th edition the minimum
        progress measure only acts as a threshold when ``completedByMeasure`` is true.
        """
        if self.from_text or self.completed_by_measure:
            return self.min_progress_measure
        return None


@dataclass(frozen=True)
class SharedDataMap:
    """``adlcp:data/adlcp:map`` (4th edition shared data buckets, ``adl.data``)."""

    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = True


@dataclass(frozen=True)
class Presentation:
    """``adlnav:presentation``: the LMS navigation controls the item asks to hide."""

    hide_lms_ui: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resource:
    """A ``<resource>``; paths are package paths (forward slashes, xml:base applied)."""

    identifier: str
    type: str
    scorm_type: str | None
    href: str | None
    base: str = ""
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()

    @property
    def is_sco(self) -> bool:
        return self.scorm_type == "sco"

    @property
    def launch_href(self) -> str | None:
        """The href with every xml:base applied (query string kept), or None without href."""
        if self.href is None:
            return None
        return join_base(self.base, self.href)


@dataclass(frozen=True)
class Item:
    """An ``<item>`` of an organization; children in document order."""

    identifier: str
    title: str
    identifierref: str | None = None
    parameters: str | None = None
    is_visible: bool = True
    children: tuple[Item, ...] = ()
    resource: Resource | None = None
    launch_url: str | None = None
    # SCORM 1.2 (adlcp_rootv1p2) extensions
    mastery_score: float | None = None
    prerequisites: Prerequisites | None = None
    # both versions
    data_from_lms: str | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    # SCORM 2004 extensions
    completion_threshold: CompletionThreshold | None = None
    sequencing: Sequencing | None = None
    presentation: Presentation | None = None
    shared_data: tuple[SharedDataMap, ...] = ()

    @property
    def is_sco(self) -> bool:
        return self.resource is not None and self.resource.is_sco

    @property
    def is_launchable(self) -> bool:
        return self.launch_url is not None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Item]:
        """This item and its descendants, depth first, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Organization:
    identifier: str
    title: str
    items: tuple[Item, ...] = ()
    structure: str = "hierarchical"
    sequencing: Sequencing | None = None
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated manifest."""

    identifier: str
    version: str
    schemaversion: str | None
    version_inferred: bool
    organizations: tuple[Organization, ...]
    default_organization_identifier: str
    resources: tuple[Resource, ...]
    sequencing_collection: Mapping[str, Sequencing] = field(
        default_factory=lambda: MappingProxyType({})
    )
    metadata_locations: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def is_scorm_2004(self) -> bool:
        return self.version != SCORM_12

    @property
    def default_organization(self) -> Organization:
        for organization in self.organizations:
            if organization.identifier == self.default_organization_identifier:
                return organization
        raise LookupError(self.default_organization_identifier)  # parse_manifest prevents it

    @property
    def title(self) -> str:
        return self.default_organization.title

    def organization(self, identifier: str | None = None) -> Organization:
        if identifier is None:
            return self.default_organization
        for organization in self.organizations:
            if organization.identifier == identifier:
                return organization
        raise KeyError(identifier)

    def resource(self, identifier: str) -> Resource:
        for resource in self.resources:
            if resource.identifier == identifier:
                return resource
        raise KeyError(identifier)

    def items(self, organization: str | None = None) -> list[Item]:
        """Every item of an organization (default: the default one), depth first."""
        return list(self.organization(organization).walk())

    def launchable_items(self, organization: str | None = None) -> list[Item]:
        return [item for item in self.items(organization) if item.is_launchable]

    def scos(self, organization: str | None = None) -> list[Item]:
        """Items whose resource is ``adlcp:scormtype="sco"`` (the ones that talk to the API)."""
        return [item for item in self.items(organization) if item.is_sco]

    def first_launchable(self, organization: str | None = None) -> Item | None:
        items = self.launchable_items(organization)
        return items[0] if items else None
