"""Possible duplicates: an obvious near-duplicate is flagged, an unrelated course is not."""

import pytest

from courses.models import ThematicArea
from courses.similarity import similar_courses, similar_to_course
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


def themes(*slugs):
    return [t.pk for t in ThematicArea.objects.filter(slug__in=slugs)]


@pytest.fixture
def catalogue_of_courses():
    return {
        "thb": course_create(
            title="Identifying victims of trafficking at airports",
            code="TST-THB-101",
            summary="Recognise indicators of trafficking in human beings at immigration "
            "counters, interview presumed victims and refer them to protection.",
            learning_objectives="Recognise trafficking indicators\nRefer presumed victims",
            themes=["trafficking-in-human-beings"],
        ),
        "doc": course_create(
            title="Detecting forged passports",
            code="TST-DOC-101",
            summary="Security features of passports, the machine-readable zone and check "
            "digits, and how to spot counterfeit and altered travel documents.",
            themes=["document-fraud"],
        ),
        "cyber": course_create(
            title="Seizing digital evidence",
            code="TST-CYB-101",
            summary="Chain of custody for phones and laptops seized in trafficking cases.",
            themes=["trafficking-in-human-beings", "cybercrime"],
        ),
    }


def test_an_obvious_near_duplicate_is_flagged_with_a_score(catalogue_of_courses):
    found = similar_courses(
        title="Identification of trafficking victims at the airport",
        summary="Indicators of human trafficking at immigration counters; interviewing and "
        "referring presumed victims to protection services.",
        theme_ids=themes("trafficking-in-human-beings"),
    )

    assert [item.course.code for item in found][:1] == ["TST-THB-101"]
    assert found[0].score >= 0.5


def test_an_unrelated_course_in_the_same_area_is_not_flagged(catalogue_of_courses):
    found = similar_courses(
        title="Financial investigation of trafficking networks",
        summary="Following the money: bank records, hawala and asset recovery.",
        theme_ids=themes("trafficking-in-human-beings"),
    )

    assert "TST-THB-101" not in [item.course.code for item in found]
    assert "TST-CYB-101" not in [item.course.code for item in found]


def test_courses_of_other_areas_are_not_compared(catalogue_of_courses):
    found = similar_courses(
        title="Detecting forged passports",
        summary="Security features of passports and check digits.",
        theme_ids=themes("trafficking-in-human-beings"),
    )

    assert "TST-DOC-101" not in [item.course.code for item in found]


def test_a_course_is_not_its_own_duplicate(catalogue_of_courses):
    assert similar_to_course(course=catalogue_of_courses["thb"]) == []
