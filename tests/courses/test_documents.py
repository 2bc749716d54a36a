"""A lesson's documents are served to the course's readers only (Wagtail serves any
document to anyone with its link); private media is not served by the development server."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import clear_url_caches
from wagtail.documents import get_document_model
from wagtail.models import Page

from courses.models import Enrolment
from courses.services import enrolment_create
from lms.roles import Role
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Document = get_document_model()


def _document(title: str = "Handout") -> Document:
    return Document.objects.create(
        title=title, file=ContentFile(b"%PDF-1.4 handout", name=f"{title.lower()}.pdf")
    )


def _attach(page: Page, document: Document, *, rich_text: bool = False) -> None:
    page = page.specific
    if rich_text:
        link = f'<p>See <a linktype="document" id="{document.pk}">the handout</a>.</p>'
        page.body = [("paragraph", link)]
    else:
        page.body = [("document", {"document": document, "description": "Read first"})]
    page.save_revision().publish()


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def course_document():
    course = course_create(modules=1, lessons=1)
    document = _document()
    _attach(lessons_of(course)[0], document)
    return course, document


def test_course_readers_download_a_lessons_document(course_document):
    # given a document in a lesson of a course
    course, document = course_document
    learner = UserFactory(roles=[Role.OFFICER])
    enrolment_create(user=learner, course=course)
    trainer = UserFactory(roles=[Role.TRAINER])
    reviewer = UserFactory(roles=[Role.REVIEWER])
    # when its readers download it, then they get the file
    for user in (learner, trainer, reviewer):
        response = _client(user).get(document.url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == b"%PDF-1.4 handout"


def test_others_do_not_learn_the_document_exists(course_document):
    # given a document in a lesson and an officer of another course
    course, document = course_document
    other_course = course_create(modules=1, lessons=1, code="TST-OTHER")
    outsider = UserFactory(roles=[Role.OFFICER])
    enrolment_create(user=outsider, course=other_course)
    withdrawn = UserFactory(roles=[Role.OFFICER])
    enrolment_create(user=withdrawn, course=course)
    Enrolment.objects.filter(user=withdrawn).update(status=Enrolment.Status.WITHDRAWN)
    # when they ask for it, then it is not there (404), and anonymous visitors sign in
    assert _client(outsider).get(document.url).status_code == 404
    assert _client(withdrawn).get(document.url).status_code == 404
    anonymous = _client().get(document.url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/documents/")


def test_rich_text_document_links_count_as_use():
    # given a document linked from a lesson's rich text only
    course = course_create(modules=1, lessons=1)
    document = _document("Linked")
    _attach(lessons_of(course)[0], document, rich_text=True)
    learner, outsider = UserFactory(roles=[Role.OFFICER]), UserFactory(roles=[Role.OFFICER])
    enrolment_create(user=learner, course=course)
    # then the learner downloads it and the outsider does not see it
    assert _client(learner).get(document.url).status_code == 200
    assert _client(outsider).get(document.url).status_code == 404


def test_an_unused_document_is_for_the_library_users_only():
    document = _document("Draft")
    officer = UserFactory(roles=[Role.OFFICER])
    trainer = UserFactory(roles=[Role.TRAINER])
    assert _client(officer).get(document.url).status_code == 404
    assert _client(trainer).get(document.url).status_code == 200


@pytest.fixture
def debug_urls(settings, tmp_path):
    import importlib

    import lms.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


def test_development_server_serves_public_media_only(debug_urls, tmp_path):
    # given files in the public and private parts of MEDIA_ROOT
    for folder in ("images", "original_images", "scorm/1/1", "certificates/2026", "documents"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "file.txt").write_text(folder)
    client = _client()
    # then image renditions and originals are served, the rest is not
    assert client.get("/media/images/file.txt").status_code == 200
    assert client.get("/media/original_images/file.txt").status_code == 200
    for private in ("scorm/1/1", "certificates/2026", "documents"):
        assert client.get(f"/media/{private}/file.txt").status_code == 404, private
