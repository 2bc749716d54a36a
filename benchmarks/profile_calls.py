"""The requests of benchmarks/profile_requests.py: the scenarios of bench_http (and a
SCORM commit) as calls, and what sends a call through Django in this process."""

import asyncio
import contextlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass
class Call:
    method: str
    path: str
    cookies: str = ""
    headers: dict = field(default_factory=dict)
    body: str | None = None


@dataclass
class Scenario:
    name: str
    key: str
    calls: Callable[[int], Call]  # the n-th request
    expected: tuple[int, ...] = (200,)
    once: bool = False  # each request may be sent once: warm-up, timing and profile differ


# --- Preparing the site ------------------------------------------------------------------
def prepare_scorm(count: int) -> list[dict]:
    """bench_scorm's learners of BEN-SCORM (made once), each with a launched SCO."""
    from benchmarks.bench_scorm import SETUP_SCRIPT

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(SETUP_SCRIPT.format(count=count), {})  # noqa: S102 (our own script)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def scenarios(setup: dict, scorm: list[dict], partner_token: str) -> list[Scenario]:
    csrf = setup["csrf"]

    def page(key: str) -> str:
        return f"sessionid={key}"

    def api(key: str) -> tuple[str, dict]:
        return f"sessionid={key}; csrftoken={csrf}", {"X-CSRFToken": csrf}

    learners = setup["learners"]
    attempts = setup["attempt_pages"]
    autosave = [(a, body) for n in range(2) for a in setup["autosave"] for body in [a["bodies"][n]]]
    submit = setup["submit"]
    certificates = setup["certificates"] or ["none"]
    seqs: dict[int, int] = {}

    def cycle(items, make):
        return lambda n: make(items[n % len(items)])

    def autosave_call(item) -> Call:
        attempt, body = item
        cookies, headers = api(attempt["session"])
        return Call("PUT", f"/api/v1/attempts/{attempt['id']}/responses", cookies, headers, body)

    def submit_call(n: int) -> Call:
        attempt = submit[n]
        cookies, headers = api(attempt["session"])
        return Call("POST", f"/api/v1/attempts/{attempt['id']}/submit", cookies, headers, "{}")

    def scorm_call(learner: dict) -> Call:
        seq = seqs[learner["attempt"]] = seqs.get(learner["attempt"], 1_000_000) + 1
        body = {
            "session": learner["session"],
            "commits": [
                {
                    "seq": seq,
                    "values": [
                        ["cmi.location", f"page-{seq}"],
                        ["cmi.suspend_data", f"visited=1,2,3;answers=a,b,c;page={seq}"],
                        ["cmi.progress_measure", "0.5"],
                    ],
                }
            ],
        }
        return Call(
            "POST",
            f"/learn/scorm/attempts/{learner['attempt']}/commit",
            learner["cookie"],
            {"X-CSRFToken": learner["csrf"]},
            json.dumps(body),
        )

    return [
        Scenario("anonymous catalogue", "catalogue", lambda n: Call("GET", "/courses/")),
        Scenario(
            "dashboard (learner)",
            "dashboard",
            cycle(learners, lambda key: Call("GET", "/dashboard/", page(key))),
        ),
        Scenario(
            "course outline (65 activities)",
            "outline",
            cycle(learners, lambda key: Call("GET", setup["course"], page(key))),
        ),
        Scenario(
            "lesson page",
            "lesson",
            cycle(learners, lambda key: Call("GET", setup["lesson"], page(key))),
        ),
        Scenario(
            "quiz attempt page",
            "attempt",
            cycle(
                attempts,
                lambda a: Call("GET", f"/quizzes/attempts/{a['id']}/", page(a["session"])),
            ),
        ),
        Scenario("quiz autosave (API)", "autosave", cycle(autosave, autosave_call)),
        Scenario("quiz submit (API)", "submit", submit_call, once=True),
        Scenario(
            "gradebook (300 learners)",
            "gradebook",
            lambda n: Call("GET", setup["gradebook"], page(setup["trainer"])),
        ),
        Scenario(
            "SCORM commit",
            "scorm",
            cycle(scorm, scorm_call) if scorm else (lambda n: Call("GET", "/none/")),
        ),
        Scenario(
            "certificate verification (API)",
            "certificate",
            cycle(certificates, lambda code: Call("GET", f"/api/v1/certificates/{code}")),
        ),
        Scenario(
            "training proposal (API)",
            "proposal",
            lambda n: Call(
                "POST",
                "/api/v1/trainings",
                headers={"Authorization": f"Bearer {partner_token}"},
                body=json.dumps(setup["proposal"]),
            ),
            expected=(201, 409),
        ),
    ]


# --- Sending requests --------------------------------------------------------------------
@dataclass
class Answer:
    status_code: int
    body: bytes = b""

    def json(self):
        return json.loads(self.body)


class Sender:
    """Sends a Call through Django's request handling: `wsgi`, the test client (Django's
    WSGI handler, CSRF checks on); `asgi`, the project's ASGI application itself
    (lms.asgi.application, as uvicorn calls it: the middleware and the view run through
    asgiref's threads). No cookie jar: every request carries exactly the cookies of its
    Call."""

    def __init__(self, handler: str):
        self.handler = handler
        if handler == "asgi":
            from lms.asgi import application

            self.application = application
            self.loop = asyncio.new_event_loop()
        else:
            from django.test import Client

            self.client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)

    def __call__(self, call: Call):
        if self.handler == "asgi":
            return self.loop.run_until_complete(self._asgi(call))
        self.client.cookies.clear()
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items()}
        if call.cookies:
            extra["HTTP_COOKIE"] = call.cookies
        kwargs = {}
        if call.body is not None:
            kwargs = {"data": call.body, "content_type": "application/json"}
        return getattr(self.client, call.method.lower())(call.path, **extra, **kwargs)

    async def _asgi(self, call: Call) -> Answer:
        path, _, query = call.path.partition("?")
        body = (call.body or "").encode()
        headers = [(b"host", HOST.encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in call.headers.items()]
        if call.cookies:
            headers.append((b"cookie", call.cookies.encode()))
        if call.body is not None:
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": call.method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": (HOST, 80),
        }
        answer = Answer(0)
        sent = False
        finished = asyncio.Event()

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()  # as a client that keeps the connection open
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                answer.status_code = message["status"]
            elif message["type"] == "http.response.body":
                answer.body += message.get("body", b"")
                if not message.get("more_body", False):
                    finished.set()

        await self.application(scope, receive, send)
        return answer
