"""imsmanifest.xml parsing: every shared fixture, plus small manifests written here."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.scorm.manifest import (
    Manifest,
    ManifestError,
    apply_parameters,
    join_base,
    package_path,
    parse_manifest,
    parse_prerequisites,
)
from courses.scorm.manifest.launch import UnsafePath
from courses.scorm.manifest.prerequisites import PrerequisiteSyntaxError


def _manifest_bytes(path) -> bytes:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return archive.read("imsmanifest.xml")
    return path.read_bytes()


@dataclass(frozen=True)
class Expected:
    version: str
    organization: str
    scos: int
    launchable: int
    first_launch: str


# Counts read from each manifest by hand (SCOs = items of the default organization whose
# resource has adlcp:scormtype="sco"; launchable also counts items whose resource is an
# asset or has no scormtype).
VALID = {
    "scorm12/RuntimeBasicCalls_SCORM12.zip": Expected(
        "1.2", "golf_sample_default_org", 1, 1, "shared/launchpage.html"
    ),
    "scorm12/RuntimeMinimumCalls_SCORM12.zip": Expected(
        "1.2", "golf_sample_default_org", 18, 18, "Playing/Playing.html"
    ),
    "scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip": Expected(
        "1.2", "golf_sample_default_org", 0, 18, "Playing/Playing.html"
    ),
    "scorm12/ContentPackagingSingleSCO_SCORM12.zip": Expected(
        "1.2", "golf_sample_default_org", 1, 1, "shared/launchpage.html"
    ),
    "scorm12/ContentPackagingWithMetadata_SCORM12.zip": Expected(
        "1.2", "default", 1, 1, "index.html"
    ),
    "scorm12/edge-cases/ComplexNestedOrganization_SCORM12.zip": Expected(
        "1.2", "default_org", 11, 11, "content/module1.html"
    ),
    "scorm12/edge-cases/InvalidFileReferences_SCORM12.zip": Expected(
        "1.2", "default_org", 1, 1, "content/nonexistent.html"
    ),
    "scorm12/edge-cases/LaunchUrlFromNestedItem_SCORM12.zip": Expected(
        "1.2", "default_org", 2, 2, "content/topic1.html"
    ),
    "scorm12/edge-cases/MultipleItemsWithIdentifierRef_SCORM12.zip": Expected(
        "1.2", "default_org", 3, 3, "content/item1.html"
    ),
    "scorm12/edge-cases/PrerequisitesTest_SCORM12.zip": Expected(
        "1.2", "org1", 4, 4, "module1.html"
    ),
    "scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 1, 1, "shared/launchpage.html"
    ),
    "scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip": Expected(
        "2004-2nd", "golf_sample_default_org", 1, 1, "shared/launchpage.html"
    ),
    "scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 0, 18, "Playing/Playing.html"
    ),
    "scorm2004/ContentPackagingMetadata_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 1, 1, "shared/launchpage.html"
    ),
    "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 5, 5, "shared/launchpage.html?content=playing"
    ),
    "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 8, 8, "shared/launchpage.html?content=playing"
    ),
    "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "golf_sample_default_org", 8, 8, "shared/launchpage.html?content=playing"
    ),
    "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip": Expected(
        "2004-4th", "golf_sample_default_org", 5, 5, "shared/launchpage.html?content=playing"
    ),
    "scorm2004/edge-cases/MinimalValid_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "org1", 0, 1, "index.html"
    ),
    "scorm2004/edge-cases/AdlAttributes_SCORM20043rdEdition.zip": Expected(
        "2004-3rd", "org1", 0, 1, "index.html"
    ),
    "scorm2004/edge-cases/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip": Expected(
        "2004-2nd", "org1", 1, 1, "index.html"
    ),
}
for _id, _scos in {
    "CM-01": 3,
    "CT-01": 5,
    "MS-01": 5,
    "OB-04": 6,
    "RU-09": 5,
    "RU-17b": 10,
    "SX-05": 7,
    "SX-09": 3,
}.items():
    _first = "SequencingTest_SX09_exit.htm" if _id == "SX-09" else "SequencingTest.htm"
    VALID[f"scorm2004/adl-cts-manifests/LMSTestPackage_{_id}.imsmanifest.xml"] = Expected(
        "2004-4th", _id, _scos, _scos, f"resources/{_first}?tc={_id}&act=1"
    )

INVALID = {
    "scorm12/edge-cases/MalformedXml_SCORM12.zip": (
        "imsmanifest.xml is not well-formed XML: mismatched tag (line 27, column 7)"
    ),
    "scorm12/edge-cases/MissingLaunchUrl_SCORM12.zip": (
        "resource 'resource_1' referenced by item 'item_1' has no href, "
        "so the item cannot be launched"
    ),
    "scorm12/edge-cases/MissingRequiredFields_SCORM12.zip": (
        "organization 'default_org' has no <title>"
    ),
    "scorm12/edge-cases/ItemWithNonExistentResourceId_SCORM12.zip": (
        "item 'item_1' references resource 'non_existent_resource' which is not in <resources>"
    ),
    "scorm2004/edge-cases/InvalidMissingOrgIdentifier_SCORM20043rdEdition.zip": (
        "organization #1 has no identifier attribute"
    ),
    "scorm2004/edge-cases/CM-01-broken-default-org.imsmanifest.xml": (
        "<organizations default='NONEXISTENT_ORG'> names an organization that is not in "
        "the manifest"
    ),
}


def test_every_shared_scorm_fixture_is_covered(shared_fixtures_root):
    """A fixture added to ../shared without an expectation here fails loudly."""
    on_disk = {
        str(p.relative_to(shared_fixtures_root))
        for folder in ("scorm12", "scorm2004")
        for p in (shared_fixtures_root / folder).rglob("*")
        if p.suffix in (".zip", ".xml")
    }
    assert on_disk == set(VALID) | set(INVALID)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_fixture_parses_with_version_organization_scos_and_launch(name, shared_fixture):
    expected = VALID[name]

    manifest = parse_manifest(data=_manifest_bytes(shared_fixture(name)))

    assert manifest.version == expected.version
    assert manifest.default_organization_identifier == expected.organization
    assert len(manifest.scos()) == expected.scos
    assert len(manifest.launchable_items()) == expected.launchable
    assert manifest.first_launchable().launch_url == expected.first_launch


@pytest.mark.parametrize("name", sorted(INVALID))
def test_broken_fixture_is_rejected_with_its_reason(name, shared_fixture):
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=_manifest_bytes(shared_fixture(name)))

    assert caught.value.messages == (INVALID[name],)


def _load(shared_fixture, name: str) -> Manifest:
    return parse_manifest(data=_manifest_bytes(shared_fixture(name)))


def test_scorm12_runtime_minimum_calls_launch_urls_keep_item_parameters(shared_fixture):
    manifest = _load(shared_fixture, "scorm12/RuntimeMinimumCalls_SCORM12.zip")

    urls = {item.identifier: item.launch_url for item in manifest.scos()}

    assert urls["playing_quiz_item"] == "shared/assessmenttemplate.html?questions=Playing"
    assert urls["havingfun_quiz_item"] == "shared/assessmenttemplate.html?questions=HavingFun"
    assert [i.identifier for i in manifest.default_organization.items] == [
        "playing_item",
        "etiquette_item",
        "handicapping_item",
        "havingfun_item",
    ]
    assert manifest.resource("common_files").scorm_type == "asset"


def test_scorm12_complex_nested_has_a_second_organization(shared_fixture):
    manifest = _load(shared_fixture, "scorm12/edge-cases/ComplexNestedOrganization_SCORM12.zip")

    assert [o.identifier for o in manifest.organizations] == ["default_org", "alternate_org"]
    assert len(manifest.scos("alternate_org")) == 1
    assert sum(1 for r in manifest.resources if r.is_sco) == 12
    topic = next(i for i in manifest.items() if i.identifier == "topic_1_1_1_2")
    assert topic.launch_url == "content/topic1_1_1_2.html"


def test_scorm12_prerequisites_mastery_and_time_limits(shared_fixture):
    manifest = _load(shared_fixture, "scorm12/edge-cases/PrerequisitesTest_SCORM12.zip")
    items = {item.identifier: item for item in manifest.items()}

    assert items["module1"].prerequisites is None
    assert items["module1"].mastery_score == 80
    assert items["module1"].max_time_allowed == "02:30:00"
    assert items["module2"].data_from_lms == "custom_data_for_module2"
    assert items["module3"].time_limit_action == "exit,message"
    assert items["module4"].mastery_score == 90
    module4 = items["module4"].prerequisites
    assert module4.identifiers() == {"module1", "module2", "module3"}
    assert module4.evaluate({"module3": "passed"}) is True
    assert module4.evaluate({"module1": "completed", "module2": "incomplete"}) is False
    assert module4.evaluate({"module1": "completed", "module2": "passed"}) is True
    assert items["module3"].prerequisites.evaluate({"module1": "passed"}) is False


def test_scorm12_metadata_location_and_datafromlms(shared_fixture):
    manifest = _load(shared_fixture, "scorm12/ContentPackagingWithMetadata_SCORM12.zip")

    assert manifest.metadata_locations == ("metadata.xml",)
    assert manifest.scos()[0].data_from_lms == "RANDOM"
    assert manifest.scos()[0].is_visible is True


def test_scorm2004_forced_sequential_merges_the_sequencing_collection(shared_fixture):
    manifest = _load(shared_fixture, "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip")
    items = {item.identifier: item for item in manifest.items()}

    etiquette = items["etuqiette_item"].sequencing
    # from <sequencingCollection ID="common_seq_rules">
    assert etiquette.idref == "common_seq_rules"
    assert etiquette.delivery_controls.completion_set_by_content is True
    assert etiquette.rollup_rules.objective_measure_weight == 0
    # written on the item itself
    rule = etiquette.pre_condition_rules[0]
    assert rule.action == "disabled"
    assert rule.condition_combination == "any"
    assert [c.condition for c in rule.conditions] == ["satisfied", "objectiveStatusKnown"]
    assert rule.conditions[0].operator == "not"
    assert rule.conditions[0].referenced_objective == "previous_sco_satisfied"
    primary = etiquette.primary_objective
    assert primary.objective_id == "etiquette_satisfied"
    assert primary.map_info[0].write_satisfied_status is True
    assert manifest.default_organization.sequencing.control_mode.flow is True
    assert manifest.default_organization.objectives_global_to_system is False
    assert set(manifest.sequencing_collection) == {"common_seq_rules"}


def test_scorm2004_random_test_limits_randomization_and_hidden_items(shared_fixture):
    manifest = _load(shared_fixture, "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip")
    items = {item.identifier: item for item in manifest.items()}

    post_test = items["posttest_item"].sequencing
    assert post_test.limit_conditions.attempt_limit == 2
    assert post_test.randomization_controls.randomization_timing == "onEachNewAttempt"
    assert post_test.randomization_controls.reorder_children is True
    assert post_test.control_mode.choice is False
    assert [r.action for r in post_test.post_condition_rules] == ["retry", "retry", "exitAll"]
    assert [r.action for r in post_test.rollup_rules.rules] == ["satisfied", "notSatisfied"]
    assert items["content_wrapper"].is_visible is False
    test_1 = items["test_1"]
    assert test_1.launch_url == "shared/launchpage.html?content=assessment1"
    assert test_1.presentation.hide_lms_ui == ("suspendAll",)
    assert test_1.sequencing.post_condition_rules[0].action == "exitParent"


def test_scorm2004_fourth_edition_features(shared_fixture):
    manifest = _load(
        shared_fixture, "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"
    )
    items = {item.identifier: item for item in manifest.items()}

    etiquette = items["etuqiette_item"]
    assert etiquette.completion_threshold.progress_weight == 0.3
    assert etiquette.completion_threshold.cmi_value is None
    assert etiquette.shared_data[0].target_id.endswith("notesStorage")
    objective = etiquette.sequencing.objectives[0]
    extended = objective.map_info[0]
    assert extended.read_completion_status is True
    assert extended.write_completion_status is True
    assert extended.read_satisfied_status is False
    assert items["assessment_item"].sequencing.pre_condition_rules[0].action == "hiddenFromChoice"


def test_scorm2004_adl_attributes(shared_fixture):
    manifest = _load(shared_fixture, "scorm2004/edge-cases/AdlAttributes_SCORM20043rdEdition.zip")
    item = manifest.first_launchable()

    assert item.data_from_lms == "Launch Data"
    assert item.time_limit_action == "exit,message"
    assert item.completion_threshold.cmi_value == 0.75
    assert item.presentation.hide_lms_ui == ("exit", "continue")
    assert item.sequencing.control_mode.choice is False
    assert item.resource.scorm_type is None
    assert item.is_sco is False


def test_scorm2004_without_schemaversion_is_inferred(shared_fixture):
    manifest = _load(
        shared_fixture,
        "scorm2004/edge-cases/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip",
    )

    assert manifest.schemaversion is None
    assert manifest.version_inferred is True
    assert manifest.version == "2004-2nd"


def test_adl_cts_manifest_objectives_and_xml_base(shared_fixture):
    manifest = _load(
        shared_fixture, "scorm2004/adl-cts-manifests/LMSTestPackage_CM-01.imsmanifest.xml"
    )
    items = {item.identifier: item for item in manifest.items()}

    primary = items["activity_2"].sequencing.primary_objective
    assert primary.satisfied_by_measure is True
    assert primary.min_normalized_measure == 0.8
    limits = items["activity_3"].sequencing.limit_conditions
    assert limits.attempt_absolute_duration_limit == "P5Y6M4DT12H30M58.55S"
    assert manifest.resource("JAR01").files == ("common/LMSTest.jar",)
    assert manifest.resource("SEQ01").files == ("resources/SequencingTest.htm",)
    assert items["activity_1"].presentation.hide_lms_ui == ("continue", "previous", "suspendAll")


def test_adl_cts_ob04_maps_global_objectives(shared_fixture):
    manifest = _load(
        shared_fixture, "scorm2004/adl-cts-manifests/LMSTestPackage_OB-04.imsmanifest.xml"
    )
    items = {item.identifier: item for item in manifest.items()}

    maps = items["activity_1"].sequencing.primary_objective.map_info
    assert [m.target_objective_id for m in maps] == ["gObj-OB04-1", "gObj-OB04-3"]
    assert maps[1].write_normalized_measure is True
    assert items["activity_6"].sequencing.primary_objective.min_normalized_measure == -0.75


# --- small manifests written here -------------------------------------------------------
NS_12 = (
    'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
)
NS_2004 = (
    'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
    'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
    'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
    'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
)


def manifest_xml(
    *,
    ns: str = NS_12,
    schemaversion: str | None = "1.2",
    items: str = '<item identifier="I1" identifierref="R1"><title>One</title></item>',
    resources: str = (
        '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="a.html">'
        '<file href="a.html"/></resource>'
    ),
    extra: str = "",
    default: str = "ORG",
) -> bytes:
    metadata = (
        f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion>"
        "</metadata>"
        if schemaversion is not None
        else ""
    )
    return (
        f'<?xml version="1.0"?><manifest identifier="M" {ns}>{metadata}'
        f'<organizations default="{default}"><organization identifier="ORG"><title>Org</title>'
        f"{items}</organization></organizations><resources>{resources}</resources>{extra}"
        "</manifest>"
    ).encode()


def test_billion_laughs_entities_are_refused_before_expansion():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><manifest>&b;</manifest>'
    )

    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=data)

    assert "declares XML entities" in caught.value.messages[0]


def test_external_entities_are_refused():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE manifest [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<manifest>&x;</manifest>"
    )

    with pytest.raises(ManifestError, match="declares XML entities"):
        parse_manifest(data=data)


def test_oversized_manifest_is_refused():
    with pytest.raises(ManifestError, match="more than the 100 bytes allowed"):
        parse_manifest(data=manifest_xml(), max_bytes=100)


def test_a_document_that_is_not_a_manifest_is_refused():
    with pytest.raises(ManifestError, match="does not start with a <manifest> element"):
        parse_manifest(data=b"<html><body/></html>")


def test_unknown_version_without_namespaces_is_refused():
    data = (
        b'<manifest identifier="M"><organizations><organization identifier="O"><title>t</title>'
        b"</organization></organizations><resources/></manifest>"
    )

    with pytest.raises(ManifestError, match="its SCORM version cannot be told"):
        parse_manifest(data=data)


def test_version_from_namespaces_when_schemaversion_is_missing():
    assert parse_manifest(data=manifest_xml(schemaversion=None)).version == "1.2"
    four = manifest_xml(
        ns=NS_2004,
        schemaversion=None,
        items=(
            '<item identifierref="R1" identifier="I1"><title>t</title>'
            '<adlcp:completionThreshold minProgressMeasure="0.5"/></item>'
        ),
        resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a"/>',
    )
    assert parse_manifest(data=four).version == "2004-4th"


@pytest.mark.parametrize(
    ("schemaversion", "version"),
    [
        ("CAM 1.3", "2004-2nd"),
        ("2004 3rd Edition", "2004-3rd"),
        ("2004 4th Edition", "2004-4th"),
        ("  2004   4th   edition ", "2004-4th"),
    ],
)
def test_schemaversion_values(schemaversion, version):
    data = manifest_xml(
        ns=NS_2004,
        schemaversion=schemaversion,
        resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a"/>',
    )

    assert parse_manifest(data=data).version == version


def test_schemaversion_contradicting_namespaces_gives_a_warning():
    manifest = parse_manifest(data=manifest_xml(ns=NS_2004, schemaversion="1.2"))

    assert manifest.version == "1.2"
    assert "uses SCORM 2004 namespaces" in manifest.warnings[0]


def test_default_organization_is_the_first_without_default_attribute():
    manifest = parse_manifest(data=manifest_xml(default=""))

    assert manifest.default_organization_identifier == "ORG"
    assert manifest.title == "Org"


def test_xml_base_chain_and_parameters_build_the_launch_url():
    data = manifest_xml(
        items=(
            '<item identifier="I1" identifierref="R1" parameters="?a=1"><title>t</title></item>'
        ),
        resources=(
            '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
            'href="start.html?lang=en" xml:base="unit1/"><file href="start.html"/></resource>'
        ),
    ).replace(b"<resources>", b'<resources xml:base="content/">')

    manifest = parse_manifest(data=data)

    assert manifest.first_launchable().launch_url == "content/unit1/start.html?lang=en&a=1"
    assert manifest.resource("R1").files == ("content/unit1/start.html",)


@pytest.mark.parametrize(
    ("href", "parameters", "url"),
    [
        ("a.html", "?x=1", "a.html?x=1"),
        ("a.html", "&x=1", "a.html?x=1"),
        ("a.html", "x=1", "a.html?x=1"),
        ("a.html?y=2", "?x=1", "a.html?y=2&x=1"),
        ("a.html", "#top", "a.html#top"),
        ("a.html#here", "#top", "a.html#here"),
        ("a.html?y=2", "#top", "a.html?y=2"),
        ("a.html#frag", "x=1", "a.html?x=1#frag"),
        ("a.html", None, "a.html"),
        ("a.html", "?", "a.html"),
    ],
)
def test_parameters_follow_the_cam_rules(href, parameters, url):
    assert apply_parameters(href, parameters) == url


def test_join_base_and_package_path():
    assert join_base("", "resources/", "x.htm") == "resources/x.htm"
    assert join_base("a/", "b/", "../c.html") == "a/c.html"
    assert package_path("my%20page.html?x=1#y") == "my page.html"
    assert package_path("http://example.org/a.html") is None
    with pytest.raises(UnsafePath):
        package_path("../../etc/passwd")
    with pytest.raises(UnsafePath):
        package_path("/etc/passwd")


def test_href_escaping_the_package_is_an_error():
    data = manifest_xml(
        resources=(
            '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" '
            'href="../../etc/passwd"/>'
        )
    )

    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=data)

    assert "resource 'R1' href '../../etc/passwd' points outside the package" in (
        caught.value.messages
    )


def test_every_problem_is_reported_at_once():
    data = manifest_xml(
        items=(
            '<item identifier="ITEM_3" identifierref="RES_9"><title>x</title></item>'
            '<item identifier="I2" identifierref="R1"></item>'
            '<item identifier="I2" identifierref="R1"><title>dup</title></item>'
        ),
        resources=(
            '<resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="a.html">'
            '<dependency identifierref="NOPE"/></resource>'
            '<resource identifier="R1" type="webcontent" adlcp:scormtype="wrong" href="b"/>'
        ),
    )

    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=data)

    assert caught.value.messages == (
        "resource identifier 'R1' is used more than once",
        "resource 'R1' depends on 'NOPE' which is not in <resources>",
        "item 'ITEM_3' references resource 'RES_9' which is not in <resources>",
        "item 'I2' has no <title>",
        "item identifier 'I2' is used more than once",
    )


def test_invalid_mastery_score_time_limit_action_and_prerequisites():
    data = manifest_xml(
        items=(
            '<item identifier="I1" identifierref="R1"><title>t</title>'
            "<adlcp:masteryscore>120</adlcp:masteryscore>"
            "<adlcp:timelimitaction>stop</adlcp:timelimitaction>"
            '<adlcp:prerequisites type="aicc_script">I1 &amp; (</adlcp:prerequisites></item>'
            '<item identifier="I2" identifierref="R1"><title>t</title>'
            '<adlcp:prerequisites type="aicc_script">GHOST</adlcp:prerequisites></item>'
        )
    )

    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=data)

    messages = caught.value.messages
    assert "item 'I1' <adlcp:masteryscore> '120' is outside 0..100" in messages
    assert any(m.startswith("item 'I1' has <adlcp:timeLimitAction>stop") for m in messages)
    assert any(
        m.startswith("item 'I1' has prerequisites 'I1 & (' that do not parse") for m in messages
    )
    assert (
        "item 'I2' has prerequisites that name item 'GHOST' which is not in the manifest"
        in messages
    )


def test_sequencing_idref_to_a_missing_collection_entry_is_an_error():
    data = manifest_xml(
        ns=NS_2004,
        schemaversion="2004 3rd Edition",
        items=(
            '<item identifier="I1" identifierref="R1"><title>t</title>'
            '<imsss:sequencing IDRef="nowhere"/></item>'
        ),
        resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a"/>',
    )

    with pytest.raises(ManifestError, match="sequencing IDRef 'nowhere' which is not in"):
        parse_manifest(data=data)


def test_an_attempt_duration_limit_that_is_not_a_duration_is_an_error():
    data = manifest_xml(
        ns=NS_2004,
        schemaversion="2004 4th Edition",
        items=(
            '<item identifier="I1" identifierref="R1"><title>t</title><imsss:sequencing>'
            '<imsss:limitConditions attemptAbsoluteDurationLimit="30 minutes"/>'
            "</imsss:sequencing></item>"
        ),
        resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a"/>',
    )

    with pytest.raises(ManifestError) as caught:
        parse_manifest(data=data)

    assert caught.value.messages == (
        "item 'I1' has invalid <imsss:sequencing>: "
        "attemptAbsoluteDurationLimit '30 minutes' is not an ISO 8601 duration such as PT30M",
    )


def test_an_organization_without_launchable_items_is_an_error():
    data = manifest_xml(items='<item identifier="I1"><title>label only</title></item>')

    with pytest.raises(ManifestError, match="has no item that can be launched"):
        parse_manifest(data=data)


def test_scorm2004_cluster_with_resource_is_not_launched():
    data = manifest_xml(
        ns=NS_2004,
        schemaversion="2004 4th Edition",
        items=(
            '<item identifier="P" identifierref="R1"><title>p</title>'
            '<item identifier="C" identifierref="R1"><title>c</title></item></item>'
        ),
        resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a"/>',
    )

    manifest = parse_manifest(data=data)

    assert [i.identifier for i in manifest.launchable_items()] == ["C"]
    assert "SCORM 2004 only launches leaf items" in manifest.warnings[0]


@pytest.mark.parametrize(
    ("expression", "statuses", "result"),
    [
        ("a & b", {"a": "passed", "b": "completed"}, True),
        ("a | b", {"b": "failed"}, False),
        ("~a", {}, True),
        ("NOT a AND b", {"b": "passed"}, True),
        ('a = "failed"', {"a": "failed"}, True),
        ("a = f", {"a": "failed"}, True),
        ("a <> p", {"a": "passed"}, False),
        ("2*{a,b,c}", {"a": "passed", "c": "completed"}, True),
        ("2*{a,b,c}", {"a": "passed"}, False),
        ("(a | b) & c", {"b": "passed", "c": "passed"}, True),
    ],
)
def test_prerequisite_expressions(expression, statuses, result):
    assert parse_prerequisites(expression=expression).evaluate(statuses) is result


@pytest.mark.parametrize("expression", ["a &", "(a", "a = maybe", "2*{a,", "a b", ")"])
def test_prerequisite_syntax_errors(expression):
    with pytest.raises(PrerequisiteSyntaxError):
        parse_prerequisites(expression=expression)


def test_unknown_character_encoding_is_reported():
    data = manifest_xml().replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="x"?>')

    with pytest.raises(ManifestError, match="declares a character encoding that is not known"):
        parse_manifest(data=data)


SEQUENCED = manifest_xml(
    ns=NS_2004,
    schemaversion="2004 4th Edition",
    items=(
        '<item identifier="I1" identifierref="R1" parameters="?a=1"><title>t</title>'
        '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5"/>'
        '<imsss:sequencing><imsss:controlMode choice="false" flow="true"/>'
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
        '<imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>'
        '<imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>'
        '<imsss:limitConditions attemptLimit="3"/>'
        '<imsss:objectives><imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">'
        "<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>"
        '<imsss:mapInfo targetObjectiveID="g"/></imsss:primaryObjective></imsss:objectives>'
        "</imsss:sequencing></item>"
    ),
    resources='<resource identifier="R1" type="webcontent" adlcp:scormType="sco" href="a.html"/>',
)


def test_the_sequenced_sample_parses():
    item = parse_manifest(data=SEQUENCED).first_launchable()

    assert item.completion_threshold.cmi_value == 0.5
    assert item.sequencing.limit_conditions.attempt_limit == 3
    assert item.sequencing.primary_objective.min_normalized_measure == 0.6
    assert item.sequencing.objective_ids == ("p",)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.binary(max_size=3)), min_size=1, max_size=6))
def test_damaged_manifests_only_ever_raise_manifest_error(edits):
    data = bytearray(SEQUENCED)
    for position, replacement in edits:
        index = position % len(data)
        data[index : index + 1] = replacement

    try:
        manifest = parse_manifest(data=bytes(data))
    except ManifestError as error:
        assert error.messages
    else:
        assert manifest.launchable_items()
