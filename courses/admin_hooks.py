"""Wagtail admin of courses: thematic areas, and importing a ToT curriculum file.

(SCORM packages have their own admin in courses/wagtail_hooks.py.)
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.imports import curriculum_import_file
from courses.models import CatalogueIndexPage, ThematicArea
from courses.similarity import similar_to_course
from lms.exceptions import ServiceError
from lms.roles import CMS_ROLES


def _may_import(user) -> bool:
    return user.is_superuser or any(user.has_role(role) for role in CMS_ROLES)


class CurriculumUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Curriculum file (YAML)"),
        help_text=_("The format is described in courses/CURRICULUM_FORMAT.md."),
    )
    publish = forms.BooleanField(
        label=_("Publish at once"),
        required=False,
        help_text=_("Otherwise the pages are drafts that go through review."),
    )

    def __init__(self, *args, can_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.CURRICULUM_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.CURRICULUM_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def curriculum_import_view(request):
    if not _may_import(request.user):
        raise PermissionDenied
    catalogue = CatalogueIndexPage.objects.first()
    can_publish = (
        bool(catalogue) and catalogue.permissions_for_user(request.user).can_publish_subpage()
    )
    form = CurriculumUploadForm(
        request.POST or None, request.FILES or None, can_publish=can_publish
    )
    context = {"form": form, "errors": None, "result": None}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = curriculum_import_file(
                data=upload.read(),
                filename=upload.name,
                user=request.user,
                publish=form.cleaned_data.get("publish", False),
            )
        except ServiceError as error:
            context["errors"] = error
        else:
            context["result"] = result
            context["similar"] = similar_to_course(course=result.course)
    return TemplateResponse(request, "courses/admin/curriculum_import.html", context)


@hooks.register("register_admin_urls")
def register_curriculum_urls():
    return [path("curriculum/import/", curriculum_import_view, name="courses_curriculum_import")]


class CurriculumMenuItem(MenuItem):
    def is_shown(self, request):
        return _may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_curriculum_menu_item():
    return CurriculumMenuItem(
        _("Import a curriculum"),
        reverse("courses_curriculum_import"),
        name="curriculum-import",
        icon_name="upload",
        order=440,
    )


class ThematicAreaViewSet(SnippetViewSet):
    model = ThematicArea
    icon = "tag"
    menu_label = _("Thematic areas")
    menu_order = 430
    add_to_admin_menu = True
    list_display = ["name", "name_ur", "slug"]
    search_fields = ["name", "name_ur"]


register_snippet(ThematicAreaViewSet)
