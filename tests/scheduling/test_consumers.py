"""The coordination board over the real ASGI application: who may connect, live events
after the commit, and resuming after a dropped connection."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from lms.asgi import application
from lms.roles import Role
from scheduling import services
from tests.factories import OrganisationFactory, UserFactory
from tests.scheduling.factories import at, data

PATH = "/ws/coordination/"


def all_seqs() -> list[int]:
    from scheduling.models import CoordinationEvent

    return list(CoordinationEvent.objects.order_by("pk").values_list("pk", flat=True))


def last_seq() -> int:
    from scheduling.selectors import coordination_last_seq

    return coordination_last_seq()


async def connect_as(user=None, origin: bytes = b"http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin)]
    if user is not None:
        client = Client()
        await sync_to_async(client.force_login)(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, PATH, headers=headers)


@sync_to_async
def make_partner(username="partner"):
    from courses.models import ThematicArea

    # Transactional tests start from an empty database: no seeded thematic areas.
    for slug in ("cybercrime", "trafficking-in-human-beings"):
        ThematicArea.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    organisation = OrganisationFactory(short_name="ICMPD", name="ICMPD")
    return UserFactory(username=username, roles=[Role.PARTNER], organisation=organisation)


@sync_to_async
def propose(user, title: str, days: int = 0):
    from courses.models import ThematicArea

    return services.training_propose(
        user=user,
        data=data(
            organiser=user.organisation,
            title=title,
            starts_at=at(days=days),
            ends_at=at(days=days, hours=8),
            themes=[ThematicArea.objects.get(slug="cybercrime")],
        ),
        acknowledge_conflicts=True,
        reason="tests",
    )


@pytest.mark.django_db(transaction=True)
async def test_anonymous_connections_are_refused():
    comm = await connect_as()
    connected, code = await comm.connect(timeout=10)
    assert (connected, code) == (False, 4401)
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_officers_are_refused():
    officer = await sync_to_async(UserFactory)(username="officer", roles=[Role.OFFICER])
    comm = await connect_as(officer)
    connected, code = await comm.connect(timeout=10)
    assert (connected, code) == (False, 4403)
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_foreign_origin_is_refused_even_for_a_partner():
    partner = await make_partner()
    comm = await connect_as(partner, origin=b"https://evil.example")
    connected, _code = await comm.connect(timeout=10)
    assert connected is False
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_partner_sees_another_partners_proposal_live():
    watcher = await make_partner("watcher")
    other = await sync_to_async(UserFactory)(
        username="unodc",
        roles=[Role.PARTNER],
        organisation=await sync_to_async(OrganisationFactory)(short_name="UNODC"),
    )
    comm = await connect_as(watcher)
    connected, _ = await comm.connect(timeout=10)
    hello = await comm.receive_json_from(timeout=5)

    training = await propose(other, "Smuggling networks")
    event = await comm.receive_json_from(timeout=5)

    assert connected is True
    assert (hello["type"], hello["user"]) == ("hello", "watcher")
    assert event["type"] == "event"
    assert event["kind"] == "training.proposed"
    assert event["seq"] > hello["last"]
    assert event["training"]["id"] == training.pk
    assert event["training"]["title"] == "Smuggling networks"
    assert event["training"]["organiser"] == "UNODC"
    assert event["training"]["starts_at"] == "2030-03-04T09:00:00+05:00"
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_academy_confirming_reaches_the_board():
    partner = await make_partner()
    admin = await sync_to_async(UserFactory)(username="admin", roles=[Role.ADMIN])
    training = await propose(partner, "To confirm")
    comm = await connect_as(partner)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=5)

    await sync_to_async(services.training_approve)(user=admin, training=training)
    event = await comm.receive_json_from(timeout=5)

    assert (event["kind"], event["training"]["status"]) == ("training.confirmed", "confirmed")
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_reconnecting_client_fetches_what_it_missed():
    partner = await make_partner()
    await propose(partner, "Seen", days=0)
    seen = await sync_to_async(last_seq)()
    await propose(partner, "Missed one", days=100)
    await propose(partner, "Missed two", days=200)
    comm = await connect_as(partner)
    await comm.connect(timeout=10)
    hello = await comm.receive_json_from(timeout=5)

    await comm.send_json_to({"type": "resume", "after": seen})
    replay = await comm.receive_json_from(timeout=5)

    assert hello["last"] == seen + 2
    assert replay["type"] == "events"
    assert [e["training"]["title"] for e in replay["events"]] == ["Missed one", "Missed two"]
    assert [e["seq"] for e in replay["events"]] == [seen + 1, seen + 2]
    assert (replay["last"], replay["more"]) == (seen + 2, False)
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_resume_comes_in_pages(settings):
    settings.COORDINATION_RESUME_MAX = 2
    partner = await make_partner()
    start = await sync_to_async(last_seq)()
    for n in range(3):
        await propose(partner, f"Training {n}", days=n * 100)
    comm = await connect_as(partner)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=5)

    await comm.send_json_to({"type": "resume", "after": start})
    page_one = await comm.receive_json_from(timeout=5)
    await comm.send_json_to({"type": "resume", "after": page_one["last"]})
    page_two = await comm.receive_json_from(timeout=5)

    seqs = await sync_to_async(all_seqs)()
    assert len(seqs) == 3
    assert ([e["seq"] for e in page_one["events"]], page_one["more"]) == (seqs[:2], True)
    assert ([e["seq"] for e in page_two["events"]], page_two["more"]) == (seqs[2:], False)
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_bad_messages_get_an_error_and_ping_a_pong():
    partner = await make_partner()
    comm = await connect_as(partner)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=5)

    await comm.send_to(text_data="{not json")
    broken = await comm.receive_json_from(timeout=5)
    await comm.send_json_to({"type": "resume", "after": "yesterday"})
    bad_after = await comm.receive_json_from(timeout=5)
    await comm.send_json_to({"type": "ping", "id": 7})
    pong = await comm.receive_json_from(timeout=5)

    assert broken["type"] == bad_after["type"] == "error"
    assert pong == {"type": "pong", "id": 7}
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_draft_sends_nothing():
    partner = await make_partner()
    comm = await connect_as(partner)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=5)

    await sync_to_async(services.training_propose)(
        user=partner, data=await sync_to_async(data)(organiser=partner.organisation), draft=True
    )

    assert await comm.receive_nothing(timeout=0.5)
    await comm.disconnect()
