"""The live demo finds the scheduling demo's live training and welcomes its class, once."""

import io

import pytest

from live import demo
from live.models import ChatMessage, LiveRoom
from lms.roles import Role
from scheduling.demo import LIVE_TITLE
from tests.factories import UserFactory
from tests.live.factories import classroom_create

pytestmark = pytest.mark.django_db


def test_the_demo_welcomes_the_live_class_once():
    trainer = UserFactory(username="trainer", roles=[Role.TRAINER])
    session = classroom_create(trainer=trainer)
    session.training.title = LIVE_TITLE
    session.training.save()

    demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())

    assert LiveRoom.objects.filter(session=session).exists()
    assert list(ChatMessage.objects.values_list("author__username", flat=True)) == ["trainer"]


def test_without_the_scheduling_demo_it_says_so_and_does_nothing():
    out = io.StringIO()

    demo.seed(stdout=out)

    assert "skipped" in out.getvalue()
    assert not LiveRoom.objects.exists()
