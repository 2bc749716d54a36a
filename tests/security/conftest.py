"""The "world" of the permission matrix: one course and everything around it, with one user
for each role the platform knows (see tests/security/test_permission_matrix.py).

`build_world()` makes it through the apps' services and the suite's factories. The HTTP
matrix builds it once per test class inside a transaction that is rolled back at the end
(`world`); the WebSocket matrix builds a smaller one in a transactional test, because the
consumers read the database from other threads.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from lms.models import Organisation
from lms.roles import Role
from tests.factories import OrganisationFactory, UserFactory

# Every role of the issue's matrix, in the order the failure tables list them.
ROLES = (
    "anonymous",  # not signed in
    "enrolled",  # officer enrolled in the course (and a confirmed participant of its training)
    "outsider",  # officer not enrolled
    "trainer",  # trainer of the course (and assigned to its training)
    "other_trainer",  # trainer of another course
    "organiser",  # partner coordinator of the organiser of the training
    "other_partner",  # partner coordinator of another partner organisation
    "reviewer",
    "admin",
)

SCORM_SCO = "item_pm"
_SCORM_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pk.gov.fia.academy.permission-matrix" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Permission matrix</title>
      <item identifier="{SCORM_SCO}" identifierref="res_pm"><title>Only page</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_pm" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""


def scorm12_zip() -> bytes:
    """A tiny valid SCORM 1.2 package: a manifest and one page."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _SCORM_MANIFEST)
        archive.writestr(
            "index.html", "<!doctype html><html><title>PM</title><body>SCO</body></html>"
        )
    return buffer.getvalue()


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (no "anonymous")
    cookies: dict = field(default_factory=dict)  # role -> session cookie value
    tokens: dict = field(default_factory=dict)  # role -> API bearer token
    orgs: dict = field(default_factory=dict)
    course: object = None
    other_course: object = None
    module: object = None
    lessons: list = field(default_factory=list)
    training: object = None  # confirmed, organised by orgs["organiser"], with a live session
    proposal: object = None  # proposed by the organiser, waiting for the Academy
    draft: object = None  # the organiser's draft (nobody else's business)
    past: object = None  # confirmed and over: can be recorded as delivered
    session: object = None
    nomination: object = None  # the enrolled officer's, confirmed
    trainer_profile: object = None
    certification: object = None
    cohort: object = None
    job: object = None
    quiz: object = None
    other_quiz: object = None
    attempt_done: object = None  # the enrolled officer's, submitted, with an essay to grade
    attempt_open: object = None  # the enrolled officer's, in progress
    essay_slot: int = 0
    question: object = None
    scorm_package: object = None
    scorm_version: object = None
    scorm_attempt: object = None
    scorm_session: int = 0
    document: object = None
    certificate: object = None
    feed_token: str = ""
    delivery: object = None
    attendance_rule: object = None
    template: object = None
    theme: object = None

    def client(self, role: str, **kwargs) -> Client:
        """A fresh test client signed in as `role` (the session made when the world was)."""
        client = Client(**kwargs)
        if role != "anonymous":
            from django.conf import settings

            client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[role]
        return client

    def auth(self, role: str) -> dict:
        """Headers for the API: a bearer token, or nothing for anonymous."""
        if role == "anonymous":
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[role]}"}


def _people(world: World) -> None:
    world.orgs = {
        "organiser": OrganisationFactory(
            short_name="PMX-A", name="Permission Partner A", kind=Organisation.Kind.PARTNER
        ),
        "other_partner": OrganisationFactory(
            short_name="PMX-B", name="Permission Partner B", kind=Organisation.Kind.PARTNER
        ),
    }
    world.users = {
        "enrolled": UserFactory(username="pm-enrolled", roles=[Role.OFFICER]),
        "outsider": UserFactory(username="pm-outsider", roles=[Role.OFFICER]),
        "trainer": UserFactory(username="pm-trainer", roles=[Role.TRAINER]),
        "other_trainer": UserFactory(username="pm-other-trainer", roles=[Role.TRAINER]),
        "organiser": UserFactory(
            username="pm-organiser", roles=[Role.PARTNER], organisation=world.orgs["organiser"]
        ),
        "other_partner": UserFactory(
            username="pm-other-partner",
            roles=[Role.PARTNER],
            organisation=world.orgs["other_partner"],
        ),
        "reviewer": UserFactory(username="pm-reviewer", roles=[Role.REVIEWER]),
        "admin": UserFactory(username="pm-admin", roles=[Role.ADMIN]),
    }


def _courses(world: World) -> None:
    from courses.models import Enrolment
    from courses.services import enrolment_create
    from tests.courses.factories import course_create, lessons_of

    world.course = course_create(code="PMX-101", title="Permission matrix course", lessons=2)
    world.other_course = course_create(code="PMX-201", title="Another course", lessons=1)
    world.lessons = lessons_of(world.course)
    world.module = world.lessons[0].get_parent().specific
    for user, course, role in (
        (world.users["trainer"], world.course, Enrolment.Role.TRAINER),
        (world.users["other_trainer"], world.other_course, Enrolment.Role.TRAINER),
        (world.users["enrolled"], world.course, Enrolment.Role.LEARNER),
    ):
        enrolment_create(user=user, course=course, role=role, source=Enrolment.Source.BULK)


def _scheduling(world: World) -> None:
    from scheduling.models import Nomination, Training, TrainingSession
    from tests.scheduling.factories import at, training
    from trainers.services.registry import trainer_upsert

    now = timezone.now()
    world.trainer_profile = trainer_upsert(
        full_name="Permission Trainer", country="PK", user=world.users["trainer"]
    )
    organiser = world.orgs["organiser"]
    world.training = training(
        organiser=organiser,
        title="PMX live training",
        course=world.course,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        trainers=[world.trainer_profile],
        proposed_by=world.users["organiser"],
    )
    world.session = TrainingSession.objects.create(
        training=world.training,
        title="Day 1",
        starts_at=now - timedelta(minutes=5),
        duration_minutes=120,
        external_room_url="https://meet.jit.si/pmx-permission-matrix",
    )
    world.nomination = Nomination.objects.create(
        training=world.training, user=world.users["enrolled"], status=Nomination.Status.CONFIRMED
    )
    world.proposal = training(
        organiser=organiser,
        title="PMX proposal",
        status=Training.Status.PROPOSED,
        starts_at=at(days=40),
        proposed_by=world.users["organiser"],
    )
    world.draft = training(
        organiser=organiser,
        title="PMX draft",
        status=Training.Status.DRAFT,
        starts_at=at(days=60),
        proposed_by=world.users["organiser"],
    )
    world.past = training(
        organiser=organiser,
        title="PMX past training",
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=9),
        trainers=[world.trainer_profile],
        proposed_by=world.users["organiser"],
    )


def _assessments(world: World) -> None:
    from assessments import services
    from assessments.models import QuestionVersion
    from tests.assessments.factories import BANK, quiz_create, right_responses

    enrolled = world.users["enrolled"]
    for course in (world.course, world.other_course):
        services.question_import(course=course, data=BANK, fmt="gift", filename="pm.gift")
    world.quiz = quiz_create(course=world.course, names=("Q1 Capital", "Q6 Essay"))
    world.other_quiz = quiz_create(course=world.other_course, names=("Q1 Capital", "Q6 Essay"))
    done = services.attempt_start(quiz=world.quiz, user=enrolled)
    world.attempt_done = services.attempt_submit(
        attempt=done, user=enrolled, responses=right_responses(done)
    )
    kinds = dict(
        QuestionVersion.objects.filter(
            pk__in=[s["version"] for s in done.layout["slots"]]
        ).values_list("pk", "data__qtype")
    )
    world.essay_slot = next(
        s["slot"] for s in done.layout["slots"] if kinds[s["version"]] == "essay"
    )
    world.attempt_open = services.attempt_start(quiz=world.quiz, user=enrolled)
    world.question = world.quiz.slots.order_by("sort_order").first().question


def _scorm(world: World) -> None:
    from courses.scorm import services

    world.scorm_version = services.scorm_package_upload(
        course=world.course, file=io.BytesIO(scorm12_zip()), user=world.users["trainer"]
    )
    world.scorm_package = world.scorm_version.package
    launch = services.scorm_attempt_launch(
        user=world.users["enrolled"], package=world.scorm_package, sco=SCORM_SCO
    )
    world.scorm_attempt = launch.attempt
    world.scorm_session = launch.session


def _trainers(world: World) -> None:
    from courses.models import ThematicArea
    from trainers.models import CertificateIssueJob, CertificateTemplate
    from trainers.services import certificates
    from trainers.services.registry import (
        certification_grant,
        cohort_create,
        delivery_record,
        trainer_upsert,
    )

    world.cohort = cohort_create(
        name="PMX ToT cohort",
        course_title="Training of Trainers",
        place="Islamabad",
        country="PK",
        start_date=date(2025, 10, 6),
        end_date=date(2025, 10, 17),
        hours=60,
        validity_months=36,
    )
    world.certification = certification_grant(trainer=world.trainer_profile, cohort=world.cohort)
    trainer_upsert(full_name="Other Trainer", country="PK", user=world.users["other_trainer"])
    world.delivery = delivery_record(
        trainer=world.trainer_profile,
        title="PMX cascade",
        start_date=date(2026, 1, 5),
        end_date=date(2026, 1, 7),
        participants_reached=12,
        source="pmx:1",
    )
    world.certificate = certificates.certificate_issue(
        kind="course", user=world.users["enrolled"], course=world.course, notify=False
    )
    world.job = CertificateIssueJob.objects.create(
        cohort=world.cohort, requested_by=world.users["admin"]
    )
    world.template = CertificateTemplate.objects.order_by("pk").first()
    world.theme = ThematicArea.objects.order_by("pk").first()


def _misc(world: World) -> None:
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from live.models import CourseAttendanceRule
    from scheduling.services import calendar_feed_get

    world.document = get_document_model().objects.create(
        title="PMX handout", file=ContentFile(b"%PDF-1.4 handout", name="pmx-handout.pdf")
    )
    lesson = world.lessons[-1].specific  # the handout is given in the course's last lesson
    lesson.body.append(("document", {"document": world.document, "description": ""}))
    lesson.save_revision().publish()

    world.feed_token = calendar_feed_get(user=world.users["enrolled"]).token
    world.attendance_rule = CourseAttendanceRule.objects.create(course=world.course, min_sessions=1)


def _sign_in(world: World) -> None:
    from django.conf import settings

    from lms.services import api_token_issue

    for role, user in world.users.items():
        client = Client()
        client.force_login(user)
        world.cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        world.tokens[role] = api_token_issue(user=user, name="permission matrix")


def build_world(*, full: bool = True) -> World:
    """The world; `full=False` makes only people, the course and the live training (what
    the WebSocket routes need)."""
    world = World()
    with TestCase.captureOnCommitCallbacks(execute=True):
        _people(world)
        _courses(world)
        _scheduling(world)
        if full:
            _assessments(world)
            _scorm(world)
            _trainers(world)
            _misc(world)
        _sign_in(world)
    return world


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The full world, built once per test class in a transaction rolled back afterwards;
    each test's own changes are rolled back by the `db` fixture it also uses. Uploaded and
    rendered files go to a temporary MEDIA_ROOT."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("pm-media"))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        media.disable()
