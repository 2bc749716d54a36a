"""Quizzes and question banks in the Wagtail admin.

Quizzes are snippets (Snippets → Quizzes) with their slots inline; trainers build the
quizzes of the courses they train (administrators every quiz): the list shows only those,
another course's quiz is a 404, and a slot's question or category comes from the bank of
the quiz's course. The quiz chooser of a lesson's quiz block offers the same quizzes.
Question banks (menu "Question banks") list a course's questions and edit them (a new
version when attempts have seen the current one)."""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser as chooser_views
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from assessments import admin_views, selectors
from assessments.forms import QuizAdminForm
from assessments.models import Quiz
from lms.roles import Role


class QuizPermissionPolicy(ModelPermissionPolicy):
    """Administrators by their model permissions; trainers for the quizzes of the courses
    they train (the trainer role carries no model permission on quizzes)."""

    def _trainer(self, user) -> bool:
        return user.is_active and user.has_role(Role.TRAINER)

    def user_has_permission(self, user, action):
        return super().user_has_permission(user, action) or (
            self._trainer(user) and action in ("add", "change", "delete", "view")
        )

    def user_has_permission_for_instance(self, user, action, instance):
        if super().user_has_permission(user, action):
            return True
        return self.user_has_permission(user, action) and selectors.can_manage_course(
            user=user, course=instance.course
        )

    def instances_user_has_permission_for(self, user, action):
        if super().user_has_permission(user, action):
            return Quiz.objects.all()
        if not self.user_has_permission(user, action):
            return Quiz.objects.none()
        return Quiz.objects.filter(course__in=selectors.managed_courses(user=user))


register_permission_policy(Quiz, QuizPermissionPolicy(Quiz))


def quizzes_for_user(user):
    """The quizzes the user builds and places in lessons: every quiz for administrators,
    the quizzes of the courses they train for trainers, none for anyone else."""
    return QuizPermissionPolicy(Quiz).instances_user_has_permission_for(user, "change")


class _OwnQuizMixin:
    """Another course's quiz does not exist for a trainer (404)."""

    def get_object(self, *args, **kwargs):
        quiz = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", quiz
        ):
            raise Http404
        return quiz


class QuizEditView(_OwnQuizMixin, snippet_views.EditView):
    pass


class QuizDeleteView(_OwnQuizMixin, snippet_views.DeleteView):
    pass


class QuizHistoryView(_OwnQuizMixin, snippet_views.HistoryView):
    pass


class QuizUsageView(_OwnQuizMixin, snippet_views.UsageView):
    pass


# --- The quiz chooser (the lesson's quiz block) ---------------------------------------------
class _OwnQuizzesChooserMixin:
    """Only the quizzes the user manages are offered; another one is a 404 when chosen."""

    def get_object_list(self):
        return quizzes_for_user(self.request.user).select_related("course")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("course", label=_("Course"), accessor=lambda quiz: quiz.course.code),
        ]


class QuizChooseView(_OwnQuizzesChooserMixin, chooser_views.ChooseView):
    pass


class QuizChooseResultsView(_OwnQuizzesChooserMixin, chooser_views.ChooseResultsView):
    pass


class QuizChosenView(chooser_views.SnippetChosenView):
    def get_object(self, pk):
        return quizzes_for_user(self.request.user).get(pk=pk)


class QuizChosenMultipleView(chooser_views.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return quizzes_for_user(self.request.user).filter(pk__in=pks)


class QuizChooserViewSet(SnippetChooserViewSet):
    choose_view_class = QuizChooseView
    choose_results_view_class = QuizChooseResultsView
    chosen_view_class = QuizChosenView
    chosen_multiple_view_class = QuizChosenMultipleView


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "course", "time_limit_minutes", "attempts_allowed"]
    list_filter = ["course"]
    search_fields = ["title"]
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizAdminForm)
    edit_view_class = QuizEditView
    delete_view_class = QuizDeleteView
    history_view_class = QuizHistoryView
    usage_view_class = QuizUsageView
    chooser_viewset_class = QuizChooserViewSet

    def get_queryset(self, request):
        return quizzes_for_user(request.user)


register_snippet(QuizViewSet)


# --- Question banks ------------------------------------------------------------------------
@hooks.register("register_admin_urls")
def register_question_bank_urls():
    return [
        path("question-banks/", admin_views.question_banks, name="assessments_question_banks"),
        path(
            "question-banks/<int:course_id>/",
            admin_views.question_bank,
            name="assessments_question_bank",
        ),
        path(
            "question-banks/questions/<int:question_id>/",
            admin_views.question_edit,
            name="assessments_question_edit",
        ),
    ]


class QuestionBankMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_use_banks(request.user)


@hooks.register("register_admin_menu_item")
def register_question_bank_menu_item():
    return QuestionBankMenuItem(
        _("Question banks"),
        reverse("assessments_question_banks"),
        name="question-banks",
        icon_name="help",
        order=310,
    )
