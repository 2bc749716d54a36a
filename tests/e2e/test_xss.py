"""Stored and reflected XSS in a real browser.

Script payloads (Urdu among them) are written everywhere a user can write, through the
paths users have: a curriculum import (course title, summary, objectives, lesson rich text
with raw HTML and a `javascript:` link), a trainer's CSV roster (names, rank, unit), a
Moodle XML and a GIFT question bank (question texts, choices, feedback, grader notes), a
quiz attempt (short answer and essay), the trainer registry (names, bio), a partner's
training (title, venue, audience, session title, the reason for going ahead), nominations,
notifications and a certificate; then typed into the live classroom (chat, question,
poll) and proposed over the API while the coordination board watches. Every page where
they show up is opened as the learner, the trainer, the partner and the administrator
(Wagtail and Django admin included), plus search and error pages with payloads in the
address (reflected XSS).

Each page must run no injected script: `window.__xss` stays undefined, no dialog opens, and
no element carries a payload's handler, script or `javascript:` address; and each payload
written as plain text must be visible on the page as text (proof that it was rendered,
escaped), while rich text must arrive sanitised (its plain words kept).

The browser ignores the Content Security Policy here (Playwright's `bypass_csp`). The CSP
is the second wall: with it on, an injected inline script would only be blocked and show
as a console report, and the admin sites allow inline script anyway. Escaping and
sanitising must hold on their own, so the test looks at what they alone let through.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from tests.e2e.conftest import ROOT

# Each payload, when it runs, sets window.__xss to its own name (or opens a dialog).
PAYLOADS = {
    "script": '<script>window.__xss="script"</script>',
    "img": "<img src=x onerror=\"window.__xss='img'\">",
    "svg": '"><svg onload="window.__xss=\'svg\'">',
    "attr": "' autofocus onfocus='window.__xss=\"attr\"' x='",
    "dialog": "<details open ontoggle=\"alert('xss')\">",
    "breakout": '</textarea></title></script><script>window.__xss="breakout"</script>',
    "nested": '<<x>script>window.__xss="nested"<</x>/script>',
    "template": "{{7*7}} {% debug %} ${7*7} #{7*7}",
    "urdu": "ایف آئی اے <b onmouseover=\"window.__xss='urdu'\">جعلی پاسپورٹ</b>",
    "link": "<a href=\"javascript:window.__xss='link'\">click</a>",
}
P = PAYLOADS
ALL = " | ".join(PAYLOADS.values())  # for fields that take long text
# Plain words kept inside rich text (which is sanitised, not escaped).
RICH = "Rich text survives"
PASSWORD = "fia-demo-2026"

# Writes everything through the apps' services, as the pages and the API call them.
SETUP = r"""
import base64, json
from datetime import timedelta
import yaml
from django.utils import timezone
from assessments import services as quizzes
from assessments.models import Question, QuestionVersion, Quiz, QuizSlot
from courses.imports import curriculum_import_file
from courses.models import Enrolment, LessonPage
from courses.services import enrolment_bulk_create, enrolment_create, roster_parse
from lms.models import Organisation, User
from lms.roles import Role
from lms.services import notification_send, user_upsert
from scheduling import services as scheduling
from scheduling.models import Training
from trainers.models import Trainer
from trainers.services.certificates import certificate_issue
from trainers.services.registry import trainer_upsert

P = json.loads(base64.b64decode("%(payloads)s").decode())
ALL, RICH, CODE = " | ".join(P.values()), "%(rich)s", "FIA-XSS-101"
trainer, partner, admin = (User.objects.get(username=u) for u in ("trainer", "partner", "admin"))

# A trainer's curriculum (Markdown with raw HTML, links) becomes the course and its lessons.
rich = (f"{RICH}: {P['script']} {P['img']} {P['nested']} {P['link']} {P['urdu']} "
        "[a link](javascript:window.__xss='md') "
        "<iframe srcdoc=\"<script>parent.__xss=1</script>\">")
curriculum = {
    "format": 1, "code": CODE, "title": P["urdu"], "summary": ALL,
    "learning_objectives": [P["script"], P["attr"]], "target_audience": P["breakout"],
    "level": "introductory", "duration": {"hours": 2, "days": 1}, "language": "en",
    "themes": ["trafficking-in-human-beings"], "prerequisites": [], "enrolment": "closed",
    "completion": {"rule": "all-lessons"}, "certificate": True,
    "source": {"title": P["template"], "version": "1.0"},
    "modules": [{"title": P["svg"], "summary": P["img"], "sessions": [
        {"title": P["nested"], "objectives": [P["template"]], "duration_minutes": 60,
         "method": "lecture", "materials": [P["dialog"]], "content": rich},
        {"title": "Indicators", "objectives": ["Spot them."], "duration_minutes": 60,
         "method": "lecture", "content": [
             {"callout": {"style": "warning", "title": P["dialog"], "text": rich}}]},
    ]}],
}
course = curriculum_import_file(
    data=yaml.safe_dump(curriculum, allow_unicode=True).encode(), filename="xss.yaml",
    publish=True, check_permissions=False).course
lesson = LessonPage.objects.live().descendant_of(course).order_by("path").first()
enrolment_create(user=trainer, course=course, role=Enrolment.Role.TRAINER,
                 source=Enrolment.Source.BULK)

# The trainer's roster creates the officer: names, rank and unit exactly as written.
roster = "service_number,first_name,last_name,rank,unit\n" + ",".join(
    '"' + v.replace('"', '""') + '"'
    for v in ("FIA-X-9001", P["img"], P["urdu"], P["script"][:80], P["breakout"]))
enrolment_bulk_create(course=course, rows=roster_parse(data=roster))
officer = user_upsert(username="fia-x-9001", password="%(password)s", roles=[Role.OFFICER])

# Question banks, as a trainer imports them: Moodle XML (HTML texts) and GIFT (plain).
def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
def q(qtype, name, text, body):
    return (f'<question type="{qtype}"><name><text>{cdata(name)}</text></name>'
            f'<questiontext format="html"><text>{cdata(text)}</text></questiontext>'
            f'<generalfeedback format="html"><text>{cdata(RICH + " " + P["img"])}</text>'
            f'</generalfeedback>{body}</question>')
def answer(fraction, text, feedback):
    return (f'<answer fraction="{fraction}" format="html"><text>{cdata(text)}</text>'
            f'<feedback format="html"><text>{cdata(feedback)}</text></feedback></answer>')
moodle = ('<?xml version="1.0" encoding="UTF-8"?><quiz>'
    + q("multichoice", "XSS choice " + P["script"], rich,
        "<single>true</single>" + answer(100, RICH + " " + P["urdu"], RICH + " " + P["nested"])
        + answer(0, P["svg"] + " " + RICH, P["script"]))
    + q("shortanswer", "XSS short " + P["img"], rich, answer(100, "FIA", P["dialog"]))
    + q("essay", "XSS essay " + P["urdu"], rich,
        f'<graderinfo format="html"><text>{cdata(ALL)}</text></graderinfo>')
    + "</quiz>").encode()
quizzes.question_import(course=course, data=moodle, fmt="moodlexml", filename="xss.xml")
gift = "::XSS plain:: " + "".join("\\" + c if c in "~=#{}:" else c for c in ALL) + " {T}"
quizzes.question_import(course=course, data=gift.encode(), fmt="gift", filename="xss.gift")
quiz = Quiz.objects.create(course=course, title=P["attr"], intro=ALL, shuffle_answers=False)
for n, question in enumerate(Question.objects.filter(course=course).order_by("pk")):
    QuizSlot.objects.create(quiz=quiz, question=question, sort_order=n)

# The officer answers: a payload as the short answer and everything as the essay.
attempt = quizzes.attempt_start(quiz=quiz, user=officer)
kinds = {s["slot"]: QuestionVersion.objects.get(pk=s["version"]).data["qtype"]
         for s in attempt.layout["slots"]}
responses = {str(slot): {"shortanswer": {"answer": P["attr"]}, "essay": {"text": ALL},
                         "multichoice": {"choice": 0}, "truefalse": {"answer": True}}[kind]
             for slot, kind in kinds.items()}
attempt = quizzes.attempt_submit(attempt=attempt, user=officer, responses=responses)

# The trainer registry; a certificate for the officer (its page is public).
registry = trainer_upsert(full_name=P["svg"], full_name_native=P["urdu"], bio=ALL,
                          country="PK", languages=["ur", "en"])
certificate = certificate_issue(kind="course", user=officer, course=course)

# A partner's training for the course, taught by the demo trainer, running now.
now = timezone.now()
training = scheduling.training_propose(
    user=partner,
    data=scheduling.TrainingInput(
        title=P["script"], organiser=partner.organisation, course=course,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1),
        modality="blended", venue=P["breakout"], remote_url="https://meet.jit.si/fia-xss",
        trainers=[Trainer.objects.get(user=trainer)], audience=[("unit", P["img"])],
        sessions=[scheduling.SessionInput(starts_at=now - timedelta(minutes=10),
                                          duration_minutes=180, title=P["urdu"])]),
    acknowledge_conflicts=True, reason=ALL)
scheduling.training_approve(user=admin, training=training)
scheduling.nomination_create(training=training, users=[officer], by=partner,
                             acknowledge_conflicts=True, reason=P["template"])
notification_send(users=[officer, trainer, admin], subject=P["nested"], body=ALL, email=False)

# Signed-in sessions for the four people who look at the pages.
from django.conf import settings
from django.test import Client
def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
cookies = {u.username: session(u) for u in (officer, trainer, partner, admin)}

print("\nXSS-SETUP " + json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME, "sessions": cookies,
    "course": course.url, "course_id": course.pk, "lesson": lesson.url, "code": CODE,
    "lesson_id": lesson.pk,
    "quiz": quiz.pk, "attempt": attempt.pk, "training": training.pk,
    "session": training.sessions.get().pk, "registry": registry.pk,
    "certificate": certificate.code, "officer": officer.username,
    "question": Question.objects.filter(course=course, qtype="multichoice").get().pk,
    "trainer_id": Trainer.objects.get(user=trainer).pk,
}))
"""

PROBE = r"""
window.__xssProbe = {
  text() {
    const parts = [];
    const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const parent = walker.currentNode.parentElement;
      if (!parent || !parent.closest("script, style, template, noscript")) {
        parts.push(walker.currentNode.data);
      }
    }
    for (const field of document.querySelectorAll("input, textarea")) parts.push(field.value);
    return parts.join(" ").replace(/\s+/g, " ");
  },
  injected() {
    const found = [];
    for (const el of document.querySelectorAll("*")) {
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        if ((name.startsWith("on") && /__xss|alert/.test(attr.value)) || name === "srcdoc"
            || (/^(href|src|action|formaction|xlink:href|data)$/.test(name)
                && /^\s*javascript:/i.test(attr.value))) {
          found.push(`<${el.tagName.toLowerCase()} ${name}="${attr.value.slice(0, 60)}">`);
        }
      }
      if (el.tagName === "SCRIPT" && !/json/.test(el.type) && /__xss/.test(el.textContent)) {
        found.push(`<script>${el.textContent.slice(0, 60)}`);
      }
    }
    return found;
  },
};
"""


def _chunks(texts: list[str], size: int) -> list[str]:
    """The texts joined by spaces into as few strings of at most `size` as go."""
    chunks = [""]
    for text in texts:
        if chunks[-1] and len(chunks[-1]) + 1 + len(text) > size:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]} {text}".strip()
    return chunks


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Checker:
    """Opens pages and records what ran and what is missing; the test fails at the end
    with every finding, so one run shows them all."""

    def __init__(self, browser, live_site):
        self.browser, self.site = browser, live_site
        self.contexts, self.findings = [], []
        self.pages = self.payloads = 0

    def person(self, cookie: dict | None = None):
        """A browser of its own, signed in with this session cookie (or anonymous)."""
        context = self.browser.new_context(
            base_url=self.site.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        context.add_init_script(PROBE)
        if cookie:
            context.add_cookies([{**cookie, "url": self.site.url}])
        self.contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        return page

    def visit(self, page, url: str, expected=(), *, label: str = "", status: int | None = None):
        response = page.goto(url)
        if status is not None and response.status != status:
            self.findings.append(f"{label or url}: answered {response.status}, not {status}")
        self.check(page, expected, label=label or url)

    def check(self, page, expected=(), *, label: str = "") -> None:
        wanted = [_norm(text) for text in expected]
        if wanted:  # pages that render with script (the classroom, the board) take a moment
            with contextlib.suppress(Exception):  # what is missing is listed below
                page.wait_for_function(
                    "w => w.every(t => window.__xssProbe.text().includes(t))", arg=wanted
                )
        page.wait_for_timeout(20)  # let onload/onerror/ontoggle handlers fire, if any
        text = page.evaluate("window.__xssProbe.text()")
        ran = page.evaluate("window.__xss")
        injected = page.evaluate("window.__xssProbe.injected()")
        label = label or page.url
        self.pages += 1
        self.payloads += len(wanted)
        if ran is not None:
            self.findings.append(f"{label}: an injected script ran (window.__xss = {ran!r})")
        if page.dialogs:
            self.findings.append(f"{label}: a dialog opened: {page.dialogs}")
        if injected:
            self.findings.append(f"{label}: injected markup {injected}")
        for item in wanted:
            if item not in text:
                self.findings.append(f"{label}: not shown as text: {item[:70]!r}")

    def close(self):
        for context in self.contexts:
            context.close()


def _api(site, method: str, path: str, *, token: str | None = None, body=None):
    request = urllib.request.Request(
        site.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def _setup_start(live_site) -> subprocess.Popen:
    """SETUP against the live site's database, in the background (it takes a while)."""
    payloads = base64.b64encode(json.dumps(PAYLOADS).encode()).decode()
    code = SETUP % {"payloads": payloads, "rich": RICH, "password": PASSWORD}
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**live_site.env, "EMAIL_URL": "dummymail://"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _setup_result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=300)
    if process.returncode != 0 or "\nXSS-SETUP " not in out:
        raise RuntimeError(f"writing the payloads failed:\n{err[-3000:]}")
    return json.loads(out.split("\nXSS-SETUP ", 1)[1].splitlines()[0])


def test_no_injected_script_runs_anywhere_a_user_can_write(browser, live_site):
    w = _setup_result(_setup_start(live_site))
    c = Checker(browser, live_site)
    officer, trainer, partner, admin = (
        c.person({"name": w["cookie"], "value": w["sessions"][username]})
        for username in (w["officer"], "trainer", "partner", "admin")
    )
    name = [P["img"], P["urdu"]]  # the officer's first and last name
    try:
        # The live classroom: the officer chats, asks; the trainer runs a poll and shows
        # the lesson (the officer's page puts its HTML on the stage).
        classroom = f"/live/{w['session']}/"
        for page in (trainer, officer):
            page.goto(classroom)
            page.locator("[data-connection]", has_text="Live").wait_for()
        officer.get_by_label("Message").fill(ALL)
        officer.get_by_label("Message").press("Enter")
        officer.get_by_label("Your question").fill(P["breakout"] + P["urdu"])
        officer.get_by_role("button", name="Ask").click()
        trainer.get_by_label("Question", exact=True).fill(P["svg"] + P["template"])
        trainer.get_by_label("Options").fill("\n".join([P["script"], P["urdu"], P["attr"]]))
        trainer.get_by_role("button", name="Start poll").click()
        trainer.locator("[data-lesson-select]").select_option(str(w["lesson_id"]))
        live = [ALL, P["breakout"] + P["urdu"], P["svg"] + P["template"], P["script"]]
        c.check(trainer, [*live, *name, P["urdu"]], label="classroom (trainer)")
        c.check(officer, [*live, P["attr"], RICH], label="classroom (officer)")

        # The coordination board watches while a partner proposes over the API; a
        # `javascript:` address is refused whoever sends it.
        day = (datetime.now() + timedelta(days=400)).date().isoformat()
        admin.goto(f"/trainings/?date={day}")
        admin.locator("[data-board-status]", has_text="Live").wait_for()
        token = _api(
            live_site,
            "POST",
            "/api/v1/auth/token",
            body={"username": "partner", "password": PASSWORD},
        )[2]["token"]
        proposal = {
            "title": P["dialog"] + " " + P["urdu"],
            "starts_at": f"{day}T09:00:00+05:00",
            "ends_at": f"{day}T17:00:00+05:00",
            "course": w["code"],
            "acknowledge_conflicts": True,
            "reason": ALL,
        }
        for bad in (
            {"remote_url": "javascript:window.__xss='href'//"},
            {
                "sessions": [
                    {
                        "starts_at": f"{day}T10:00:00+05:00",
                        "external_room_url": "javascript:window.__xss='room'//",
                    }
                ]
            },
        ):
            status, _h, answer = _api(
                live_site, "POST", "/api/v1/trainings", token=token, body={**proposal, **bad}
            )
            if status != 400:
                c.findings.append(f"API took a javascript: address ({status}: {answer})")
                if status == 201:
                    c.visit(partner, answer["url"], label="training with a javascript: link")
        status, _h, created = _api(
            live_site, "POST", "/api/v1/trainings", token=token, body=proposal
        )
        assert status == 201, created
        c.check(admin, [proposal["title"]], label="coordination board (live event)")
        c.visit(admin, f"/trainings/?date={day}", [proposal["title"]], label="calendar")

        # The learner's pages.
        course_text = [P["urdu"], ALL, P["breakout"], P["script"], P["attr"], P["svg"]]
        c.visit(officer, "/dashboard/", [*name, P["urdu"]])
        c.visit(officer, "/courses/", [P["urdu"]], label="catalogue")
        c.visit(officer, w["course"], [*course_text, P["nested"], P["template"]])
        c.visit(officer, w["lesson"], [P["nested"], P["template"], P["dialog"], RICH])
        c.visit(officer, f"/quizzes/{w['quiz']}/", [P["attr"], ALL], label="quiz")
        attempt = f"/quizzes/attempts/{w['attempt']}/"
        c.visit(officer, attempt, [RICH, ALL, P["attr"]], label="attempt review (officer)")
        c.visit(officer, "/notifications/", [P["nested"], ALL], label="notifications (officer)")
        c.visit(officer, f"/trainings/{w['training']}/", [P["script"], P["breakout"]])
        c.visit(officer, "/trainers/certificates/", [P["urdu"]], label="my certificates")
        c.visit(officer, f"/verify/{w['certificate']}/", [P["img"]], label="verification")

        # The trainer's pages, the admin's included.
        c.visit(trainer, f"/learn/{w['code']}/participants/", name, label="participants")
        c.visit(trainer, f"/quizzes/courses/{w['code']}/gradebook/", [*name, P["attr"]])
        c.visit(trainer, f"/quizzes/{w['quiz']}/grading/", [*name, RICH], label="grading")
        c.visit(trainer, attempt, [RICH, ALL, P["attr"]], label="attempt review (trainer)")
        c.visit(trainer, f"/live/{w['session']}/attendance/", name, label="attendance")
        c.visit(trainer, f"/trainers/{w['registry']}/", [P["svg"], P["urdu"], ALL])
        c.visit(trainer, "/trainers/?status=", [P["svg"]], label="registry")
        c.visit(trainer, "/notifications/", [P["nested"], ALL], label="notifications (trainer)")
        # Question names lose their tags on import (as in Moodle); what is left is text.
        bank = f"/cms/question-banks/{w['course_id']}/"
        c.visit(trainer, bank, ['XSS choice window.__xss="script"'], label="question bank")
        c.visit(trainer, f"/cms/question-banks/questions/{w['question']}/", [RICH])
        c.visit(trainer, f"/cms/pages/{w['course_id']}/", [P["svg"]], label="cms explorer")
        c.visit(trainer, "/cms/snippets/assessments/quiz/", [P["attr"]], label="cms quizzes")

        # The partner's and the Academy's pages.
        c.visit(partner, f"/trainings/{w['training']}/", [P["script"], P["breakout"], P["img"]])
        c.visit(partner, f"/trainings/{w['training']}/nominations/", name, label="nominations")
        # A form sent back with errors shows what was typed, and the error names the value.
        partner.goto("/trainings/new/")
        partner.get_by_label("Title").fill(P["attr"] + " " + P["breakout"])
        partner.get_by_label("Starts").fill(f"{day}T10:00")
        partner.get_by_label("Ends", exact=True).fill(f"{day}T16:00")
        partner.get_by_label("FIA units").fill(ALL)  # one unit, too long: refused by name
        with partner.expect_navigation():
            partner.get_by_role("button", name="Propose to the Academy").click()
        c.check(partner, [P["attr"] + " " + P["breakout"], ALL], label="form with errors")
        c.visit(admin, "/trainings/approvals/", [proposal["title"]], label="approvals")
        c.visit(admin, "/notifications/", [P["script"]], label="notifications (admin)")
        c.visit(admin, "/django-admin/lms/user/?q=fia-x", [P["img"]], label="django admin")

        # Reflected: payloads in the address of search, lookup and error pages, a few at a
        # time (searches keep the first 200 characters).
        stored = c.pages
        reflected = (
            (officer, "/courses/?q={}", True),
            (officer, "/trainers/?q={}", True),
            (officer, "/trainers/cohorts/?q={}", True),
            (admin, "/trainers/certificates/manage/?q={}", True),
            (trainer, f"/cms/question-banks/{w['course_id']}/?q={{}}", True),
            (trainer, "/cms/pages/search/?q={}", True),
            (admin, "/trainings/?date={0}&theme={0}&organisation={0}", False),
            (officer, "/verify/{}/", False),
            (officer, "/no-such-page/{}/", False),
            (officer, "/api/v1/courses/{}", False),
        )
        for payload in _chunks(list(PAYLOADS.values()), 200):
            for page, url, shown in reflected:
                url = url.format(urllib.parse.quote(payload))
                c.visit(page, url, [payload] if shown else [], label=f"reflected {url[:40]}")
    finally:
        c.close()
    print(
        f"\nXSS: {len(PAYLOADS)} payloads; stored: {stored} pages checked, "
        f"{c.payloads} payload renderings found as text; reflected: {len(reflected)} "
        f"addresses x {len(PAYLOADS)} payloads ({c.pages - stored} page loads)"
    )
    assert not c.findings, "XSS findings:\n" + "\n".join(c.findings)
