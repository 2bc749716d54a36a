"""What benchmark data a database holds, found by its markers (`bench-…` users, `BEN-…`
courses and organisations): `counts` for the command's closing summary, and `reset`, which
removes it all, the big tables without the ORM's collector.
"""

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Q
from wagtail.models import Page

from assessments.models import ManualGrade, Question, QuestionCategory, Quiz, QuizAttempt, QuizSlot
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from courses.services import site_structure_ensure
from lms.models import Organisation, User
from scheduling.models import Training
from trainers.models import Certificate


def reset() -> None:
    with transaction.atomic():
        courses = CoursePage.objects.filter(code__startswith="BEN-")
        users = User.objects.filter(username__startswith="bench-")
        Certificate.objects.filter(Q(course__in=courses) | Q(user__in=users)).delete()
        Training.objects.filter(
            Q(organiser__short_name__startswith="BEN-") | Q(course__in=courses)
        ).delete()
        # The big tables go first, without the ORM's collector (which would load rows).
        ManualGrade.objects.filter(attempt__quiz__course__in=courses).delete()
        for queryset in (
            QuizAttempt.objects.filter(quiz__course__in=courses),
            LessonProgress.objects.filter(course__in=courses),
            Enrolment.objects.filter(course__in=courses),
        ):
            queryset._raw_delete(queryset.db)
        # Slots protect their questions, and questions their categories: in that order.
        QuizSlot.objects.filter(quiz__course__in=courses).delete()
        Quiz.objects.filter(course__in=courses).delete()
        Question.objects.filter(course__in=courses).delete()
        QuestionCategory.objects.filter(course__in=courses, parent__isnull=False).delete()
        QuestionCategory.objects.filter(course__in=courses).delete()
        catalogue = site_structure_ensure()
        roots = set(courses.values_list("path", flat=True))
        prefix = len(catalogue.path) + Page.steplen
        pages = [
            pk
            for pk, path in Page.objects.filter(path__startswith=catalogue.path).values_list(
                "pk", "path"
            )
            if path[:prefix] in roots
        ]
        for start in range(0, len(pages), 5_000):
            Page.objects.filter(pk__in=pages[start : start + 5_000]).delete()
        users.delete()
        Organisation.objects.filter(short_name__startswith="BEN-").delete()
        Session.objects.filter(session_key__startswith="bench").delete()
        catalogue.numchild = Page.objects.child_of(catalogue).count()
        catalogue.save(update_fields=["numchild"])


def counts() -> dict[str, int]:
    """How much benchmark data there is: users, courses, lessons, enrolments, quiz responses
    (the slots of every finished attempt), trainings and certificates."""
    quizzes = Quiz.objects.filter(course__code__startswith="BEN-")
    slots = dict(quizzes.annotate(n=Count("slots")).values_list("pk", "n"))
    responses = sum(
        slots[quiz_id] * n
        for quiz_id, n in QuizAttempt.objects.filter(
            quiz__in=quizzes, state=QuizAttempt.State.FINISHED
        )
        .values("quiz")
        .annotate(n=Count("pk"))
        .values_list("quiz", "n")
    )
    return {
        "users": User.objects.filter(username__startswith="bench-").count(),
        "courses": CoursePage.objects.filter(code__startswith="BEN-").count(),
        "lessons": LessonPage.objects.filter(url_path__contains="/ben-").count(),
        "enrolments": Enrolment.objects.filter(course__code__startswith="BEN-").count(),
        "responses": responses,
        "trainings": Training.objects.filter(organiser__short_name__startswith="BEN-").count(),
        "certificates": Certificate.objects.filter(course__code__startswith="BEN-").count(),
    }
