"""Who may download a Wagtail document (a lesson's handout, a rich-text document link).

Wagtail serves every document to anyone who has its link. Documents live in module and
lesson bodies (course content), so here a document is served to:
- people who may work with the document library in /cms/ (they list it there anyway);
- readers of a course whose pages use it (learners, its trainers, Academy staff), found
  through Wagtail's reference index, which records the documents each page's body uses;
Anyone else gets 404 (hidden, as any object one may not know about), and an anonymous
visitor is sent to sign in first. Registered as Wagtail's ``before_serve_document`` hook.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from wagtail.documents import get_document_model
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from courses.models import CoursePage
from courses.selectors import course_access

LIBRARY_ACTIONS = ("add", "change", "choose")


def pages_using(document) -> list[Page]:
    """The pages whose content refers to the document (any revision Wagtail indexed)."""
    page_type = ReferenceIndex._get_base_content_type(Page)
    page_ids = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(document)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    }
    return list(Page.objects.filter(pk__in=page_ids)) if page_ids else []


def may_download(*, user, document) -> bool:
    library = policy_registry.get_by_type(get_document_model())
    if user.is_authenticated and library.user_has_any_permission(user, LIBRARY_ACTIONS):
        return True
    courses: dict[int, CoursePage] = {}
    for page in pages_using(document):
        course = CoursePage.objects.ancestor_of(page, inclusive=True).first()
        if course is not None:
            courses[course.pk] = course
    return any(course_access(user=user, course=course).can_read for course in courses.values())


def before_serve_document(document, request: HttpRequest) -> HttpResponse | None:
    if may_download(user=request.user, document=document):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404
