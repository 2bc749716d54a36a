"""The page tree: where each page type may be created, and who may author and publish."""

import pytest
from wagtail.models import Page, WorkflowPage

from courses.models import CatalogueIndexPage, CoursePage, LessonPage, ModulePage
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_catalogue_exists_after_migrate_at_courses():
    catalogue = CatalogueIndexPage.objects.get()

    assert catalogue.url == "/courses/"
    assert catalogue.live


def test_each_page_type_only_goes_where_it_belongs():
    assert CoursePage.can_create_at(CatalogueIndexPage.objects.get())
    assert not CoursePage.can_create_at(Page.objects.get(depth=2))
    assert ModulePage.allowed_parent_page_models() == [CoursePage]
    assert LessonPage.allowed_parent_page_models() == [ModulePage]
    assert LessonPage.allowed_subpage_models() == []


def test_trainers_draft_and_reviewers_publish_under_the_catalogue():
    catalogue = CatalogueIndexPage.objects.get()
    trainer = UserFactory(roles=[Role.TRAINER])
    reviewer = UserFactory(roles=[Role.REVIEWER])
    officer = UserFactory(roles=[Role.OFFICER])

    trainer_perms = catalogue.permissions_for_user(trainer)
    reviewer_perms = catalogue.permissions_for_user(reviewer)

    assert trainer_perms.can_add_subpage()
    assert not trainer_perms.can_publish_subpage()
    assert reviewer_perms.can_publish_subpage()
    assert not catalogue.permissions_for_user(officer).can_add_subpage()


def test_courses_go_through_the_review_workflow():
    course = course_create(modules=1, lessons=1)

    workflow = course.get_workflow()

    assert workflow is not None
    assert workflow.name == "Course review"
    assert WorkflowPage.objects.filter(page=CatalogueIndexPage.objects.get()).exists()
    task = workflow.tasks.get().specific
    assert {group.name for group in task.groups.all()} >= {Role.REVIEWER.value}


def test_a_trainer_submits_and_a_reviewer_approves_which_publishes():
    trainer = UserFactory(roles=[Role.TRAINER])
    reviewer = UserFactory(roles=[Role.REVIEWER])
    course = course_create(modules=1, lessons=1, publish=False)
    course.save_revision(user=trainer)

    workflow_state = course.get_workflow().start(course, trainer)
    task_state = workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")

    course.refresh_from_db()
    assert course.live


def test_a_course_with_a_key_method_needs_a_key():
    from django.core.exceptions import ValidationError

    course = CoursePage(title="X", code="TST-X-1", summary="s", enrolment_method="key")

    with pytest.raises(ValidationError) as error:
        course.clean()
    assert "enrolment_key" in error.value.message_dict


@pytest.mark.parametrize("code", ["fia-thb-101", "FIA", "FIA THB 101", "FIA-THB-101-X-Y-Z"])
def test_course_codes_have_a_fixed_shape(code):
    from django.core.exceptions import ValidationError

    from courses.models.pages import COURSE_CODE

    with pytest.raises(ValidationError):
        COURSE_CODE(code)
