from courses.models.enrolment import Enrolment, LessonProgress
from courses.models.pages import CatalogueIndexPage, CoursePage, LessonPage, ModulePage
from courses.models.scorm import (
    ScormAttempt,
    ScormGlobalObjective,
    ScormInteraction,
    ScormObjective,
    ScormPackage,
    ScormPackageVersion,
    ScormSequencing,
    ScormSharedData,
)
from courses.models.taxonomy import ThematicArea

__all__ = [
    "CatalogueIndexPage",
    "CoursePage",
    "Enrolment",
    "LessonPage",
    "LessonProgress",
    "ModulePage",
    "ScormAttempt",
    "ScormGlobalObjective",
    "ScormInteraction",
    "ScormObjective",
    "ScormPackage",
    "ScormPackageVersion",
    "ScormSequencing",
    "ScormSharedData",
    "ThematicArea",
]
