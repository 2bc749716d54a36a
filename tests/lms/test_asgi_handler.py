"""HTTP through the project's ASGI application (lms/handlers.py): pages are served as
before; a request runs in a thread of its own, taken from those earlier requests used."""

import asyncio
import threading

import pytest
from django.core.signals import request_started

from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db(transaction=True)


async def _get(application, path: str) -> tuple[int, bytes]:
    answer = {"status": 0, "body": b""}
    done = asyncio.Event()
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")
            if not message.get("more_body"):
                done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    await application(scope, receive, send)
    return answer["status"], answer["body"]


@pytest.fixture
def threads_of_requests():
    seen = []

    def started(**kwargs):
        seen.append(threading.get_ident())

    request_started.connect(started, dispatch_uid="test-asgi-threads")
    yield seen
    request_started.disconnect(dispatch_uid="test-asgi-threads")


def test_a_page_is_served_through_the_asgi_application():
    from lms.asgi import application

    course_create(title="Countering document fraud")

    status, body = asyncio.run(_get(application, "/courses/"))

    assert status == 200
    assert b"Countering document fraud" in body


def test_requests_one_after_the_other_reuse_a_thread(threads_of_requests):
    from lms.asgi import application

    async def one_then_another():
        await _get(application, "/courses/")
        await _get(application, "/courses/")

    asyncio.run(one_then_another())

    assert len(threads_of_requests) == 2
    assert threads_of_requests[0] == threads_of_requests[1]


def test_requests_at_the_same_time_each_have_a_thread(threads_of_requests):
    from lms.asgi import application

    async def together():
        return await asyncio.gather(*(_get(application, "/courses/") for _ in range(3)))

    answers = asyncio.run(together())

    assert [status for status, _body in answers] == [200, 200, 200]
    assert len(set(threads_of_requests)) == 3
