"""The permission matrix: every route x every role → the answer it must get.

Routes are discovered, not listed by hand: the URL resolver (pages), the OpenAPI schema
(API operations) and the WebSocket router. A discovered route without an entry in the
tables below fails `test_every_route_has_an_expectation`, so a new route cannot be
forgotten; an entry for a route that no longer exists fails too.

The expected answers follow the platform's rules (shared/API.md, shared/DESIGN.md): an
object a user may not know about answers 404 ("hidden"), never 403; 403 ("forbidden") is
for an object the user can see but an action they may not take; pages that need a sign-in
send anonymous visitors to it and the API answers them 401 ("login").

Outcome classes of an HTTP answer:
- ok: 2xx, or a redirect that is neither to the sign-in page nor a refusal
- login: 401, or a redirect to the sign-in page (/accounts/login/)
- refused: a redirect carrying an error message (a web form's "you may not"), or a GET
  redirect that carries any message (e.g. a lesson sends a non-participant to its course)
- hidden: 404 · forbidden: 403 · method: 405 · invalid: 400 · conflict: 409
Each request runs in a transaction rolled back after it, so that no role sees another's
changes. The world (tests/security/conftest.py) is built once for the class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import PASSWORD
from tests.security.conftest import ROLES, SCORM_SCO, World, build_world, scorm12_zip

APPS = ("lms", "courses", "assessments", "trainers", "scheduling", "live")
COURSE_READERS = ("enrolled", "trainer", "reviewer", "admin")
COURSE_MANAGERS = ("trainer", "admin")
CLASSROOM = ("enrolled", "trainer", "reviewer", "admin")
PARTNERS = ("organiser", "other_partner")
CMS_USERS = ("trainer", "other_trainer", "reviewer", "admin")


# --- Expectations ------------------------------------------------------------------------
def roles(default: str, *, anonymous: str = "login", **special: str) -> dict[str, str]:
    """Every role gets `default`, anonymous `anonymous`, and the named roles their own."""
    unknown = set(special) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {"anonymous": anonymous, **dict.fromkeys(ROLES[1:], default), **special}


def only(*allowed: str, others: str = "hidden", anonymous: str = "login", **special: str):
    """`allowed` get ok, everyone else `others` (404 by default), with exceptions."""
    return roles(others, anonymous=anonymous, **dict.fromkeys(allowed, "ok"), **special)


EVERYONE = roles("ok", anonymous="ok")
SIGNED_IN = roles("ok")
# A course's management pages: its trainers and administrators. Those who read the course
# (its learners, reviewers) know it and are refused; to anyone else it is not there.
MANAGE_COURSE = only(*COURSE_MANAGERS, enrolled="forbidden", reviewer="forbidden")


@dataclass(frozen=True)
class Call:
    """How to call a route for the matrix, and what each role must get."""

    method: str
    url: Callable[[World], str]
    expect: dict[str, str]
    data: Callable[[World, str], dict] | None = None
    body: str = "form"  # form | json | multipart


def _get(url, expect, **kwargs) -> Call:
    return Call("GET", url, expect, **kwargs)


def _post(url, expect, data=None, body="form") -> Call:
    return Call("POST", url, expect, data=data, body=body)


def _c(w: World) -> str:
    return w.course.code


def _scorm_token(w: World) -> str:
    """A valid content token of the enrolled officer (courses.scorm.content)."""
    from courses.scorm.content import content_token_create

    return content_token_create(
        user_id=w.users["enrolled"].pk,
        version_id=w.scorm_version.pk,
        platform_origin="http://testserver",
    )


# Pages, keyed by URL name (a "[variant]" suffix for another call of the same route).
PAGES: dict[str, Call] = {
    # lms
    "home": _get(lambda w: "/", EVERYONE),
    "dashboard": _get(lambda w: "/dashboard/", SIGNED_IN),
    "login": _get(lambda w: "/accounts/login/", EVERYONE),
    # Without a pending sign-in there is no second step: back to the sign-in page.
    "two_factor_verify": _get(lambda w: "/accounts/two-factor/", roles("login")),
    # Two-factor sign-in is for staff roles; officers have no such page.
    "account_security": _get(
        lambda w: "/accounts/security/",
        only("trainer", "other_trainer", "organiser", "other_partner", "reviewer", "admin"),
    ),
    "logout": _post(lambda w: "/accounts/logout/", EVERYONE),
    "logout[GET]": _get(lambda w: "/accounts/logout/", roles("method", anonymous="method")),
    "password_change": _get(lambda w: "/accounts/password_change/", SIGNED_IN),
    "password_change_done": _get(lambda w: "/accounts/password_change/done/", SIGNED_IN),
    "password_reset": _get(lambda w: "/accounts/password_reset/", EVERYONE),
    "password_reset_done": _get(lambda w: "/accounts/password_reset/done/", EVERYONE),
    "password_reset_confirm": _get(lambda w: "/accounts/reset/MQ/bad-token/", EVERYONE),
    "password_reset_complete": _get(lambda w: "/accounts/reset/done/", EVERYONE),
    "notifications": _get(lambda w: "/notifications/", SIGNED_IN),
    "language_switch": _post(
        lambda w: "/language/", EVERYONE, data=lambda w, r: {"language": "en", "next": "/"}
    ),
    # The course tree (Wagtail's page serving): the catalogue and a published course are
    # public; modules and lessons are for participants and Academy staff.
    "page:catalogue": _get(lambda w: w.course.get_parent().url, EVERYONE),
    "page:course": _get(lambda w: w.course.url, EVERYONE),
    "page:module": _get(lambda w: w.module.url, only(*COURSE_READERS, others="refused")),
    "page:lesson": _get(lambda w: w.lessons[0].url, only(*COURSE_READERS, others="refused")),
    # courses: self-enrolment in an open, published course is anyone's who is signed in
    "courses:enrol": _post(lambda w: f"/learn/{_c(w)}/enrol/", SIGNED_IN),
    "courses:unenrol": _post(lambda w: f"/learn/{_c(w)}/unenrol/", SIGNED_IN),
    "courses:participants": _get(lambda w: f"/learn/{_c(w)}/participants/", MANAGE_COURSE),
    "courses:completion_csv": _get(lambda w: f"/learn/{_c(w)}/completion.csv", MANAGE_COURSE),
    "courses:scorm_player": _get(
        lambda w: f"/learn/{_c(w)}/scorm/{w.scorm_package.pk}/", only(*COURSE_READERS)
    ),
    "courses:scorm_report": _get(
        lambda w: f"/learn/{_c(w)}/scorm/{w.scorm_package.pk}/report/", MANAGE_COURSE
    ),
    "courses:scorm_launch": _post(
        lambda w: f"/learn/scorm/{w.scorm_package.pk}/launch",
        only(*COURSE_READERS),
        data=lambda w, r: {"sco": SCORM_SCO},
        body="json",
    ),
    # The enrolled officer's attempt: only its owner commits to it.
    "courses:scorm_commit": _post(
        lambda w: f"/learn/scorm/attempts/{w.scorm_attempt.pk}/commit",
        only("enrolled"),
        data=lambda w, r: {
            "session": w.scorm_session,
            "commits": [{"seq": 1, "values": [["cmi.core.lesson_location", "p2"]]}],
        },
        body="json",
    ),
    "scorm_content": _get(
        lambda w: f"/scorm-content/{w.scorm_version.pk}/index.html",
        only(*COURSE_READERS, anonymous="hidden"),
    ),
    "scorm_runtime": _get(
        lambda w: f"/scorm-content/{w.scorm_version.pk}/__lms__/runtime.html",
        only(*COURSE_READERS, anonymous="hidden"),
    ),
    # Token addresses answer only on SCORM_CONTENT_ORIGIN's host, where the token (not the
    # session) decides (tests/courses/test_scorm_content.py); on the platform's host: none.
    "scorm_token_content": _get(
        lambda w: f"/scorm-content/t/{_scorm_token(w)}/index.html",
        roles("hidden", anonymous="hidden"),
    ),
    "scorm_token_runtime": _get(
        lambda w: f"/scorm-content/t/{_scorm_token(w)}/__lms__/runtime.html",
        roles("hidden", anonymous="hidden"),
    ),
    # assessments
    "assessments:quiz": _get(lambda w: f"/quizzes/{w.quiz.pk}/", only(*COURSE_READERS)),
    # Trainers and staff see the quiz but only enrolled learners attempt it.
    "assessments:start": _post(
        lambda w: f"/quizzes/{w.quiz.pk}/start/",
        only("enrolled", trainer="refused", reviewer="refused", admin="refused"),
    ),
    "assessments:grading": _get(lambda w: f"/quizzes/{w.quiz.pk}/grading/", only(*COURSE_MANAGERS)),
    "assessments:grading[POST]": _post(
        lambda w: f"/quizzes/{w.quiz.pk}/grading/",
        only(*COURSE_MANAGERS),
        data=lambda w, r: {"attempt": w.attempt_done.pk, "slot": w.essay_slot, "mark": "1"},
    ),
    "assessments:attempt": _get(
        lambda w: f"/quizzes/attempts/{w.attempt_done.pk}/", only("enrolled", *COURSE_MANAGERS)
    ),
    "assessments:navigate": _post(
        lambda w: f"/quizzes/attempts/{w.attempt_open.pk}/page/",
        only("enrolled"),
        data=lambda w, r: {"goto": "0"},
    ),
    "assessments:submit": _post(
        lambda w: f"/quizzes/attempts/{w.attempt_open.pk}/submit/", only("enrolled")
    ),
    "assessments:gradebook": _get(lambda w: f"/quizzes/courses/{_c(w)}/gradebook/", MANAGE_COURSE),
    "assessments:import": _get(lambda w: f"/quizzes/courses/{_c(w)}/questions/", MANAGE_COURSE),
    # trainers: the registry is for everyone signed in; changes for administrators
    "trainers:registry": _get(lambda w: "/trainers/", SIGNED_IN),
    "trainers:registry_export_csv": _get(lambda w: "/trainers/export.csv", SIGNED_IN),
    "trainers:registry_export_xlsx": _get(lambda w: "/trainers/export.xlsx", SIGNED_IN),
    "trainers:me": _get(lambda w: "/trainers/me/", only("trainer", "other_trainer")),
    "trainers:summary": _get(lambda w: "/trainers/summary/", SIGNED_IN),
    "trainers:import": _get(lambda w: "/trainers/import/", only("admin", others="forbidden")),
    "trainers:cohorts": _get(lambda w: "/trainers/cohorts/", SIGNED_IN),
    "trainers:cohort": _get(lambda w: f"/trainers/cohorts/{w.cohort.pk}/", SIGNED_IN),
    "trainers:certification_state": _post(
        lambda w: f"/trainers/certifications/{w.certification.pk}/state/",
        only("admin", others="forbidden"),
        data=lambda w, r: {"state": "suspended", "reason": "matrix"},
    ),
    "trainers:certification_renew": _post(
        lambda w: f"/trainers/certifications/{w.certification.pk}/renew/",
        only("admin", others="forbidden"),
    ),
    "trainers:trainer": _get(lambda w: f"/trainers/{w.trainer_profile.pk}/", SIGNED_IN),
    "trainers:certificates": _get(lambda w: "/trainers/certificates/", SIGNED_IN),
    "trainers:certificates_manage": _get(lambda w: "/trainers/certificates/manage/", only("admin")),
    "trainers:certificate_job": _get(
        lambda w: f"/trainers/certificates/jobs/{w.job.pk}/", only("admin")
    ),
    "trainers:certificate_job_progress": _get(
        lambda w: f"/trainers/certificates/jobs/{w.job.pk}/progress.json", only("admin")
    ),
    "trainers:certificate_detail": _get(
        lambda w: f"/trainers/certificates/{w.certificate.code}/", only("admin")
    ),
    "trainers:certificate_download": _get(
        lambda w: f"/trainers/certificates/{w.certificate.code}/download/",
        only("enrolled", "admin"),
    ),
    "trainers:certificate_revoke": _post(
        lambda w: f"/trainers/certificates/{w.certificate.code}/revoke/",
        only("admin"),
        data=lambda w, r: {"reason": "matrix"},
    ),
    "trainers:certificate_reissue": _post(
        lambda w: f"/trainers/certificates/{w.certificate.code}/reissue/", only("admin")
    ),
    "trainers:cohort_certificates_issue": _post(
        lambda w: f"/trainers/cohorts/{w.cohort.pk}/certificates/issue/", only("admin")
    ),
    "certificate_verify_form": _get(lambda w: "/verify/", EVERYONE),
    "certificate_verify": _get(lambda w: f"/verify/{w.certificate.code}/", EVERYONE),
    # scheduling: the shared calendar is for everyone signed in; the Academy approves,
    # the organiser's coordinators (and administrators) change their trainings
    "scheduling:calendar": _get(lambda w: "/trainings/", SIGNED_IN),
    "scheduling:new": _get(lambda w: "/trainings/new/", only(*PARTNERS, "admin")),
    "scheduling:approvals": _get(lambda w: "/trainings/approvals/", only("reviewer", "admin")),
    "scheduling:export": _get(lambda w: "/trainings/export.csv", SIGNED_IN),
    "scheduling:feeds": _get(lambda w: "/trainings/feeds/", SIGNED_IN),
    # A private feed address is its own key (calendar clients fetch it unsigned).
    "scheduling:feed": _get(lambda w: f"/trainings/feeds/{w.feed_token}.ics", EVERYONE),
    "scheduling:training": _get(lambda w: f"/trainings/{w.training.pk}/", SIGNED_IN),
    "scheduling:edit": _get(
        lambda w: f"/trainings/{w.training.pk}/edit/", only("organiser", "admin")
    ),
    "scheduling:nominations": _get(
        lambda w: f"/trainings/{w.training.pk}/nominations/",
        only("organiser", "trainer", "reviewer", "admin"),
    ),
    # A proposal is on the partners' shared calendar and the Academy's, nobody else's.
    "scheduling:action[approve]": _post(
        lambda w: f"/trainings/{w.proposal.pk}/approve/",
        only("reviewer", "admin", organiser="refused", other_partner="refused"),
    ),
    "scheduling:action[send-back]": _post(
        lambda w: f"/trainings/{w.proposal.pk}/send-back/",
        only("reviewer", "admin", organiser="refused", other_partner="refused"),
        data=lambda w, r: {"note": "matrix"},
    ),
    "scheduling:action[cancel]": _post(
        lambda w: f"/trainings/{w.training.pk}/cancel/",
        only("organiser", "admin", others="refused"),
        data=lambda w, r: {"reason": "matrix"},
    ),
    "scheduling:action[complete]": _post(
        lambda w: f"/trainings/{w.past.pk}/complete/",
        only("organiser", "admin", others="refused"),
        data=lambda w, r: {"participants_reached": "3"},
    ),
    # Someone's nomination: for them and those who may nominate for the training.
    # (The Academy sees every nomination; it is not theirs to withdraw or decline.)
    "scheduling:nomination_action[withdraw]": _post(
        lambda w: f"/trainings/nominations/{w.nomination.pk}/withdraw/",
        only("enrolled", "organiser", "admin", reviewer="refused"),
    ),
    "scheduling:nomination_action[decline]": _post(
        lambda w: f"/trainings/nominations/{w.nomination.pk}/decline/",
        only("organiser", "admin", enrolled="refused", reviewer="refused"),
    ),
    # live: the classroom is for the training's participants, trainers and Academy staff
    "live:classroom": _get(lambda w: f"/live/{w.session.pk}/", only(*CLASSROOM)),
    "live:stage": _get(
        lambda w: f"/live/{w.session.pk}/stage/{w.lessons[0].pk}/", only(*CLASSROOM)
    ),
    "live:room": _get(lambda w: f"/live/{w.session.pk}/room/", only(*CLASSROOM)),
    "live:attendance": _get(
        lambda w: f"/live/{w.session.pk}/attendance/", only("trainer", "admin")
    ),
    "live:training_attendance": _get(
        lambda w: f"/live/trainings/{w.training.pk}/attendance/", only("trainer", "admin")
    ),
    # the API's own pages (its operations are in API below)
    "api:openapi-json": _get(lambda w: "/api/v1/openapi.json", EVERYONE),
    "api:openapi-view": _get(lambda w: "/api/v1/docs", EVERYONE),
    "api:api-root": _get(lambda w: "/api/v1/", roles("hidden", anonymous="hidden")),
    # Wagtail's documents and page-privacy helpers (no such restriction: 404)
    # a lesson's handout: the course's readers, and the document library's users
    "wagtaildocs_serve": _get(lambda w: w.document.url, only(*COURSE_READERS, *CMS_USERS)),
    "wagtaildocs_authenticate_with_password": _get(
        lambda w: "/documents/authenticate_with_password/999999/",
        roles("hidden", anonymous="hidden"),
    ),
    "wagtailcore_authenticate_with_password": _get(
        lambda w: f"/_util/authenticate_with_password/999999/{w.course.pk}/",
        roles("hidden", anonymous="hidden"),
    ),
    "wagtailcore_login": _get(lambda w: "/_util/login/", EVERYONE),
    # --- The admin (/cms/: Wagtail, /django-admin/): representative entries, and every
    # view and snippet the apps add. Roles without admin access are sent to sign in.
    "wagtailadmin_home": _get(lambda w: "/cms/", only(*CMS_USERS, others="login")),
    "wagtailadmin_explore": _get(
        lambda w: f"/cms/pages/{w.course.pk}/", only(*CMS_USERS, others="login")
    ),
    "wagtailadmin_pages:edit": _get(
        lambda w: f"/cms/pages/{w.course.pk}/edit/", only(*CMS_USERS, others="login")
    ),
    "admin:index": _get(lambda w: "/django-admin/", only("admin", others="login")),
    "courses_curriculum_import": _get(
        lambda w: "/cms/curriculum/import/", only(*CMS_USERS, others="login")
    ),
    # (Wagtail answers a refusal inside the admin with a message and a redirect.)
    "courses_scorm_packages": _get(
        lambda w: "/cms/scorm/",
        only("trainer", "other_trainer", "admin", others="login", reviewer="refused"),
    ),
    "assessments_question_banks": _get(
        lambda w: "/cms/question-banks/",
        only("trainer", "other_trainer", "admin", others="login", reviewer="refused"),
    ),
    "assessments_question_bank": _get(
        lambda w: f"/cms/question-banks/{w.course.pk}/",
        only("trainer", "admin", others="login", other_trainer="hidden", reviewer="refused"),
    ),
    "assessments_question_edit": _get(
        lambda w: f"/cms/question-banks/questions/{w.question.pk}/",
        only("trainer", "admin", others="login", other_trainer="hidden", reviewer="refused"),
    ),
}

# Snippets the apps register in /cms/snippets/: who may list, add, edit, delete.
SNIPPETS = {
    # model: (URL of one object, who manages them)
    "courses_thematicarea": (lambda w: w.theme.pk, ("admin",)),
    "assessments_quiz": (lambda w: w.quiz.pk, ("trainer", "admin")),
    "trainers_trainer": (lambda w: w.trainer_profile.pk, ("admin",)),
    "trainers_cohort": (lambda w: w.cohort.pk, ("admin",)),
    "trainers_certification": (lambda w: w.certification.pk, ("admin",)),
    "trainers_delivery": (lambda w: w.delivery.pk, ("admin",)),
    "trainers_certificatetemplate": (lambda w: w.template.pk, ("admin",)),
    "scheduling_training": (lambda w: w.training.pk, ("admin",)),
    "live_courseattendancerule": (lambda w: w.attendance_rule.pk, ("admin",)),
}
SNIPPET_ACTIONS = ("list", "add", "edit", "delete", "usage", "history", "history_results")


def _snippet_calls() -> dict[str, Call]:
    calls = {}
    for model, (pk, managers) in SNIPPETS.items():
        base = "/cms/snippets/" + model.replace("_", "/", 1) + "/"
        for action in SNIPPET_ACTIONS:
            if action == "list":
                url = lambda w, base=base: base  # noqa: E731
            elif action == "add":
                url = lambda w, base=base: base + "add/"  # noqa: E731
            else:
                url = (  # noqa: E731
                    lambda w, base=base, pk=pk, action=action: (
                        f"{base}{action.replace('_', '-')}/{pk(w)}/"
                    )
                )
            # Wagtail refuses a CMS user without the permission with a message and a
            # redirect to the dashboard ("refused"). Quizzes: every trainer lists (their
            # own) and adds (to their courses); another course's quiz is not there for them
            # nor for reviewers.
            expect = only(*managers, others="login", **dict.fromkeys(
                [r for r in CMS_USERS if r not in managers], "refused"
            ))  # fmt: skip
            if model == "assessments_quiz":
                if action in ("list", "add"):
                    expect["other_trainer"] = "ok"
                else:
                    expect.update(other_trainer="hidden", reviewer="hidden")
            calls[f"wagtailsnippets_{model}:{action}"] = _get(url, expect)
    return calls


PAGES.update(_snippet_calls())

# The lesson editor's quiz chooser lists only quizzes of the editor's own courses: every
# CMS user opens it (a reviewer's or another trainer's list is empty); choosing a quiz
# they may not manage is 404. Everyone else is sent to sign in.
_QUIZ_CHOOSER = "/cms/snippets/choose/assessments/quiz/"
PAGES.update(
    {
        "wagtailsnippetchoosers_assessments_quiz:choose": _get(
            lambda w: _QUIZ_CHOOSER, only(*CMS_USERS, others="login")
        ),
        "wagtailsnippetchoosers_assessments_quiz:choose_results": _get(
            lambda w: _QUIZ_CHOOSER + "results/", only(*CMS_USERS, others="login")
        ),
        "wagtailsnippetchoosers_assessments_quiz:chosen": _get(
            lambda w: f"{_QUIZ_CHOOSER}chosen/{w.quiz.pk}/",
            only("trainer", "admin", others="login", other_trainer="hidden", reviewer="hidden"),
        ),
        # (answers with the chosen quizzes among the user's own: an empty list for others)
        "wagtailsnippetchoosers_assessments_quiz:chosen_multiple": _get(
            lambda w: f"{_QUIZ_CHOOSER}chosen-multiple/?id={w.quiz.pk}",
            only(*CMS_USERS, others="login"),
        ),
    }
)


# API operations, keyed "METHOD path" as in the OpenAPI schema. Bearer tokens.
def _api(path: str) -> str:
    return "/api/v1" + path


API: dict[str, Call] = {
    "POST /api/v1/auth/token": _post(
        lambda w: _api("/auth/token"),
        SIGNED_IN,  # anonymous sends wrong credentials: 401
        data=lambda w, r: {
            "username": w.users[r].username if r != "anonymous" else "nobody",
            "password": PASSWORD if r != "anonymous" else "wrong",
        },
        body="json",
    ),
    "GET /api/v1/me": _get(lambda w: _api("/me"), SIGNED_IN),
    "GET /api/v1/courses": _get(lambda w: _api("/courses"), EVERYONE),
    "GET /api/v1/courses/{code}": _get(lambda w: _api(f"/courses/{_c(w)}"), EVERYONE),
    "POST /api/v1/courses/{code}/enrol": _post(
        lambda w: _api(f"/courses/{_c(w)}/enrol"), SIGNED_IN, data=lambda w, r: {}, body="json"
    ),
    "GET /api/v1/me/courses": _get(lambda w: _api("/me/courses"), SIGNED_IN),
    "POST /api/v1/courses/{code}/enrolments": _post(
        lambda w: _api(f"/courses/{_c(w)}/enrolments"),
        MANAGE_COURSE,
        data=lambda w, r: {"usernames": [w.users["outsider"].username]},
        body="json",
    ),
    "POST /api/v1/courses/{code}/scorm": _post(
        lambda w: _api(f"/courses/{_c(w)}/scorm"),
        MANAGE_COURSE,
        data=lambda w, r: {
            "file": SimpleUploadedFile("pm.zip", scorm12_zip(), content_type="application/zip")
        },
        body="multipart",
    ),
    "DELETE /api/v1/courses/{code}/scorm/{package_id}": Call(
        "DELETE", lambda w: _api(f"/courses/{_c(w)}/scorm/{w.scorm_package.pk}"), MANAGE_COURSE
    ),
    "POST /api/v1/courses/{code}/questions/import": _post(
        lambda w: _api(f"/courses/{_c(w)}/questions/import"),
        MANAGE_COURSE,
        data=lambda w, r: {
            "file": SimpleUploadedFile("pm.gift", b"::PM:: Is this the matrix? {T}\n"),
            "format": "gift",
        },
        body="multipart",
    ),
    "GET /api/v1/courses/{code}/questions/export": _get(
        lambda w: _api(f"/courses/{_c(w)}/questions/export"), MANAGE_COURSE
    ),
    "GET /api/v1/quizzes/{quiz_id}": _get(
        lambda w: _api(f"/quizzes/{w.quiz.pk}"), only(*COURSE_READERS)
    ),
    # Seen by its trainers and staff, attempted only by enrolled learners.
    "POST /api/v1/quizzes/{quiz_id}/attempts": _post(
        lambda w: _api(f"/quizzes/{w.quiz.pk}/attempts"),
        only("enrolled", trainer="forbidden", reviewer="forbidden", admin="forbidden"),
    ),
    "PUT /api/v1/attempts/{attempt_id}/responses": Call(
        "PUT",
        lambda w: _api(f"/attempts/{w.attempt_open.pk}/responses"),
        only("enrolled"),
        data=lambda w, r: {"responses": {}},
        body="json",
    ),
    "POST /api/v1/attempts/{attempt_id}/page": _post(
        lambda w: _api(f"/attempts/{w.attempt_open.pk}/page"),
        only("enrolled"),
        data=lambda w, r: {"page": 0},
        body="json",
    ),
    "POST /api/v1/attempts/{attempt_id}/submit": _post(
        lambda w: _api(f"/attempts/{w.attempt_open.pk}/submit"),
        only("enrolled"),
        data=lambda w, r: {},
        body="json",
    ),
    "GET /api/v1/attempts/{attempt_id}": _get(
        lambda w: _api(f"/attempts/{w.attempt_done.pk}"), only("enrolled", *COURSE_MANAGERS)
    ),
    "POST /api/v1/attempts/{attempt_id}/grades": _post(
        lambda w: _api(f"/attempts/{w.attempt_done.pk}/grades"),
        only(*COURSE_MANAGERS, enrolled="forbidden"),
        data=lambda w, r: {"slot": w.essay_slot, "mark": 1, "comment": "matrix"},
        body="json",
    ),
    "GET /api/v1/quizzes/{quiz_id}/statistics": _get(
        lambda w: _api(f"/quizzes/{w.quiz.pk}/statistics"), MANAGE_COURSE
    ),
    "GET /api/v1/courses/{code}/gradebook": _get(
        lambda w: _api(f"/courses/{_c(w)}/gradebook"), MANAGE_COURSE
    ),
    "GET /api/v1/certificates/{code}": _get(
        lambda w: _api(f"/certificates/{w.certificate.code}"), EVERYONE
    ),
    "GET /api/v1/trainers": _get(lambda w: _api("/trainers"), SIGNED_IN),
    "GET /api/v1/trainers/{trainer_id}": _get(
        lambda w: _api(f"/trainers/{w.trainer_profile.pk}"), SIGNED_IN
    ),
    "GET /api/v1/live/{session_id}": _get(
        lambda w: _api(f"/live/{w.session.pk}"), only(*CLASSROOM)
    ),
    "GET /api/v1/trainings": _get(lambda w: _api("/trainings"), SIGNED_IN),
    "POST /api/v1/trainings": _post(
        lambda w: _api("/trainings"),
        only(*PARTNERS, "admin", others="forbidden"),
        data=lambda w, r: {
            "title": "PMX proposed by the matrix",
            "starts_at": "2031-05-05T09:00:00+05:00",
            "ends_at": "2031-05-06T17:00:00+05:00",
            "organisation": w.orgs["organiser"].short_name if r == "admin" else None,
            "themes": [w.theme.slug],
            "draft": True,
        },
        body="json",
    ),
    "GET /api/v1/trainings/{training_id}": _get(
        lambda w: _api(f"/trainings/{w.training.pk}"), SIGNED_IN
    ),
    # A confirmed training is on everyone's calendar: changing it is refused, not hidden.
    "PATCH /api/v1/trainings/{training_id}": Call(
        "PATCH",
        lambda w: _api(f"/trainings/{w.training.pk}"),
        only("organiser", "admin", others="forbidden"),
        data=lambda w, r: {"title": "PMX renamed", "acknowledge_conflicts": True, "reason": "x"},
        body="json",
    ),
    "GET /api/v1/trainings/{training_id}/conflicts": _get(
        lambda w: _api(f"/trainings/{w.training.pk}/conflicts"),
        only("organiser", "reviewer", "admin", others="forbidden"),
    ),
    "POST /api/v1/trainings/{training_id}/approve": _post(
        lambda w: _api(f"/trainings/{w.proposal.pk}/approve"),
        only("reviewer", "admin", organiser="forbidden", other_partner="forbidden"),
    ),
    "POST /api/v1/trainings/{training_id}/send-back": _post(
        lambda w: _api(f"/trainings/{w.proposal.pk}/send-back"),
        only("reviewer", "admin", organiser="forbidden", other_partner="forbidden"),
        data=lambda w, r: {"note": "matrix"},
        body="json",
    ),
    "POST /api/v1/trainings/{training_id}/cancel": _post(
        lambda w: _api(f"/trainings/{w.training.pk}/cancel"),
        only("organiser", "admin", others="forbidden"),
        data=lambda w, r: {"reason": "matrix"},
        body="json",
    ),
    "POST /api/v1/trainings/{training_id}/complete": _post(
        lambda w: _api(f"/trainings/{w.past.pk}/complete"),
        only("organiser", "admin", others="forbidden"),
        data=lambda w, r: {"participants_reached": 3},
        body="json",
    ),
    # Everyone who sees the training gets the list (their own nomination only, unless
    # they may nominate or are the Academy).
    "GET /api/v1/trainings/{training_id}/nominations": _get(
        lambda w: _api(f"/trainings/{w.training.pk}/nominations"), SIGNED_IN
    ),
    "POST /api/v1/trainings/{training_id}/nominations": _post(
        lambda w: _api(f"/trainings/{w.training.pk}/nominations"),
        only("organiser", "admin", others="forbidden"),
        data=lambda w, r: {"usernames": [w.users["outsider"].username]},
        body="json",
    ),
    "POST /api/v1/nominations/{nomination_id}/withdraw": _post(
        lambda w: _api(f"/nominations/{w.nomination.pk}/withdraw"),
        only("enrolled", "organiser", "admin"),
    ),
    "POST /api/v1/nominations/{nomination_id}/decline": _post(
        lambda w: _api(f"/nominations/{w.nomination.pk}/decline"),
        only("organiser", "admin", enrolled="forbidden"),
    ),
    "GET /api/v1/coordination/events": _get(
        lambda w: _api("/coordination/events"),
        only(*PARTNERS, "reviewer", "admin", others="forbidden"),
    ),
    "GET /api/v1/me/calendar-feeds": _get(lambda w: _api("/me/calendar-feeds"), SIGNED_IN),
}

# WebSocket routes (lms/routing.py), keyed by their pattern: "accept", or the close code
# of the refusal (live/PROTOCOL.md, scheduling/PROTOCOL.md).
WEBSOCKETS: dict[str, tuple[Callable[[World], str], dict[str, str]]] = {
    "ws/heartbeat/": (lambda w: "/ws/heartbeat/", roles("accept", anonymous="4401")),
    "ws/live/<int:session_id>/": (
        lambda w: f"/ws/live/{w.session.pk}/",
        roles("4404", anonymous="4401", **dict.fromkeys(CLASSROOM, "accept")),
    ),
    "ws/coordination/": (
        lambda w: "/ws/coordination/",
        roles(
            "4403", anonymous="4401", **dict.fromkeys((*PARTNERS, "reviewer", "admin"), "accept")
        ),
    ),
}


# --- Discovery ---------------------------------------------------------------------------
# Never part of the matrix: files (static, media) and Wagtail's catch-all page serving
# (the course tree is checked through PAGES' "page:*" entries instead).
SKIPPED_NAMES = {"wagtail_serve"}
SKIPPED_PATTERNS = (re.compile(r"^\^?(static|media)/"),)
CMS_ENTRIES = {"wagtailadmin_home", "wagtailadmin_explore", "wagtailadmin_pages:edit"}
SNIPPET_NAME = re.compile(
    rf"^wagtailsnippets_(?:{'|'.join(APPS)})_\w+:(?:{'|'.join(SNIPPET_ACTIONS)})$"
)
APP_NAME = re.compile(rf"^(?:{'|'.join(APPS)})_")  # an app's own admin view or viewset


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry.callback


def _owned(callback) -> bool:
    view = getattr(callback, "view_class", None) or callback
    return (getattr(view, "__module__", "") or "").split(".")[0] in APPS


def _in_matrix_cms(name: str | None, callback) -> bool:
    """Whether an admin route under /cms/ is the apps' (or a representative entry), not
    Wagtail's own: the apps' views and viewsets, and their snippets' main views."""
    if name in CMS_ENTRIES or _owned(callback):
        return True
    if not name or name.startswith("wagtailsnippetchoosers_"):
        return False
    if name.startswith("wagtailsnippets_"):
        return bool(SNIPPET_NAME.match(name))
    return bool(APP_NAME.match(name))


def _api_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def discovered_pages() -> dict[str, str]:
    """URL name (or pattern, when unnamed) → pattern, for every route the matrix covers."""
    found = {}
    for pattern, name, callback in _walk(get_resolver()):
        key = name or pattern
        if name in SKIPPED_NAMES or any(p.match(pattern) for p in SKIPPED_PATTERNS):
            continue
        if pattern.startswith("cms/"):
            if not _in_matrix_cms(name, callback):
                continue  # Wagtail's own admin
        elif pattern.startswith("django-admin/"):
            if name != "admin:index":
                continue  # Django's own admin
        elif name and name.startswith("api:") and _api_path(pattern) in api_paths():
            continue  # an API operation: checked against the schema's entries
        found.setdefault(key, pattern)
    return found


def api_schema() -> dict:
    from lms.api import api

    return api.get_openapi_schema()


def api_paths() -> set[str]:
    return set(api_schema()["paths"])


def discovered_operations() -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, operations in api_schema()["paths"].items()
        for method in operations
    }


def discovered_websockets() -> set[str]:
    from lms.routing import websocket_urlpatterns

    return {str(route.pattern) for route in websocket_urlpatterns}


def _base(key: str) -> str:
    return key.split("[", 1)[0]


def test_every_route_has_an_expectation():
    """A route that the resolver, the schema or the WebSocket router knows must be in the
    tables (and every entry must still exist), so that no route goes unchecked."""
    pages = set(discovered_pages())
    page_entries = {_base(key) for key in PAGES if not key.startswith("page:")}
    operations = discovered_operations()
    sockets = discovered_websockets()

    problems = [
        *(f"page route without an expectation: {name}" for name in sorted(pages - page_entries)),
        *(f"expectation for no page route: {name}" for name in sorted(page_entries - pages)),
        *(f"API operation without an expectation: {op}" for op in sorted(operations - set(API))),
        *(f"expectation for no API operation: {op}" for op in sorted(set(API) - operations)),
        *(
            f"WebSocket route without an expectation: {r}"
            for r in sorted(sockets - set(WEBSOCKETS))
        ),
        *(f"expectation for no WebSocket route: {r}" for r in sorted(set(WEBSOCKETS) - sockets)),
    ]
    assert not problems, "\n".join(problems)
    for table in (PAGES, API):
        for key, call in table.items():
            assert set(call.expect) == set(ROLES), key


# --- Running a call ----------------------------------------------------------------------
LOGIN_PATHS = {resolve_url(settings.LOGIN_URL), "/cms/login/", "/django-admin/login/"}
STATUS = {400: "invalid", 401: "login", 403: "forbidden", 404: "hidden", 405: "method"}
STATUS |= {409: "conflict", 413: "too large", 429: "throttled"}


def outcome(response, method: str) -> str:
    code = response.status_code
    if 300 <= code < 400:
        if urlsplit(response["Location"]).path in LOGIN_PATHS:
            return "login"
        storage = getattr(response.wsgi_request, "_messages", None)
        queued = list(getattr(storage, "_queued_messages", []))
        if any(m.level >= messages.WARNING for m in queued) or (method == "GET" and queued):
            return "refused"
        return "ok"
    if 200 <= code < 300:
        return "ok"
    return STATUS.get(code, f"status {code}")


def _send(client: Client, call: Call, world: World, role: str, headers: dict):
    url = call.url(world)
    data = call.data(world, role) if call.data else None
    method = getattr(client, call.method.lower())
    if call.body == "json":
        return method(url, json.dumps(data or {}), content_type="application/json", **headers)
    if call.method == "DELETE":
        return method(url, **headers)
    return method(url, data or {}, **headers)  # GET query, or a (multipart) form


def answer(world: World, call: Call, role: str, *, api: bool) -> str:
    """What `role` gets for `call`: an outcome class, or the exception the view raised.
    Whatever the request changed is rolled back."""
    client = Client() if api else world.client(role)
    headers = world.auth(role) if api and call.url(world) != "/api/v1/auth/token" else {}
    with transaction.atomic():
        try:
            response = _send(client, call, world, role, headers)
            if getattr(response, "streaming", False):
                # (consumed, not closed: closing sends request_finished, which would close
                # the database connection inside the world's transaction on PostgreSQL)
                b"".join(response.streaming_content)
            got = outcome(response, call.method)
        except Exception as error:  # a view that crashes is a finding, not a stop
            got = f"error {type(error).__name__}: {str(error)[:120]}"
        transaction.set_rollback(True)
    return got


def check(world: World, key: str, call: Call, *, api: bool) -> None:
    got = {role: answer(world, call, role, api=api) for role in ROLES}
    wrong = [
        f"  {role:<14} expected {call.expect[role]:<10} got {got[role]}"
        for role in ROLES
        if got[role] != call.expect[role]
    ]
    assert not wrong, f"{call.method} {call.url(world)} ({key}):\n" + "\n".join(wrong)


# --- The matrix --------------------------------------------------------------------------
# Routes that crash because of work still in progress elsewhere: kept in the matrix with
# their expected answers, marked so that they show as XFAIL (and XPASS once fixed).
# Routes whose expectation is known to fail for a reason recorded here (none at present).
PENDING: dict[str, str] = {}


def _params(keys):
    return [
        pytest.param(key, marks=pytest.mark.xfail(reason=PENDING[key], strict=False))
        if key in PENDING
        else key
        for key in keys
    ]


@pytest.mark.django_db
class TestHttp:
    """Pages and API operations x roles, then object-level checks, on one world."""

    @pytest.mark.parametrize("key", _params(PAGES))
    def test_page(self, world, key):
        check(world, key, PAGES[key], api=False)

    @pytest.mark.parametrize("key", _params(API))
    def test_api(self, world, key):
        check(world, key, API[key], api=True)

    # --- Object level: changing an id in the address gives nothing away -----------------
    def test_an_officer_cannot_read_or_change_another_officers_attempt(self, world):
        from assessments import services as quiz_services
        from assessments.models import QuizAttempt

        # given an officer with an attempt of their own in the same quiz
        _enrol(world, "outsider")
        own = quiz_services.attempt_start(quiz=world.quiz, user=world.users["outsider"])
        page, api, auth = world.client("outsider"), Client(), world.auth("outsider")
        before = {a.pk: (a.state, a.responses) for a in QuizAttempt.objects.all()}

        # when they ask for the other officer's attempts by id
        assert page.get(f"/quizzes/attempts/{own.pk}/").status_code == 200
        for other in (world.attempt_done, world.attempt_open):
            answers = [
                page.get(f"/quizzes/attempts/{other.pk}/"),
                page.post(f"/quizzes/attempts/{other.pk}/page/", {"goto": "0"}),
                page.post(f"/quizzes/attempts/{other.pk}/submit/"),
                api.get(f"/api/v1/attempts/{other.pk}", **auth),
                api.put(
                    f"/api/v1/attempts/{other.pk}/responses",
                    json.dumps({"responses": {"1": {"choice": 0}}}),
                    content_type="application/json",
                    **auth,
                ),
                api.post(f"/api/v1/attempts/{other.pk}/submit", "{}", "application/json", **auth),
            ]
            # then each is 404, and nothing of theirs changed
            assert [r.status_code for r in answers] == [404] * len(answers), other
        after = {a.pk: (a.state, a.responses) for a in QuizAttempt.objects.all()}
        assert {k: v for k, v in after.items() if k != own.pk} == {
            k: v for k, v in before.items() if k != own.pk
        }

    def test_an_officer_sees_only_their_own_grades(self, world):
        _enrol(world, "outsider")
        page, api, auth = world.client("outsider"), Client(), world.auth("outsider")
        name = world.users["enrolled"].username

        quiz = api.get(f"/api/v1/quizzes/{world.quiz.pk}", **auth)
        mine = api.get("/api/v1/me/courses", **auth)
        refused = [
            page.get(f"/quizzes/courses/{_c(world)}/gradebook/"),
            page.get(f"/quizzes/courses/{_c(world)}/gradebook/?format=csv"),
            api.get(f"/api/v1/courses/{_c(world)}/gradebook?format=csv", **auth),
            api.get(f"/api/v1/quizzes/{world.quiz.pk}/statistics", **auth),
            page.get(f"/learn/{_c(world)}/scorm/{world.scorm_package.pk}/report/"),
            page.get(f"/learn/{_c(world)}/completion.csv"),
        ]

        assert quiz.status_code == 200 and quiz.json()["my_attempts"] == []
        assert [c["code"] for c in mine.json()] == [_c(world)]
        # a learner knows the course, so the gradebook is refused (403), never shown
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert all(name not in r.content.decode() for r in [quiz, mine, *refused])

    def test_an_officer_cannot_download_another_officers_certificate(self, world):
        code = world.certificate.code
        url = f"/trainers/certificates/{code}/download/"

        assert world.client("enrolled").get(url).status_code == 200
        for role in ("outsider", "trainer", "other_trainer", "organiser", "reviewer"):
            client = world.client(role)
            # the same answer as for a code that does not exist
            assert client.get(url).status_code == 404, role
            assert (
                client.get("/trainers/certificates/AAAA-BBBB-CCCC-DDDD/download/").status_code
                == 404
            )
            assert code not in client.get("/trainers/certificates/").content.decode(), role
            assert client.get(f"/trainers/certificates/{code}/").status_code == 404, role
        # public verification tells the status and the holder, never the file
        verified = Client().get(f"/api/v1/certificates/{code}").json()
        assert verified["status"] == "valid" and "pdf" not in json.dumps(verified).lower()

    def test_an_officer_cannot_read_or_write_another_officers_scorm_data(self, world):
        from courses.models import ScormAttempt

        # given the enrolled officer's stored SCORM values
        enrolled = world.client("enrolled")
        commit = enrolled.post(
            f"/learn/scorm/attempts/{world.scorm_attempt.pk}/commit",
            json.dumps({"session": world.scorm_session, "commits": [
                {"seq": 1, "values": [["cmi.core.lesson_location", "secret-page-7"]]},
            ]}),
            content_type="application/json",
        )  # fmt: skip
        assert commit.status_code == 200, commit.content
        # and another officer of the course with an attempt of their own
        _enrol(world, "outsider")
        outsider = world.client("outsider")
        launch = outsider.post(
            f"/learn/scorm/{world.scorm_package.pk}/launch",
            json.dumps({"sco": SCORM_SCO}),
            content_type="application/json",
        )
        assert launch.status_code == 200
        assert launch.json()["attempt"] != world.scorm_attempt.pk
        assert "secret-page-7" not in launch.content.decode()

        # when the outsider commits to the other officer's attempt by id
        hijack = outsider.post(
            f"/learn/scorm/attempts/{world.scorm_attempt.pk}/commit",
            json.dumps({"session": world.scorm_session, "commits": [
                {"seq": 2, "values": [["cmi.core.lesson_location", "overwritten"]]},
            ]}),
            content_type="application/json",
        )  # fmt: skip

        # then it is not there for them, and the values are the owner's
        assert hijack.status_code == 404
        state = ScormAttempt.objects.get(pk=world.scorm_attempt.pk).state
        assert state["cmi.core.lesson_location"] == "secret-page-7"
        report = outsider.get(f"/learn/{_c(world)}/scorm/{world.scorm_package.pk}/report/")
        assert report.status_code == 403

    def test_a_partner_cannot_change_another_partners_training(self, world):
        from scheduling.models import Training

        other, api, auth = world.client("other_partner"), Client(), world.auth("other_partner")
        patch = {"title": "Taken over", "acknowledge_conflicts": True, "reason": "x"}

        def patched(training):
            return api.patch(
                f"/api/v1/trainings/{training.pk}",
                json.dumps(patch),
                content_type="application/json",
                **auth,
            )

        # a confirmed training is on the shared calendar: seen, but not theirs to change
        t = world.training
        assert other.get(f"/trainings/{t.pk}/").status_code == 200
        assert other.get(f"/trainings/{t.pk}/edit/").status_code == 404
        assert other.post(f"/trainings/{t.pk}/edit/", {"title": "Taken over"}).status_code == 404
        assert patched(t).status_code == 403
        cancel = api.post(
            f"/api/v1/trainings/{t.pk}/cancel", '{"reason": "x"}', "application/json", **auth
        )
        assert cancel.status_code == 403
        assert outcome(other.post(f"/trainings/{t.pk}/cancel/", {"reason": "x"}), "POST") == (
            "refused"
        )
        assert api.post(f"/api/v1/trainings/{world.proposal.pk}/approve", **auth).status_code == 403
        # another organisation's draft is not there at all
        d = world.draft
        assert other.get(f"/trainings/{d.pk}/").status_code == 404
        assert other.get(f"/trainings/{d.pk}/edit/").status_code == 404
        assert api.get(f"/api/v1/trainings/{d.pk}", **auth).status_code == 404
        assert patched(d).status_code == 404
        cancel = api.post(
            f"/api/v1/trainings/{d.pk}/cancel", '{"reason": "x"}', "application/json", **auth
        )
        assert cancel.status_code == 404
        assert other.post(f"/trainings/{d.pk}/cancel/").status_code == 404
        # and nothing changed
        rows = Training.objects.filter(pk__in=[t.pk, d.pk, world.proposal.pk])
        assert {r.title for r in rows} == {t.title, d.title, world.proposal.title}
        assert {r.pk: r.status for r in rows} == {
            t.pk: Training.Status.CONFIRMED,
            d.pk: Training.Status.DRAFT,
            world.proposal.pk: Training.Status.PROPOSED,
        }
        # while its own organiser may
        mine = api.patch(
            f"/api/v1/trainings/{d.pk}",
            json.dumps({"title": "Renamed by its organiser"}),
            content_type="application/json",
            **world.auth("organiser"),
        )
        assert mine.status_code == 200, mine.content

    def test_a_trainer_cannot_grade_outside_their_courses(self, world):
        from assessments import services as quiz_services
        from assessments.models import ManualGrade
        from tests.assessments.factories import right_responses

        other, api, auth = world.client("other_trainer"), Client(), world.auth("other_trainer")
        done = world.attempt_done
        grade = {"attempt": done.pk, "slot": world.essay_slot, "mark": "1"}

        answers = [
            api.post(
                f"/api/v1/attempts/{done.pk}/grades",
                json.dumps({"slot": world.essay_slot, "mark": 1}),
                content_type="application/json",
                **auth,
            ),
            other.get(f"/quizzes/attempts/{done.pk}/"),
            other.get(f"/quizzes/{world.quiz.pk}/grading/"),
            other.post(f"/quizzes/{world.quiz.pk}/grading/", grade),
            # through the grading queue of a quiz they do manage
            other.post(f"/quizzes/{world.other_quiz.pk}/grading/", grade),
            other.get(f"/quizzes/courses/{_c(world)}/gradebook/"),
            api.get(f"/api/v1/courses/{_c(world)}/gradebook", **auth),
            api.get(f"/api/v1/quizzes/{world.quiz.pk}/statistics", **auth),
        ]
        assert [r.status_code for r in answers] == [404] * len(answers)

        # A trainer who is also a learner elsewhere does not grade their own essay there
        # through the queue of the course they train.
        _enrol(world, "other_trainer")
        user = world.users["other_trainer"]
        own = quiz_services.attempt_start(quiz=world.quiz, user=user)
        own = quiz_services.attempt_submit(attempt=own, user=user, responses=right_responses(own))
        self_graded = other.post(
            f"/quizzes/{world.other_quiz.pk}/grading/",
            {"attempt": own.pk, "slot": world.essay_slot, "mark": "1"},
        )
        assert outcome(self_graded, "POST") in ("hidden", "refused")
        assert not ManualGrade.objects.filter(attempt__in=[done, own]).exists()

        # while the course's own trainer grades
        graded = world.client("trainer").post(f"/quizzes/{world.quiz.pk}/grading/", grade)
        assert outcome(graded, "POST") == "ok"
        assert ManualGrade.objects.filter(attempt=done, slot=world.essay_slot).exists()


def _enrol(world: World, role: str) -> None:
    from courses.models import Enrolment
    from courses.services import enrolment_create

    enrolment_create(user=world.users[role], course=world.course, source=Enrolment.Source.BULK)


# --- WebSockets --------------------------------------------------------------------------
async def ws_answer(world: World, path: str, role: str) -> str:
    """ "accept" when the consumer accepts and greets, else the close code it ends with
    (before accepting, or after accepting only to say why)."""
    from lms.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if role != "anonymous":
        cookie = f"{settings.SESSION_COOKIE_NAME}={world.cookies[role]}"
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            return str(code)
        for _ in range(20):
            output = await communicator.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                return str(output.get("code"))
            if json.loads(output.get("text") or "{}").get("type") != "error":
                return "accept"
        return "no greeting"
    except Exception as error:  # a consumer that crashes is a finding, not a stop
        return f"error {type(error).__name__}: {str(error)[:120]}"
    finally:
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_websocket_routes_answer_each_role_as_documented():
    world = await sync_to_async(build_world)(full=False)

    wrong = []
    for pattern, (path, expect) in WEBSOCKETS.items():
        for role in ROLES:
            got = await ws_answer(world, path(world), role)
            if got != expect[role]:
                wrong.append(f"  {pattern:<28} {role:<14} expected {expect[role]:<7} got {got}")

    assert not wrong, "WebSocket answers:\n" + "\n".join(wrong)
