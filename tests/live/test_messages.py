"""Chat messages and questions carry the client's own id (`client_id`) and are stored once
however often the page sends them again (after a reconnection it cannot know whether the
server it was talking to stored them): the sender is told each is accepted, everyone gets
one event, bad ids and refusals are answered with the id they concern."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from live import messages, selectors
from live.models import ChatMessage, LiveEvent, LiveRoom, Question
from lms.roles import Role
from tests.factories import UserFactory
from tests.live.factories import classroom_create
from tests.live.ws import count, join, take, until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_chat_message_sent_again_is_stored_once_and_accepted_each_time(room):
    # given the officer's message, stored and answered
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    await officer.send_json_to({"type": "chat.send", "text": "Salaam", "client_id": "c-1_a"})
    accepted = await until(officer, "chat.accepted")
    message = await until(trainer, "chat.message")

    # when the page sends it again on the same connection, then after a reconnection
    await officer.send_json_to({"type": "chat.send", "text": "Salaam", "client_id": "c-1_a"})
    again = await until(officer, "chat.accepted")
    await officer.disconnect()
    back, welcome = await join(room["officer"], room["session"].pk)
    await back.send_json_to({"type": "chat.send", "text": "Salaam", "client_id": "c-1_a"})
    after_reconnecting = await until(back, "chat.accepted")

    # then one message, one event, and each copy accepted with the stored id
    assert accepted == {
        "type": "chat.accepted",
        "id": message["id"],
        "client_id": "c-1_a",
        "duplicate": False,
    }
    assert message["client_id"] == "c-1_a" and message["text"] == "Salaam"
    assert again == {**accepted, "duplicate": True}
    assert after_reconnecting == {**accepted, "duplicate": True}
    assert [m["client_id"] for m in welcome["chat"]] == ["c-1_a"]  # the page matches on reload
    assert await count(ChatMessage) == 1
    assert await count(LiveEvent, type="chat.message") == 1
    await until(trainer, "presence.left")
    await until(trainer, "presence.joined")
    assert await trainer.receive_nothing(timeout=0.3)  # no second chat.message
    await back.disconnect()
    await trainer.disconnect()


async def test_a_question_sent_again_is_stored_once_and_accepted(room):
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "question.ask", "text": "A T-visa?", "client_id": "q1"})
    answers = await take(officer, "question.asked", "question.accepted")
    asked, first = answers["question.asked"], answers["question.accepted"]
    await officer.send_json_to({"type": "question.ask", "text": "A T-visa?", "client_id": "q1"})
    again = await until(officer, "question.accepted")

    assert asked["client_id"] == "q1"
    assert first == {"type": "question.accepted", "id": asked["id"], "client_id": "q1"} | {
        "duplicate": False
    }
    assert again["id"] == asked["id"] and again["duplicate"] is True
    assert await count(Question) == 1
    assert await count(LiveEvent, type="question.asked") == 1
    assert await officer.receive_nothing(timeout=0.3)
    await officer.disconnect()


async def test_a_message_without_client_id_is_stored_each_time_as_before(room):
    officer, _ = await join(room["officer"], room["session"].pk)

    for _n in range(2):
        await officer.send_json_to({"type": "chat.send", "text": "old page"})
        message = await until(officer, "chat.message")
        assert message["client_id"] is None

    assert await count(ChatMessage) == 2
    assert await officer.receive_nothing(timeout=0.3)  # no chat.accepted for old pages
    await officer.disconnect()


@pytest.mark.parametrize("client_id", ["", "x" * 65, "two words", "ünï", "a/b", 7, ["a"]])
async def test_a_bad_client_id_is_refused_naming_the_field(room, client_id):
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "chat.send", "text": "hi", "client_id": client_id})
    error = await until(officer, "error")
    await officer.send_json_to({"type": "question.ask", "text": "hi?", "client_id": client_id})
    question_error = await until(officer, "error")

    assert error["code"] == question_error["code"] == "invalid"
    assert "client_id" in error["message"] and "64" in error["message"]
    assert [e["field"] for e in error["errors"]] == ["client_id"]
    assert error["client_id"] == client_id
    assert await count(ChatMessage) == await count(Question) == 0
    await officer.disconnect()


async def test_a_refusal_carries_the_client_id_of_the_message_it_refuses(room, settings):
    settings.LIVE_CHAT_MAX_CHARS = 10
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)

    await officer.send_json_to({"type": "chat.send", "text": "x" * 11, "client_id": "long1"})
    too_long = await until(officer, "error")
    await trainer.send_json_to(
        {"type": "participant.mute", "user_id": room["officer"].pk, "muted": True}
    )
    await until(officer, "participant.muted")
    await officer.send_json_to({"type": "chat.send", "text": "hello?", "client_id": "m1"})
    muted = await until(officer, "error")
    await officer.send_json_to({"type": "question.ask", "text": "may I?", "client_id": "m2"})
    muted_question = await until(officer, "error")

    assert (too_long["code"], too_long["client_id"]) == ("invalid", "long1")
    assert (muted["code"], muted["client_id"]) == ("not_allowed", "m1")
    assert (muted_question["code"], muted_question["client_id"]) == ("not_allowed", "m2")
    assert await count(ChatMessage) == await count(Question) == 0
    await trainer.disconnect()
    await officer.disconnect()


async def test_a_message_stored_before_its_author_was_muted_is_still_accepted(room):
    trainer, _ = await join(room["trainer"], room["session"].pk)
    officer, _ = await join(room["officer"], room["session"].pk)
    await officer.send_json_to({"type": "chat.send", "text": "just in time", "client_id": "t1"})
    stored = await until(officer, "chat.accepted")
    await trainer.send_json_to(
        {"type": "participant.mute", "user_id": room["officer"].pk, "muted": True}
    )
    await until(officer, "participant.muted")

    await officer.send_json_to({"type": "chat.send", "text": "just in time", "client_id": "t1"})
    again = await until(officer, "chat.accepted")

    assert again == {**stored, "duplicate": True}
    assert await count(ChatMessage) == 1
    await trainer.disconnect()
    await officer.disconnect()


async def test_two_copies_at_once_on_two_connections_store_one(room):
    # given the officer's page open twice (or a resend racing the original)
    first, _ = await join(room["officer"], room["session"].pk)
    second, _ = await join(room["officer"], room["session"].pk)
    copy = {"type": "chat.send", "text": "only once", "client_id": "same-id"}

    # when both send the same message at the same moment
    await asyncio.gather(first.send_json_to(copy), second.send_json_to(copy))
    answers = await asyncio.gather(until(first, "chat.accepted"), until(second, "chat.accepted"))

    # then one is stored, both are told so, and one event went out
    stored = await sync_to_async(ChatMessage.objects.get)()
    assert {a["id"] for a in answers} == {stored.pk}
    assert sorted(a["duplicate"] for a in answers) == [False, True]
    assert await count(LiveEvent, type="chat.message") == 1
    await first.disconnect()
    await second.disconnect()


def test_two_copies_in_concurrent_transactions_store_one(monkeypatch):
    """On PostgreSQL: the second insert waits on the first one's uncommitted row, then hits
    the unique constraint, and finds the committed message."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions: run with DATABASE_URL=postgres://...")
    officer = UserFactory(username="officer", roles=[Role.OFFICER])
    session = classroom_create(participants=[officer])
    LiveRoom.objects.create(session=session)
    not_muted = messages._not_muted

    def slow_check(access, user):
        time.sleep(0.3)  # the message is inserted, not committed: the copy must wait
        not_muted(access, user)

    monkeypatch.setattr(messages, "_not_muted", slow_check)
    start = threading.Barrier(2)
    results: list = []
    errors: list = []

    def send() -> None:
        try:
            access = selectors.classroom_access(user=officer, session_id=session.pk)
            start.wait(timeout=10)
            results.append(
                messages.chat_send(access=access, user=officer, text="once", client_id="race")
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert len({r.id for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True]
    assert ChatMessage.objects.filter(client_id="race").count() == 1
    assert LiveEvent.objects.filter(type="chat.message").count() == 1
