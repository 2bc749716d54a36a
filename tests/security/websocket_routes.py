"""The WebSocket routes of the platform as tests/security/test_websocket_abuse.py abuses
them: for each route, how to set up its people (an abuser and a well-behaved bystander), what
everyone of the session or board must still receive, and the route's own odd messages;
and the helpers that read what a client was sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from lms.asgi import application
from lms.roles import Role
from tests.factories import OrganisationFactory, UserFactory

TIMEOUT = 5
ORIGIN = b"http://localhost"
# The `code` of every error the protocols document (live/PROTOCOL.md lists them all).
ERROR_CODES = {
    "invalid",
    "not_allowed",
    "not_found",
    "conflict",
    "unknown_type",
    "unauthenticated",
    "too_many_connections",
    "too_large",
    "rate_limited",
}
HUGE = 10**30  # past every database integer


# --- Clients -----------------------------------------------------------------------------
@dataclass
class Scene:
    """What a case needs: the route's path, its people (abuser, bystander, …) and objects."""

    path: str
    users: dict
    objects: dict = field(default_factory=dict)
    open: list = field(default_factory=list)  # communicators to disconnect at the end

    async def client(self, who: str | None, *, path: str | None = None, origin=ORIGIN):
        headers = [] if origin is None else [(b"origin", origin)]
        if who is not None:
            browser = Client()
            await sync_to_async(browser.force_login)(self.users[who])
            name = django_settings.SESSION_COOKIE_NAME
            cookie = f"{name}={browser.cookies[name].value}"
            headers.append((b"cookie", cookie.encode()))
        comm = WebsocketCommunicator(application, path or self.path, headers=headers)
        self.open.append(comm)
        return comm


async def next_of(comm: WebsocketCommunicator, kind: str, **match) -> dict:
    """The next message of this type (and these field values), skipping others (presence)."""
    for _ in range(100):
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message
    raise AssertionError(f"no {kind} {match}")


async def close_code(comm: WebsocketCommunicator) -> int:
    """The code the server closes this connection with (messages before it are skipped)."""
    for _ in range(100):
        output = await comm.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output.get("code")
    raise AssertionError("the connection was not closed")


async def refusal(comm: WebsocketCommunicator) -> tuple[dict | None, int]:
    """A refused connection: the error it was told (None when refused before accepting,
    which a browser sees without a reason) and the close code."""
    connected, code = await comm.connect(timeout=10)
    if not connected:
        return None, code
    error = await next_of(comm, "error")
    return error, await close_code(comm)


async def error_of(comm: WebsocketCommunicator) -> dict:
    error = await next_of(comm, "error")
    assert error["code"] in ERROR_CODES, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    return error


# --- The routes --------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    greeting: str  # the first message after connecting
    limits: tuple[str, str, str]  # settings: largest message, rate burst, rate per second
    build: Callable[[], Scene]  # runs in a thread
    carry_on: Callable[[Scene, WebsocketCommunicator], Awaitable[None]]
    # A message carrying text the route takes in (to carry odd text to the handler).
    text_message: Callable[[str], dict]
    # Known types with fields of the wrong type or out of range: (message, expected answer)
    bad_fields: tuple[tuple[dict, str], ...]
    unknown_type: str  # the answer to an unknown type: an error code, or "echo"
    forged: tuple[str, ...]  # channel-layer handler types a client must not be able to send
    own_cases: tuple[str, ...]  # cases of this route's scope (at least one)


async def connect(scene: Scene, route: Route, who: str, **kwargs) -> WebsocketCommunicator:
    comm = await scene.client(who, **kwargs)
    connected, _code = await comm.connect(timeout=10)
    assert connected, f"{who} could not connect to {scene.path}"
    assert (await comm.receive_json_from(timeout=TIMEOUT))["type"] == route.greeting
    return comm


async def answers_ping(comm: WebsocketCommunicator, n: int = 4242) -> None:
    """The connection is open and answering."""
    await comm.send_json_to({"type": "ping", "id": n})
    assert (await next_of(comm, "pong", id=n))["id"] == n


# The live classroom --------------------------------------------------------------------------
def _live_scene() -> Scene:
    from tests.live.factories import classroom_create

    trainer = UserFactory(username="ws-trainer", roles=[Role.TRAINER])
    abuser = UserFactory(username="ws-abuser", roles=[Role.OFFICER])
    bystander = UserFactory(username="ws-bystander", roles=[Role.OFFICER])
    session = classroom_create(trainer=trainer, participants=[abuser, bystander])
    return Scene(
        path=f"/ws/live/{session.pk}/",
        users={"trainer": trainer, "abuser": abuser, "bystander": bystander},
        objects={"session": session},
    )


async def _live_carry_on(scene: Scene, bystander: WebsocketCommunicator) -> None:
    await bystander.send_json_to({"type": "chat.send", "text": "carry on"})
    message = await next_of(bystander, "chat.message", text="carry on")
    assert message["author"]["id"] == scene.users["bystander"].pk


LIVE = Route(
    greeting="welcome",
    limits=("LIVE_MAX_MESSAGE_BYTES", "LIVE_RATE_BURST", "LIVE_RATE_PER_SECOND"),
    build=_live_scene,
    carry_on=_live_carry_on,
    text_message=lambda text: {"type": "chat.send", "text": text},
    bad_fields=(
        ({"type": "resume", "after": "yesterday"}, "invalid"),
        ({"type": "resume", "after": -1}, "invalid"),
        ({"type": "resume", "after": True}, "invalid"),
        ({"type": "resume", "after": 1.5}, "invalid"),
        ({"type": "resume", "after": HUGE}, "invalid"),
        ({"type": "chat.send", "text": 7}, "invalid"),
        ({"type": "chat.send", "text": ["a", "b"]}, "invalid"),
        ({"type": "chat.send", "text": {"$gt": ""}}, "invalid"),
        ({"type": "chat.send"}, "invalid"),
        ({"type": "question.ask", "text": None}, "invalid"),
        ({"type": "question.upvote", "id": "1 OR 1=1"}, "invalid"),
        ({"type": "question.upvote", "id": HUGE}, "invalid"),
        ({"type": "poll.vote", "poll_id": HUGE, "option": 0}, "invalid"),
        ({"type": "poll.vote", "poll_id": [1], "option": -1}, "invalid"),
        ({"type": "hand.lower", "user_id": "x"}, "invalid"),
        ({"type": "hand.lower", "user_id": -HUGE}, "invalid"),
        ({"type": "signal", "to": HUGE, "kind": "offer", "data": "x"}, "invalid"),
        ({"type": "signal", "to": 1, "kind": "<script>", "data": "x"}, "invalid"),
        ({"type": "chat.delete", "id": HUGE}, "not_allowed"),  # officers do not moderate
        ({"type": "follow.set", "lesson_id": None, "slide": HUGE}, "not_allowed"),
    ),
    unknown_type="unknown_type",
    forged=("live.event", "live.direct", "websocket.receive", "websocket.disconnect"),
    own_cases=("another_session", "objects_of_another_session", "moderator_fields"),
)


# The heartbeat ------------------------------------------------------------------------------
def _heartbeat_scene() -> Scene:
    abuser = UserFactory(username="ws-abuser", roles=[Role.OFFICER])
    bystander = UserFactory(username="ws-bystander", roles=[Role.OFFICER])
    return Scene(path="/ws/heartbeat/", users={"abuser": abuser, "bystander": bystander})


async def _heartbeat_carry_on(scene: Scene, bystander: WebsocketCommunicator) -> None:
    await answers_ping(bystander, 77)


HEARTBEAT = Route(
    greeting="hello",
    limits=("LIVE_MAX_MESSAGE_BYTES", "LIVE_RATE_BURST", "LIVE_RATE_PER_SECOND"),
    build=_heartbeat_scene,
    carry_on=_heartbeat_carry_on,
    text_message=lambda text: {"type": "ping", "id": text},
    # Ping takes any id and gives it back: odd ids are answered, never a crash.
    bad_fields=(
        ({"type": "ping", "id": {"deep": [1, [2, [3]]]}}, "pong"),
        ({"type": "ping", "id": HUGE}, "pong"),
        ({"type": "ping", "id": None}, "pong"),
    ),
    unknown_type="echo",  # the heartbeat echoes what it does not know, to the sender only
    forged=("websocket.receive", "websocket.disconnect", "live.event"),
    own_cases=("echo_reaches_only_the_sender",),
)


# The coordination board ---------------------------------------------------------------------
def _coordination_scene() -> Scene:
    from courses.models import ThematicArea

    # Transactional tests start from an empty database: no seeded thematic areas.
    ThematicArea.objects.get_or_create(slug="cybercrime", defaults={"name": "Cybercrime"})
    icmpd = OrganisationFactory(short_name="ICMPD", name="ICMPD")
    unodc = OrganisationFactory(short_name="UNODC", name="UNODC")
    return Scene(
        path="/ws/coordination/",
        users={
            "abuser": UserFactory(username="ws-abuser", roles=[Role.PARTNER], organisation=icmpd),
            "bystander": UserFactory(
                username="ws-bystander", roles=[Role.PARTNER], organisation=unodc
            ),
            "officer": UserFactory(username="ws-officer", roles=[Role.OFFICER]),
            "trainer": UserFactory(username="ws-trainer", roles=[Role.TRAINER]),
        },
    )


def _propose(user, title: str):
    from courses.models import ThematicArea
    from scheduling import services
    from tests.scheduling.factories import at, data

    return services.training_propose(
        user=user,
        data=data(
            organiser=user.organisation,
            title=title,
            starts_at=at(days=3),
            ends_at=at(days=3, hours=8),
            themes=[ThematicArea.objects.get(slug="cybercrime")],
        ),
        acknowledge_conflicts=True,
        reason="tests",
    )


async def _coordination_carry_on(scene: Scene, bystander: WebsocketCommunicator) -> None:
    training = await sync_to_async(_propose)(scene.users["bystander"], "Carry on")
    event = await next_of(bystander, "event")
    assert (event["kind"], event["training"]["id"]) == ("training.proposed", training.pk)


COORDINATION = Route(
    greeting="hello",
    limits=(
        "COORDINATION_MAX_MESSAGE_BYTES",
        "COORDINATION_RATE_BURST",
        "COORDINATION_RATE_PER_SECOND",
    ),
    build=_coordination_scene,
    carry_on=_coordination_carry_on,
    text_message=lambda text: {"type": "ping", "id": text},
    bad_fields=(
        ({"type": "resume", "after": "yesterday"}, "invalid"),
        ({"type": "resume", "after": -1}, "invalid"),
        ({"type": "resume", "after": True}, "invalid"),
        ({"type": "resume", "after": 1.5}, "invalid"),
        ({"type": "resume", "after": None}, "invalid"),
        ({"type": "resume", "after": [0]}, "invalid"),
        ({"type": "resume", "after": HUGE}, "invalid"),
    ),
    unknown_type="unknown_type",
    forged=("coordination.event", "websocket.receive", "websocket.disconnect"),
    own_cases=("not_on_the_board",),
)

# Keyed by the route's pattern, exactly as the routing table writes it.
ROUTES: dict[str, Route] = {
    "ws/heartbeat/": HEARTBEAT,
    "ws/live/<int:session_id>/": LIVE,
    "ws/coordination/": COORDINATION,
}


async def drain(comm: WebsocketCommunicator) -> list[dict]:
    """Every message that has come for this client (presence and the like)."""
    messages = []
    while not await comm.receive_nothing(timeout=0.3):
        messages.append(await comm.receive_json_from(timeout=TIMEOUT))
    return messages
