"""Small SCORM 2004 activity trees for the sequencer tests, written as manifests, and
helpers to drive a :class:`Sequencer` over them."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from courses.scorm.manifest import parse_manifest
from courses.scorm.sequencing import ActivityTree, AttemptReport, Sequencer, SequencingError

HEAD = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org" {org_attrs}><title>Course</title>
"""

PASSED = AttemptReport(completion_status="completed", success_status="passed", exit="suspend")
READ = AttemptReport(completion_status="completed", success_status="passed")


def failed(score: float) -> AttemptReport:
    return AttemptReport(completion_status="completed", success_status="failed", score_scaled=score)


def passed(score: float) -> AttemptReport:
    return AttemptReport(completion_status="completed", success_status="passed", score_scaled=score)


def manifest_xml(items: str, org_sequencing: str = "", *, org_attrs: str = "") -> str:
    names = tuple(part.split('"')[0] for part in items.split('identifierref="r_')[1:])
    resources = "".join(
        f'<resource identifier="r_{n}" type="webcontent" adlcp:scormType="sco" href="{n}.html">'
        f'<file href="{n}.html"/></resource>'
        for n in names
    )
    return (
        f"{HEAD.format(org_attrs=org_attrs)}{items}{org_sequencing}</organization>"
        f"</organizations><resources>{resources}</resources></manifest>"
    )


def package_zip(items: str, org_sequencing: str = "", *, org_attrs: str = "") -> io.BytesIO:
    """A SCORM 2004 package (zip) of these items, each SCO a small HTML page."""
    xml = manifest_xml(items, org_sequencing, org_attrs=org_attrs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", xml)
        for name in (part.split('"')[0] for part in items.split('identifierref="r_')[1:]):
            archive.writestr(f"{name}.html", f"<!doctype html><title>{name}</title>")
    buffer.seek(0)
    return buffer


def built(items: str, org_sequencing: str = "", *, org_attrs: str = "") -> ActivityTree:
    xml = manifest_xml(items, org_sequencing, org_attrs=org_attrs)
    return ActivityTree.from_manifest(parse_manifest(data=xml.encode()))


def sco(name: str, sequencing: str = "") -> str:
    return f'<item identifier="{name}" identifierref="r_{name}"><title>{name}</title>{sequencing}</item>'  # noqa: E501


def cluster(name: str, items: str, sequencing: str = "") -> str:
    return f'<item identifier="{name}"><title>{name}</title>{items}{sequencing}</item>'


def seq(inner: str) -> str:
    return f"<imsss:sequencing>{inner}</imsss:sequencing>"


FLOW = seq('<imsss:controlMode choice="true" flow="true"/>')


def pre(action: str, condition: str = "always", extra: str = "") -> str:
    return (
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
        f'<imsss:ruleCondition condition="{condition}" {extra}/></imsss:ruleConditions>'
        f'<imsss:ruleAction action="{action}"/></imsss:preConditionRule></imsss:sequencingRules>'
    )


def post(action: str, condition: str = "always", operator: str = "noOp") -> str:
    return (
        "<imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions>"
        f'<imsss:ruleCondition condition="{condition}" operator="{operator}"/>'
        f'</imsss:ruleConditions><imsss:ruleAction action="{action}"/>'
        "</imsss:postConditionRule></imsss:sequencingRules>"
    )


def sequencer(tree: ActivityTree, seed: int = 7, **kwargs) -> Sequencer:
    return Sequencer(tree, rng=random.Random(seed), **kwargs)


def toc(s: Sequencer) -> dict[str, dict]:
    return {entry["id"]: entry for entry in s.navigation().toc}


def root_result(s: Sequencer) -> tuple:
    root = s.tree.root
    return s.completed(root), s.satisfied(root), s.measure(root)


def refused(s: Sequencer, request: str, target: str | None = None) -> str:
    before = s.state.to_json()
    with pytest.raises(SequencingError) as error:
        s.navigate(request, target)
    assert s.state.to_json() == before, "a refused request changes nothing"
    return error.value.code
