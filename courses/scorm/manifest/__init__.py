"""``imsmanifest.xml`` parsing: :func:`parse_manifest` and the dataclasses it returns."""

from courses.scorm.manifest.launch import apply_parameters, join_base, package_path
from courses.scorm.manifest.models import (
    SCORM_12,
    SCORM_2004_2ND,
    SCORM_2004_3RD,
    SCORM_2004_4TH,
    VERSIONS,
    CompletionThreshold,
    Item,
    Manifest,
    ManifestError,
    Organization,
    Presentation,
    Resource,
    SharedDataMap,
)
from courses.scorm.manifest.parser import parse_manifest, parse_manifest_file
from courses.scorm.manifest.prerequisites import Prerequisites, parse_prerequisites
from courses.scorm.manifest.sequencing import Sequencing

__all__ = [
    "SCORM_12",
    "SCORM_2004_2ND",
    "SCORM_2004_3RD",
    "SCORM_2004_4TH",
    "VERSIONS",
    "CompletionThreshold",
    "Item",
    "Manifest",
    "ManifestError",
    "Organization",
    "Prerequisites",
    "Presentation",
    "Resource",
    "Sequencing",
    "SharedDataMap",
    "apply_parameters",
    "join_base",
    "package_path",
    "parse_manifest",
    "parse_manifest_file",
    "parse_prerequisites",
]
