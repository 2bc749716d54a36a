"""Who may see and manage what: quizzes, attempts and course banks."""

from __future__ import annotations

from django.http import Http404

from assessments.models import Quiz, QuizAttempt
from courses.models import CoursePage, Enrolment
from courses.selectors import course_access
from lms.roles import Role


def can_manage_course(*, user, course: CoursePage) -> bool:
    """Trainer of the course (active enrolment as trainer) or administrator."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return Enrolment.objects.filter(
        user=user,
        course=course,
        role=Enrolment.Role.TRAINER,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
    ).exists()


def can_manage_quiz(*, user, quiz: Quiz) -> bool:
    return can_manage_course(user=user, course=quiz.course)


def quiz_for(*, user, quiz_id: int) -> tuple[Quiz, bool]:
    """The quiz and whether the user manages it; 404 unless enrolled or managing."""
    quiz = Quiz.objects.select_related("course").filter(pk=quiz_id).first()
    if quiz is None or not user.is_authenticated:
        raise Http404
    manages = can_manage_quiz(user=user, quiz=quiz)
    if not manages and not course_access(user=user, course=quiz.course).can_read:
        raise Http404
    return quiz, manages


def attempt_for(*, user, attempt_id: int, manage_ok: bool = True) -> tuple[QuizAttempt, bool]:
    """The attempt for its owner (or a trainer of the course when ``manage_ok``); 404 else.

    Read with its quiz only: its owner is the user asking (the usual case: a learner's
    own attempt page); the course and the learner are read only for someone else's."""
    attempt = QuizAttempt.objects.select_related("quiz").filter(pk=attempt_id).order_by().first()
    if attempt is None or not user.is_authenticated:
        raise Http404
    if attempt.user_id == user.pk:
        attempt.user = user
        return attempt, False
    if manage_ok and can_manage_quiz(user=user, quiz=attempt.quiz):
        return attempt, True
    raise Http404


def attempt_of_owner(*, user, attempt_id: int) -> QuizAttempt:
    """The user's own attempt, for the services that lock it and read it again (autosave,
    page navigation, submit): only what they check before that (owner, state, deadline) is
    read here; 404 for anyone else's."""
    attempt = (
        QuizAttempt.objects.only("pk", "quiz_id", "user_id", "state", "deadline")
        .filter(pk=attempt_id, user_id=user.pk)
        .order_by()  # (the default order by quiz and user would join them)
        .first()
    )
    if attempt is None or not user.is_authenticated:
        raise Http404
    return attempt


def course_by_code(*, code: str) -> CoursePage:
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise Http404
    return course


def managed_course(*, user, code: str) -> CoursePage:
    """The course, for its trainers and administrators; 404 for everyone else."""
    course = course_by_code(code=code)
    if not can_manage_course(user=user, course=course):
        if course_access(user=user, course=course).can_read:
            from lms.exceptions import NotAllowed

            raise NotAllowed("Only the course's trainers and administrators can do this.")
        raise Http404
    return course


def managed_courses(*, user):
    """The courses whose banks and quizzes the user manages: every course for
    administrators, the courses they train for trainers, none for anyone else."""
    courses = CoursePage.objects.order_by("code")
    if not user.is_authenticated:
        return courses.none()
    if user.is_superuser or user.has_role(Role.ADMIN):
        return courses
    return courses.filter(
        pk__in=Enrolment.objects.filter(
            user=user,
            role=Enrolment.Role.TRAINER,
            status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
        ).values("course_id")
    )
