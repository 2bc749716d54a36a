"""Wagtail hooks: the SCORM packages page (upload a zip to a course, see its packages) and
who may download a document (:mod:`courses.documents`)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses import documents
from courses.scorm import admin_views
from lms.roles import Role


@hooks.register("register_admin_urls")
def register_scorm_urls():
    return [path("scorm/", admin_views.scorm_packages, name="courses_scorm_packages")]


class ScormMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(Role.TRAINER)


@hooks.register("register_admin_menu_item")
def register_scorm_menu_item():
    return ScormMenuItem(
        _("SCORM packages"),
        reverse("courses_scorm_packages"),
        name="scorm-packages",
        icon_name="code",
        order=450,
    )


hooks.register("before_serve_document", documents.before_serve_document)
