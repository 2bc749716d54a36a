"""Every WebSocket route against abusive clients.

The routes are discovered from the routing table (lms/routing.py): a route without an
entry in ROUTES, or an entry without every generic case and a case of its own scope,
fails `test_every_websocket_route_has_its_abuse_cases`, so a new route cannot be forgotten.

In each case one client (the abuser) misbehaves while a second, well-behaved client (the
bystander, another user of the same session or board) is connected. The abuser must get a
clear `error` with the protocol's code, be disconnected with the documented close code
where the protocol says so (4413 too large, 4429 rate limited; everything else leaves the
connection open and answering), the consumer must never crash, and the bystander must
still get the next message everyone gets. Protocols: live/PROTOCOL.md (the classroom and
the heartbeat), scheduling/PROTOCOL.md (the coordination board).
"""

from __future__ import annotations

import contextlib
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.conf import settings as django_settings

from lms.roles import Role
from tests.factories import UserFactory
from tests.security.websocket_routes import (
    HUGE,
    ROUTES,
    Route,
    Scene,
    answers_ping,
    close_code,
    connect,
    drain,
    error_of,
    next_of,
    refusal,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each async test has its own event loop; a layer bound to another loop must go."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


# --- Generic cases: every route ----------------------------------------------------------------
async def case_anonymous(route: Route, scene: Scene, bystander) -> None:
    error, code = await refusal(await scene.client(None))

    assert code == 4401
    assert error is None or error["code"] == "unauthenticated"


async def case_foreign_origin(route: Route, scene: Scene, bystander) -> None:
    """Signed in, but the page that opens the socket is not the site's (or says nothing)."""
    for origin in (b"https://evil.example", b"http://localhost.evil.example", b"null", None):
        comm = await scene.client("abuser", origin=origin)
        connected, _code = await comm.connect(timeout=10)
        assert connected is False, f"Origin {origin!r} was let in"


async def _expelled(route, scene, settings, send) -> None:
    abuser = await connect(scene, route, "abuser")
    await send(abuser)
    error = await error_of(abuser)
    assert error["code"] == "too_large"
    assert str(getattr(settings, route.limits[0])) in error["message"]
    assert await close_code(abuser) == 4413


async def case_oversized_text(route: Route, scene: Scene, bystander, settings) -> None:
    setattr(settings, route.limits[0], 512)

    async def send(comm):
        await comm.send_json_to(route.text_message("x" * 600))

    await _expelled(route, scene, settings, send)


async def case_oversized_binary(route: Route, scene: Scene, bystander, settings) -> None:
    setattr(settings, route.limits[0], 512)

    async def send(comm):
        await comm.send_to(bytes_data=b"\x00" * 513)

    await _expelled(route, scene, settings, send)


async def case_flood(route: Route, scene: Scene, bystander, settings) -> None:
    setattr(settings, route.limits[1], 5)
    setattr(settings, route.limits[2], 0.01)
    abuser = await connect(scene, route, "abuser")

    for n in range(12):
        await abuser.send_json_to({"type": "ping", "id": n})
    pongs = [(await next_of(abuser, "pong"))["id"] for _ in range(5)]
    error = await error_of(abuser)

    assert pongs == [0, 1, 2, 3, 4]
    assert error["code"] == "rate_limited"
    assert await close_code(abuser) == 4429


async def _each_invalid(route, scene, frames, *, code="invalid") -> None:
    abuser = await connect(scene, route, "abuser")
    for frame in frames:
        # As the server hands frames over (the communicator's send_to refuses empty ones).
        kind = "bytes" if isinstance(frame, bytes) else "text"
        await abuser.send_input({"type": "websocket.receive", kind: frame})
        error = await error_of(abuser)
        assert error["code"] == code, (frame[:80], error)
    await answers_ping(abuser)


async def case_malformed_json(route: Route, scene: Scene, bystander) -> None:
    await _each_invalid(
        route,
        scene,
        [
            "{not json",
            '{"type": "ping"',
            "",
            " ",
            "\x00",
            '{"type": "ping", "id": NaN}',  # not JSON (RFC 8259), though Python reads it
            '{"type": "ping", "id": -Infinity}',
            '{"type": "ping"}{"type": "ping"}',
        ],
    )


async def case_not_an_object(route: Route, scene: Scene, bystander) -> None:
    await _each_invalid(
        route,
        scene,
        [
            json.dumps(value)
            for value in (
                [],
                ["ping"],
                1,
                "ping",
                None,
                True,
                {},
                {"type": 1},
                {"type": None},
                {"type": ["ping"]},
                {"type": {"ping": 1}},
                {"id": 1},
            )
        ],
    )


async def case_binary_frame(route: Route, scene: Scene, bystander) -> None:
    """The protocol is JSON text: a binary frame, even of JSON, is refused (not a crash)."""
    await _each_invalid(route, scene, [b'{"type": "ping", "id": 1}', b"\x00\xff\xfe", b""])


async def case_deep_nesting(route: Route, scene: Scene, bystander) -> None:
    """JSON nested deeper than the parser recurses, yet under the size limit."""
    depth = min(5000, getattr(django_settings, route.limits[0]) // 2 - 64)
    await _each_invalid(
        route,
        scene,
        [
            '{"type": "ping", "id": ' + "[" * depth + "]" * depth + "}",
            '{"type": ' + "[" * depth + "]" * depth + "}",
        ],
    )


async def case_bad_unicode(route: Route, scene: Scene, bystander) -> None:
    """Lone surrogates (valid JSON escapes, but not text) in a value and in a key."""
    await _each_invalid(
        route,
        scene,
        [
            json.dumps(route.text_message("\ud800 broken")),
            json.dumps({**route.text_message("fine"), "\udfff": 1}),
        ],
    )


async def case_unknown_type(route: Route, scene: Scene, bystander) -> None:
    abuser = await connect(scene, route, "abuser")
    for kind in ("teleport", "PING", " ping", "__init__", "receive", "disconnect", "close"):
        await abuser.send_json_to({"type": kind, "ref": 9})
        if route.unknown_type == "echo":
            echo = await next_of(abuser, "echo")
            assert echo["message"] == {"type": kind, "ref": 9}
        else:
            error = await error_of(abuser)
            assert (error["code"], error.get("ref")) == (route.unknown_type, 9), (kind, error)
    await answers_ping(abuser)


async def case_bad_fields(route: Route, scene: Scene, bystander) -> None:
    abuser = await connect(scene, route, "abuser")
    for n, (message, expected) in enumerate(route.bad_fields):
        await abuser.send_json_to({**message, "ref": n})
        if expected == "pong":
            assert (await next_of(abuser, "pong"))["id"] == message["id"]
        else:
            error = await error_of(abuser)
            assert (error["code"], error.get("ref", n)) == (expected, n), (message, error)
    await answers_ping(abuser)


async def case_forged_event(route: Route, scene: Scene, bystander) -> None:
    """A client names the server's own channel-layer handlers: never run, never relayed."""
    abuser = await connect(scene, route, "abuser")
    forged = {"seq": 999, "kind": "training.cancelled", "text": '{"type": "chat.message"}'}
    for kind in route.forged:
        await abuser.send_json_to({"type": kind, "message": forged, "event": forged, **forged})
        if route.unknown_type == "echo":
            assert (await next_of(abuser, "echo"))["message"]["type"] == kind
        else:
            assert (await error_of(abuser))["code"] == route.unknown_type
    await answers_ping(abuser)
    assert not [m for m in await drain(bystander) if _forged_reached(m)]


def _forged_reached(message: dict) -> bool:
    return (
        message.get("seq") == 999
        or message.get("kind") == "training.cancelled"
        or (message["type"] in ("echo", "chat.message"))
    )


GENERIC = {
    "anonymous": case_anonymous,
    "foreign_origin": case_foreign_origin,
    "oversized_text": case_oversized_text,
    "oversized_binary": case_oversized_binary,
    "flood": case_flood,
    "malformed_json": case_malformed_json,
    "not_an_object": case_not_an_object,
    "binary_frame": case_binary_frame,
    "deep_nesting": case_deep_nesting,
    "bad_unicode": case_bad_unicode,
    "unknown_type": case_unknown_type,
    "bad_fields": case_bad_fields,
    "forged_event": case_forged_event,
}


# --- Cases of each route's own scope ---------------------------------------------------------
def _other_classroom(scene: Scene) -> dict:
    """A second session (another training, another course) with things in it, and a
    course with a lesson for the first one."""
    from live.models import ChatMessage, LiveConnection, Poll, Question
    from scheduling.models import Training
    from tests.courses.factories import course_create, lessons_of
    from tests.live.factories import classroom_create

    mine = course_create(code="WS-MINE-101", modules=1, lessons=1)
    theirs = course_create(code="WS-THEIRS-101", modules=1, lessons=1)
    Training.objects.filter(pk=scene.objects["session"].training_id).update(course=mine)
    stranger = UserFactory(username="ws-stranger", roles=[Role.OFFICER])
    other_trainer = UserFactory(username="ws-other-trainer", roles=[Role.TRAINER])
    other = classroom_create(trainer=other_trainer, participants=[stranger], course=theirs)
    return {
        "session": other,
        "message": ChatMessage.objects.create(session=other, author=stranger, text="theirs"),
        "question": Question.objects.create(session=other, author=stranger, text="theirs?"),
        "poll": Poll.objects.create(
            session=other, question="Theirs?", options=["a", "b"], created_by=other_trainer
        ),
        "peer": LiveConnection.objects.create(
            session=other, user=stranger, role="participant", channel_name="theirs.peer"
        ),
        "stranger": stranger,
        "their_lesson": lessons_of(theirs)[0],
        "my_lesson": lessons_of(mine)[0],
    }


async def case_another_session(route: Route, scene: Scene, bystander) -> None:
    """Connecting to a session one is not in, or to none at all: the same 4404."""
    other = await sync_to_async(_other_classroom)(scene)

    told = []
    for path in (f"/ws/live/{other['session'].pk}/", "/ws/live/999999/", f"/ws/live/{HUGE}/"):
        error, code = await refusal(await scene.client("abuser", path=path))
        assert (code, error["code"]) == (4404, "not_found"), path
        told.append(error["message"])
    assert len(set(told)) == 1  # a hidden session looks like a missing one


async def case_objects_of_another_session(route: Route, scene: Scene, bystander) -> None:
    """Messages naming another session's chat, questions, polls, people and peers are
    refused as not found, and change nothing there; a `session_id` in a message is not
    obeyed."""
    from live.models import ChatMessage, Mute, Poll, PollVote, Question, QuestionVote

    other = await sync_to_async(_other_classroom)(scene)
    trainer = await connect(scene, route, "trainer")
    abuser = await connect(scene, route, "abuser")

    for comm, message in (
        (trainer, {"type": "chat.delete", "id": other["message"].pk}),
        (trainer, {"type": "question.answer", "id": other["question"].pk}),
        (trainer, {"type": "poll.close", "poll_id": other["poll"].pk}),
        (trainer, {"type": "participant.mute", "user_id": other["stranger"].pk}),
        (trainer, {"type": "follow.set", "lesson_id": other["their_lesson"].pk, "slide": 0}),
        (abuser, {"type": "poll.vote", "poll_id": other["poll"].pk, "option": 0}),
        (abuser, {"type": "question.upvote", "id": other["question"].pk}),
        (abuser, {"type": "signal", "to": other["peer"].pk, "kind": "offer", "data": "sdp"}),
    ):
        await comm.send_json_to({**message, "ref": message["type"]})
        error = await error_of(comm)
        assert (error["code"], error["ref"]) == ("not_found", message["type"]), error
    await abuser.send_json_to(
        {"type": "chat.send", "text": "mine", "session_id": other["session"].pk}
    )
    said = await next_of(bystander, "chat.message", text="mine")

    def untouched():
        return (
            ChatMessage.objects.get(pk=other["message"].pk).deleted_at,
            Question.objects.get(pk=other["question"].pk).answered_at,
            Poll.objects.get(pk=other["poll"].pk).closed_at,
            Mute.objects.count(),
            PollVote.objects.count(),
            QuestionVote.objects.count(),
            ChatMessage.objects.get(pk=said["id"]).session_id,
        )

    assert await sync_to_async(untouched)() == (
        None,
        None,
        None,
        0,
        0,
        0,
        scene.objects["session"].pk,
    )


async def case_moderator_fields(route: Route, scene: Scene, bystander) -> None:
    """A moderator's messages with fields of the wrong type or out of range."""
    trainer = await connect(scene, route, "trainer")
    for n, message in enumerate(
        (
            {"type": "follow.set", "lesson_id": None, "slide": HUGE},
            {"type": "follow.set", "lesson_id": None, "slide": -1},
            {"type": "follow.set", "lesson_id": HUGE, "slide": 0},
            {"type": "follow.set", "lesson_id": "1", "slide": 0},
            {"type": "participant.mute", "user_id": HUGE},
            {"type": "participant.mute", "user_id": {"id": 1}},
            {"type": "chat.delete", "id": HUGE},
            {"type": "question.answer", "id": -HUGE},
            {"type": "poll.close", "poll_id": HUGE},
            {"type": "poll.create", "question": ["?"], "options": ["a", "b"]},
            {"type": "poll.create", "question": "?", "options": "ab"},
            {"type": "poll.create", "question": "?", "options": [{"a": 1}, 2]},
        )
    ):
        await trainer.send_json_to({**message, "ref": n})
        error = await error_of(trainer)
        assert error["code"] in ("invalid", "not_found") and error["ref"] == n, (message, error)
    await answers_ping(trainer)


async def case_echo_reaches_only_the_sender(route: Route, scene: Scene, bystander) -> None:
    abuser = await connect(scene, route, "abuser")
    await abuser.send_json_to({"type": "shout", "text": "everyone?"})

    assert (await next_of(abuser, "echo"))["message"]["text"] == "everyone?"
    assert await drain(bystander) == []


async def case_not_on_the_board(route: Route, scene: Scene, bystander) -> None:
    """Officers and trainers are no partners: refused with 4403, and told nothing."""
    for who in ("officer", "trainer"):
        comm = await scene.client(who)
        connected, code = await comm.connect(timeout=10)
        assert (connected, code) == (False, 4403), who


OWN = {
    "another_session": case_another_session,
    "objects_of_another_session": case_objects_of_another_session,
    "moderator_fields": case_moderator_fields,
    "echo_reaches_only_the_sender": case_echo_reaches_only_the_sender,
    "not_on_the_board": case_not_on_the_board,
}
CASES = {**GENERIC, **OWN}


def cases_of(route: Route) -> list[str]:
    return [*GENERIC, *route.own_cases]


# --- The tests -------------------------------------------------------------------------------
def test_every_websocket_route_has_its_abuse_cases():
    from lms.routing import websocket_urlpatterns

    routes = {str(route.pattern) for route in websocket_urlpatterns}

    assert routes - set(ROUTES) == set(), "WebSocket routes without abuse cases"
    assert set(ROUTES) - routes == set(), "abuse cases for routes that no longer exist"
    for pattern, route in ROUTES.items():
        assert route.own_cases, f"{pattern}: no case of its own scope"
        assert set(route.own_cases) <= set(OWN), pattern
        assert route.bad_fields, f"{pattern}: no message with fields of the wrong type"


@pytest.mark.parametrize(
    ("pattern", "case"),
    [(pattern, case) for pattern, route in ROUTES.items() for case in cases_of(route)],
)
async def test_abuse(pattern, case, settings):
    route = ROUTES[pattern]
    scene = await sync_to_async(route.build)()
    run = CASES[case]
    try:
        bystander = await connect(scene, route, "bystander")
        kwargs = {"settings": settings} if "settings" in run.__code__.co_varnames else {}

        await run(route, scene, bystander, **kwargs)

        # Whatever the abuser did, the bystander still gets what everyone gets.
        await route.carry_on(scene, bystander)
    finally:
        for comm in scene.open:
            with contextlib.suppress(BaseException):  # a crash is reported by the case
                await comm.disconnect()
