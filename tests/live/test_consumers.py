"""The WebSocket stack and the live classroom consumer, through the real ASGI application:
who may enter (and every refusal with its close code), every message type, numbered
events and their replay, limits."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from live.models import (
    AttendanceRecord,
    ChatMessage,
    HandRaise,
    LiveConnection,
    LiveEvent,
    Mute,
    Poll,
    PollVote,
    Question,
)
from lms.asgi import application
from lms.roles import Role
from scheduling.models import Training
from tests.factories import UserFactory
from tests.live.ws import TIMEOUT, count, join, refused, signed_in_communicator, until

pytestmark = pytest.mark.django_db(transaction=True)


# --- Helpers ---------------------------------------------------------------------------------
def communicator(user=None, origin: bytes = b"http://localhost") -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, "/ws/heartbeat/", headers=[(b"origin", origin)])
    comm.scope["user"] = user or AnonymousUser()
    return comm


# --- The heartbeat -------------------------------------------------------------------------
async def test_an_anonymous_connection_is_refused():
    comm = communicator()

    connected, code = await comm.connect(timeout=10)

    assert connected is False
    assert code == 4401
    await comm.disconnect()


async def test_a_signed_in_user_gets_pong_for_ping():
    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user)

    connected, _ = await comm.connect(timeout=10)
    hello = await comm.receive_json_from(timeout=2)
    await comm.send_json_to({"type": "ping", "id": 7})
    pong = await comm.receive_json_from(timeout=2)

    assert connected is True
    assert hello == {"type": "hello", "user": "aslam"}
    assert pong == {"type": "pong", "id": 7}
    await comm.disconnect()


async def test_malformed_messages_get_an_error_not_a_crash():
    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=2)

    await comm.send_to(text_data="{not json")
    error = await comm.receive_json_from(timeout=2)
    await comm.send_json_to({"type": "ping"})

    assert error["type"] == "error"
    assert (await comm.receive_json_from(timeout=2))["type"] == "pong"
    await comm.disconnect()


async def test_a_foreign_origin_is_refused_even_when_signed_in():
    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user, origin=b"https://evil.example")

    connected, _ = await comm.connect(timeout=10)

    assert connected is False
    await comm.disconnect()


# --- Who may enter ---------------------------------------------------------------------------
async def test_the_classroom_refuses_an_anonymous_connection_with_4401(room):
    comm = WebsocketCommunicator(
        application, f"/ws/live/{room['session'].pk}/", headers=[(b"origin", b"http://localhost")]
    )

    error, code = await refused(comm)

    assert (error["type"], error["code"], code) == ("error", "unauthenticated", 4401)
    await comm.disconnect()


async def test_the_classroom_refuses_someone_not_in_the_training_with_4404(room):
    stranger = await sync_to_async(UserFactory)(username="stranger", roles=[Role.OFFICER])
    comm = await signed_in_communicator(stranger, path=f"/ws/live/{room['session'].pk}/")

    error, code = await refused(comm)

    assert (error["code"], code) == ("not_found", 4404)
    assert await count(LiveConnection) == 0
    await comm.disconnect()


async def test_an_unknown_session_looks_the_same_as_a_forbidden_one(room):
    comm = await signed_in_communicator(room["officer"], path="/ws/live/999999/")

    error, code = await refused(comm)

    assert (error["code"], code) == ("not_found", 4404)
    await comm.disconnect()


async def test_a_nominee_not_yet_confirmed_is_refused(room):
    from scheduling.models import Nomination

    nominee = await sync_to_async(UserFactory)(username="nominee", roles=[Role.OFFICER])
    await sync_to_async(Nomination.objects.create)(
        training=room["session"].training, user=nominee, status=Nomination.Status.NOMINATED
    )
    comm = await signed_in_communicator(nominee, path=f"/ws/live/{room['session'].pk}/")

    _error, code = await refused(comm)

    assert code == 4404
    await comm.disconnect()


async def test_sessions_of_a_training_not_confirmed_are_closed_to_everyone(room):
    await sync_to_async(Training.objects.filter(pk=room["session"].training_id).update)(
        status=Training.Status.PROPOSED
    )
    comm = await signed_in_communicator(room["trainer"], path=f"/ws/live/{room['session'].pk}/")

    _error, code = await refused(comm)

    assert code == 4404
    await comm.disconnect()


async def test_a_foreign_origin_is_refused_at_the_handshake(room):
    comm = await signed_in_communicator(
        room["officer"], origin=b"https://evil.example", path=f"/ws/live/{room['session'].pk}/"
    )

    connected, _ = await comm.connect(timeout=10)

    assert connected is False
    await comm.disconnect()


async def test_too_many_connections_of_one_user_are_refused_with_4409(room, settings):
    settings.LIVE_MAX_CONNECTIONS_PER_USER = 1
    first, _welcome = await join(room["officer"], room["session"].pk)
    second = await signed_in_communicator(room["officer"], path=f"/ws/live/{room['session'].pk}/")

    error, code = await refused(second)

    assert (error["code"], code) == ("too_many_connections", 4409)
    await second.disconnect()
    await first.disconnect()


async def test_trainers_moderate_participants_do_not_and_staff_may_watch(room):
    admin = await sync_to_async(UserFactory)(username="director", roles=[Role.ADMIN])
    reviewer = await sync_to_async(UserFactory)(username="reviewer", roles=[Role.REVIEWER])

    trainer, as_trainer = await join(room["trainer"], room["session"].pk)
    officer, as_officer = await join(room["officer"], room["session"].pk)
    director, as_admin = await join(admin, room["session"].pk)
    watcher, as_reviewer = await join(reviewer, room["session"].pk)

    assert (as_trainer["you"]["role"], as_trainer["you"]["moderator"]) == ("trainer", True)
    assert (as_officer["you"]["role"], as_officer["you"]["moderator"]) == ("participant", False)
    assert (as_admin["you"]["role"], as_admin["you"]["moderator"]) == ("staff", True)
    assert (as_reviewer["you"]["role"], as_reviewer["you"]["moderator"]) == ("staff", False)
    assert as_officer["ice_servers"] and as_officer["limits"]["max_connections"] >= 1
    for comm in (trainer, officer, director, watcher):
        await comm.disconnect()


# --- Presence --------------------------------------------------------------------------------
async def test_presence_announces_who_joins_and_leaves_with_roles(room):
    trainer, welcome = await join(room["trainer"], room["session"].pk)
    officer, officer_welcome = await join(room["officer"], room["session"].pk)

    joined = await until(trainer, "presence.joined")
    while joined["user"]["id"] != room["officer"].pk:
        joined = await until(trainer, "presence.joined")
    await officer.disconnect()
    left = await until(trainer, "presence.left")

    assert joined["user"] == {
        "id": room["officer"].pk,
        "name": room["officer"].get_full_name(),
        "role": "participant",
    }
    assert joined["peer"] == officer_welcome["you"]["peer"]
    assert left == {
        "type": "presence.left",
        "peer": officer_welcome["you"]["peer"],
        "user_id": room["officer"].pk,
        "seq": left["seq"],
    }
    assert {p["user"]["id"] for p in officer_welcome["peers"]} == {
        room["trainer"].pk,
        room["officer"].pk,
    }
    assert welcome["seq"] < joined["seq"] < left["seq"]
    await trainer.disconnect()


async def test_a_disconnect_closes_the_connection_and_records_attendance(room):
    officer, _welcome = await join(room["officer"], room["session"].pk)

    await officer.disconnect()

    connection = await sync_to_async(LiveConnection.objects.get)(user=room["officer"])
    record = await sync_to_async(AttendanceRecord.objects.get)(user=room["officer"])
    assert connection.disconnected_at is not None
    assert record.first_joined_at == connection.connected_at


async def test_ping_gets_pong(room):
    officer, _welcome = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "ping", "id": "x"})

    assert await until(officer, "pong") == {"type": "pong", "id": "x"}
    await officer.disconnect()


# --- Chat and moderation -----------------------------------------------------------------------
async def test_chat_reaches_everyone_numbered_and_is_stored(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "chat.send", "text": "  <b>Salaam</b> everyone  "})
    to_trainer = await until(trainer, "chat.message")
    to_officer = await until(officer, "chat.message")

    assert to_trainer == to_officer
    assert to_trainer["text"] == "<b>Salaam</b> everyone"  # as written; pages insert it as text
    assert to_trainer["author"]["id"] == room["officer"].pk
    stored = await sync_to_async(ChatMessage.objects.get)()
    assert stored.text == "<b>Salaam</b> everyone" and stored.pk == to_trainer["id"]
    event = await sync_to_async(LiveEvent.objects.get)(seq=to_trainer["seq"])
    assert event.type == "chat.message"
    await trainer.disconnect()
    await officer.disconnect()


async def test_empty_or_overlong_chat_is_refused_with_a_reason(room, settings):
    settings.LIVE_CHAT_MAX_CHARS = 10
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "chat.send", "text": "   ", "ref": 1})
    empty = await until(officer, "error")
    await officer.send_json_to({"type": "chat.send", "text": "x" * 11, "ref": 2})
    long = await until(officer, "error")

    assert (empty["code"], empty["ref"], empty["errors"][0]["field"]) == ("invalid", 1, "text")
    assert (long["code"], long["ref"]) == ("invalid", 2)
    assert await count(ChatMessage) == 0
    await officer.disconnect()


async def test_a_trainer_deletes_a_message_and_a_participant_cannot(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    await officer.send_json_to({"type": "chat.send", "text": "off topic"})
    message = await until(officer, "chat.message")

    await officer.send_json_to({"type": "chat.delete", "id": message["id"]})
    refusal = await until(officer, "error")
    await trainer.send_json_to({"type": "chat.delete", "id": message["id"]})
    deleted = await until(officer, "chat.deleted")

    assert refusal["code"] == "not_allowed"
    assert deleted["id"] == message["id"] and deleted["by"]["id"] == room["trainer"].pk
    stored = await sync_to_async(ChatMessage.objects.get)()
    assert stored.deleted_at is not None and stored.deleted_by_id == room["trainer"].pk
    _again, state = await join(room["other"], room["session"].pk)
    assert state["chat"] == []  # deleted messages are not in the state of newcomers
    for comm in (trainer, officer, _again):
        await comm.disconnect()


async def test_a_muted_participant_cannot_chat_or_ask_until_unmuted(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await trainer.send_json_to(
        {"type": "participant.mute", "user_id": room["officer"].pk, "muted": True}
    )
    muted = await until(officer, "participant.muted")
    await officer.send_json_to({"type": "chat.send", "text": "hello?"})
    chat_refused = await until(officer, "error")
    await officer.send_json_to({"type": "question.ask", "text": "may I?"})
    ask_refused = await until(officer, "error")
    await officer.send_json_to(
        {"type": "participant.mute", "user_id": room["trainer"].pk, "muted": True}
    )
    mute_refused = await until(officer, "error")
    await trainer.send_json_to(
        {"type": "participant.mute", "user_id": room["officer"].pk, "muted": False}
    )
    unmuted = await until(officer, "participant.muted")
    await officer.send_json_to({"type": "chat.send", "text": "thank you"})
    chat = await until(officer, "chat.message")

    assert muted["user_id"] == room["officer"].pk and muted["muted"] is True
    assert chat_refused["code"] == ask_refused["code"] == mute_refused["code"] == "not_allowed"
    assert unmuted["muted"] is False and chat["text"] == "thank you"
    assert await count(Mute) == 0
    await trainer.disconnect()
    await officer.disconnect()


# --- Hands -------------------------------------------------------------------------------------
async def test_hands_queue_in_order_and_the_trainer_lowers_them(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    other, _ = await join(room["other"], room["session"].pk)

    await officer.send_json_to({"type": "hand.raise"})
    first = await until(trainer, "hand.raised")
    await other.send_json_to({"type": "hand.raise"})
    second = await until(trainer, "hand.raised")
    await officer.send_json_to({"type": "hand.raise"})
    twice = await until(officer, "error")
    await other.send_json_to({"type": "hand.lower", "user_id": room["officer"].pk})
    not_theirs = await until(other, "error")
    _late, state = await join(room["trainer"], room["session"].pk)
    await trainer.send_json_to({"type": "hand.lower", "user_id": room["officer"].pk})
    lowered = await until(officer, "hand.lowered")
    assert (await until(trainer, "hand.lowered"))["user_id"] == room["officer"].pk
    await other.send_json_to({"type": "hand.lower"})
    own = await until(trainer, "hand.lowered")

    assert [first["user"]["id"], second["user"]["id"]] == [room["officer"].pk, room["other"].pk]
    assert [h["user"]["id"] for h in state["hands"]] == [room["officer"].pk, room["other"].pk]
    assert twice["code"] == "conflict" and not_theirs["code"] == "not_allowed"
    assert lowered == {
        "type": "hand.lowered",
        "user_id": room["officer"].pk,
        "by": room["trainer"].pk,
        "seq": lowered["seq"],
    }
    assert own["user_id"] == room["other"].pk
    assert await count(HandRaise, lowered_at__isnull=True) == 0
    for comm in (trainer, officer, other, _late):
        await comm.disconnect()


# --- Questions ---------------------------------------------------------------------------------
async def test_questions_are_upvoted_once_and_answered_by_the_trainer(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    other, _ = await join(room["other"], room["session"].pk)

    await officer.send_json_to({"type": "question.ask", "text": "What is a T-visa?"})
    asked = await until(trainer, "question.asked")
    await other.send_json_to({"type": "question.upvote", "id": asked["id"]})
    voted = await until(trainer, "question.voted")
    await other.send_json_to({"type": "question.upvote", "id": asked["id"]})
    again = await until(other, "error")
    await officer.send_json_to({"type": "question.upvote", "id": asked["id"]})
    own = await until(officer, "error")
    await officer.send_json_to({"type": "question.answer", "id": asked["id"]})
    not_trainer = await until(officer, "error")
    await trainer.send_json_to({"type": "question.answer", "id": asked["id"]})
    answered = await until(other, "question.answered")

    assert (asked["text"], asked["votes"], asked["answered"]) == ("What is a T-visa?", 0, False)
    assert voted["votes"] == 1 and voted["user_id"] == room["other"].pk
    assert (again["code"], own["code"], not_trainer["code"]) == (
        "conflict",
        "invalid",
        "not_allowed",
    )
    assert answered["id"] == asked["id"]
    question = await sync_to_async(Question.objects.get)()
    assert question.answered_at is not None
    for comm in (trainer, officer, other):
        await comm.disconnect()


# --- Polls -------------------------------------------------------------------------------------
async def test_a_poll_is_run_by_the_trainer_voted_once_with_live_results_and_saved(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    other, _ = await join(room["other"], room["session"].pk)

    await officer.send_json_to({"type": "poll.create", "question": "?", "options": ["a", "b"]})
    not_trainer = await until(officer, "error")
    await trainer.send_json_to({"type": "poll.create", "question": "Ready?", "options": ["x"]})
    too_few = await until(trainer, "error")
    await trainer.send_json_to(
        {"type": "poll.create", "question": "Which document?", "options": ["Passport", "Visa"]}
    )
    opened = await until(officer, "poll.opened")
    await officer.send_json_to({"type": "poll.vote", "poll_id": opened["id"], "option": 1})
    first = await until(trainer, "poll.results")
    await officer.send_json_to({"type": "poll.vote", "poll_id": opened["id"], "option": 0})
    twice = await until(officer, "error")
    await trainer.send_json_to({"type": "poll.vote", "poll_id": opened["id"], "option": 0})
    trainer_vote = await until(trainer, "error")
    await other.send_json_to({"type": "poll.vote", "poll_id": opened["id"], "option": 7})
    no_option = await until(other, "error")
    await trainer.send_json_to({"type": "poll.close", "poll_id": opened["id"]})
    closed = await until(other, "poll.closed")
    await other.send_json_to({"type": "poll.vote", "poll_id": opened["id"], "option": 0})
    too_late = await until(other, "error")

    assert (not_trainer["code"], too_few["code"]) == ("not_allowed", "invalid")
    assert opened["options"] == ["Passport", "Visa"] and opened["counts"] == [0, 0]
    assert first["counts"] == [0, 1] and first["total"] == 1
    assert (twice["code"], trainer_vote["code"], no_option["code"], too_late["code"]) == (
        "conflict",
        "not_allowed",
        "invalid",
        "conflict",
    )
    assert closed["closed"] is True and closed["counts"] == [0, 1]
    poll = await sync_to_async(Poll.objects.get)()
    assert poll.closed_at is not None
    assert await count(PollVote, poll=poll) == 1
    for comm in (trainer, officer, other):
        await comm.disconnect()


# --- Follow-me ---------------------------------------------------------------------------------
async def test_follow_me_pushes_the_trainers_lesson_and_slide(room):
    from courses.models import LessonPage
    from tests.courses.factories import course_create

    lesson = await sync_to_async(
        lambda: LessonPage.objects.descendant_of(room["session"].training.course).first()
    )()
    foreign = await sync_to_async(
        lambda: LessonPage.objects.descendant_of(course_create(lessons=1)).first()
    )()
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await trainer.send_json_to({"type": "follow.set", "lesson_id": lesson.pk, "slide": 2})
    followed = await until(officer, "follow.changed")
    await trainer.send_json_to({"type": "follow.set", "lesson_id": foreign.pk, "slide": 0})
    not_this_course = await until(trainer, "error")
    await officer.send_json_to({"type": "follow.set", "lesson_id": lesson.pk, "slide": 0})
    not_trainer = await until(officer, "error")
    late, state = await join(room["other"], room["session"].pk)

    assert followed["lesson"] == {"id": lesson.pk, "title": lesson.title}
    assert followed["slide"] == 2
    assert (not_this_course["code"], not_trainer["code"]) == ("not_found", "not_allowed")
    assert state["follow"] == {"lesson": {"id": lesson.pk, "title": lesson.title}, "slide": 2}
    for comm in (trainer, officer, late):
        await comm.disconnect()


# --- Session start and end ---------------------------------------------------------------------
async def test_the_trainer_starts_and_ends_the_session_and_attendance_is_worked_out(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "session.start"})
    not_trainer = await until(officer, "error")
    await trainer.send_json_to({"type": "session.start"})
    started = await until(officer, "session.started")
    await trainer.send_json_to({"type": "session.end"})
    ended = await until(officer, "session.ended")
    await trainer.send_json_to({"type": "session.end"})
    not_running = await until(trainer, "error")

    assert not_trainer["code"] == "not_allowed" and not_running["code"] == "conflict"
    assert started["at"] <= ended["at"]
    records = await sync_to_async(
        lambda: {r.user_id: r.status for r in AttendanceRecord.objects.all()}
    )()
    # both were there throughout; the other participant never came
    assert records == {
        room["trainer"].pk: "present",
        room["officer"].pk: "present",
        room["other"].pk: "absent",
    }
    await trainer.disconnect()
    await officer.disconnect()


# --- WebRTC signalling -------------------------------------------------------------------------
async def test_signalling_reaches_the_addressed_peer_only(room):
    trainer, trainer_welcome = await join(room["trainer"], room["session"].pk)
    officer, officer_welcome = await join(room["officer"], room["session"].pk)
    other, _ = await join(room["other"], room["session"].pk)

    await officer.send_json_to({"type": "video.join"})
    joined = await until(trainer, "video.joined")
    await until(other, "video.joined")
    offer = {"type": "offer", "sdp": "v=0..."}
    await trainer.send_json_to(
        {"type": "signal", "to": officer_welcome["you"]["peer"], "kind": "offer", "data": offer}
    )
    received = await until(officer, "signal")
    await officer.send_json_to(
        {"type": "signal", "to": trainer_welcome["you"]["peer"], "kind": "ice", "data": {"c": 1}}
    )
    ice = await until(trainer, "signal")
    await officer.send_json_to({"type": "signal", "to": 999999, "kind": "answer", "data": {}})
    nobody = await until(officer, "error")
    await officer.send_json_to({"type": "signal", "to": 1, "kind": "bogus", "data": {}})
    bad_kind = await until(officer, "error")
    await officer.send_json_to({"type": "video.leave"})
    left = await until(trainer, "video.left")

    assert joined["peer"] == officer_welcome["you"]["peer"]
    assert received == {
        "type": "signal",
        "from": trainer_welcome["you"]["peer"],
        "from_user": room["trainer"].pk,
        "kind": "offer",
        "data": offer,
    }
    assert "seq" not in received  # not stored, not replayed
    assert ice["kind"] == "ice" and ice["from"] == officer_welcome["you"]["peer"]
    assert (nobody["code"], bad_kind["code"]) == ("not_found", "invalid")
    assert left["peer"] == officer_welcome["you"]["peer"]
    # the third person saw the video announcements but none of the signalling
    assert (await until(other, "video.left"))["peer"] == officer_welcome["you"]["peer"]
    assert await other.receive_nothing(timeout=0.3)
    for comm in (trainer, officer, other):
        await comm.disconnect()


async def test_built_in_video_is_for_small_groups(room, settings):
    settings.LIVE_WEBRTC_MAX_PEERS = 1
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await trainer.send_json_to({"type": "video.join"})
    await until(officer, "video.joined")
    await officer.send_json_to({"type": "video.join"})
    full = await until(officer, "error")

    assert full["code"] == "conflict"
    await trainer.disconnect()
    await officer.disconnect()


# --- Numbered events and replay ------------------------------------------------------------------
async def test_a_reconnecting_client_gets_everything_it_missed_in_order(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, welcome = await join(room["officer"], room["session"].pk)
    seen = welcome["seq"]  # the state it was welcomed with (its own arrival included)
    await officer.disconnect()  # the officer's network drops

    for text in ("one", "two", "three"):
        await trainer.send_json_to({"type": "chat.send", "text": text})
        await until(trainer, "chat.message")
    back, _ = await join(room["officer"], room["session"].pk)
    await back.send_json_to({"type": "resume", "after": seen})
    replayed = []
    while True:
        message = await back.receive_json_from(timeout=TIMEOUT)
        if message["type"] == "resumed":
            break
        if message.get("replay"):
            replayed.append(message)

    assert [m["seq"] for m in replayed] == list(range(seen + 1, seen + 1 + len(replayed)))
    assert [m["text"] for m in replayed if m["type"] == "chat.message"] == ["one", "two", "three"]
    assert replayed[0]["type"] == "presence.left"
    await trainer.disconnect()
    await back.disconnect()


async def test_when_too_much_was_missed_the_client_gets_a_fresh_state(room, settings):
    settings.LIVE_REPLAY_MAX = 2
    trainer, _ = await join(room["trainer"], room["session"].pk)
    for text in ("one", "two", "three"):
        await trainer.send_json_to({"type": "chat.send", "text": text})
        await until(trainer, "chat.message")

    await trainer.send_json_to({"type": "resume", "after": 0})
    state = await until(trainer, "state")

    assert [m["text"] for m in state["chat"]] == ["one", "two", "three"]
    assert (
        state["seq"]
        == await sync_to_async(lambda: LiveEvent.objects.order_by("-seq").first().seq)()
    )
    await trainer.send_json_to({"type": "resume", "after": "x"})
    assert (await until(trainer, "error"))["code"] == "invalid"
    await trainer.disconnect()


# --- Limits and bad input --------------------------------------------------------------------
async def test_unknown_types_and_malformed_json_get_errors_and_the_connection_stays(room):
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_to(text_data="{not json")
    malformed = await until(officer, "error")
    await officer.send_json_to(["not", "an", "object"])
    not_object = await until(officer, "error")
    await officer.send_json_to({"type": "teleport", "ref": 9})
    unknown = await until(officer, "error")
    await officer.send_json_to({"type": "ping"})

    assert (malformed["code"], not_object["code"]) == ("invalid", "invalid")
    assert (unknown["code"], unknown["ref"]) == ("unknown_type", 9)
    assert (await until(officer, "pong"))["type"] == "pong"
    await officer.disconnect()


async def test_an_oversized_message_gets_an_error_and_closes_4413_others_unaffected(room, settings):
    settings.LIVE_MAX_MESSAGE_BYTES = 200
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "chat.send", "text": "x" * 500})
    error = await until(officer, "error")
    close = await officer.receive_output(timeout=TIMEOUT)
    await trainer.send_json_to({"type": "chat.send", "text": "still here"})

    assert error["code"] == "too_large"
    assert close == {"type": "websocket.close", "code": 4413}
    assert (await until(trainer, "chat.message"))["text"] == "still here"
    assert await count(ChatMessage) == 1
    await officer.disconnect()
    await trainer.disconnect()


async def test_a_flooding_client_is_told_and_disconnected_4429_others_unaffected(room, settings):
    settings.LIVE_RATE_BURST = 5
    settings.LIVE_RATE_PER_SECOND = 0.01
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    for n in range(8):
        await officer.send_json_to({"type": "ping", "id": n})
    pongs = [await until(officer, "pong") for _ in range(5)]
    error = await until(officer, "error")
    close = await officer.receive_output(timeout=TIMEOUT)
    await trainer.send_json_to({"type": "chat.send", "text": "carry on"})

    assert [p["id"] for p in pongs] == [0, 1, 2, 3, 4]
    assert error["code"] == "rate_limited"
    assert close == {"type": "websocket.close", "code": 4429}
    assert (await until(trainer, "chat.message"))["text"] == "carry on"
    await officer.disconnect()
    await trainer.disconnect()
