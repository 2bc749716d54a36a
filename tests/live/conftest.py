"""Every test starts with a new channel layer: each async test runs in its own event loop,
and channels-redis' core layer keeps locks bound to the loop that first used it. `room`:
a running classroom for the consumer tests (tests/live/ws.py connects to it)."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers

from lms.roles import Role
from tests.factories import UserFactory
from tests.live.factories import classroom_create


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
async def room():
    """A running classroom: a trainer, two confirmed officers, a course with lessons."""
    from tests.courses.factories import course_create

    def build():
        course = course_create(modules=1, lessons=2)
        trainer = UserFactory(username="trainer", roles=[Role.TRAINER])
        officer = UserFactory(username="officer", roles=[Role.OFFICER])
        other = UserFactory(username="other", roles=[Role.OFFICER])
        session = classroom_create(trainer=trainer, participants=[officer, other], course=course)
        return {"session": session, "trainer": trainer, "officer": officer, "other": other}

    return await sync_to_async(build)()
