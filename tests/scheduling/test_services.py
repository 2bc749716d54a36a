"""The workflow: propose, approve or send back, cancel, complete; nominations with capacity
and a waiting list; conflicts acknowledged with a reason; notifications and board events."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from courses.models import Enrolment
from lms.exceptions import NotAllowed, ServiceError
from lms.models import AuditEvent, Notification, Organisation
from lms.roles import Role
from scheduling import services
from scheduling.conflicts import Kind, TrainingConflicts
from scheduling.models import (
    CalendarFeed,
    ConflictAcknowledgement,
    CoordinationEvent,
    Nomination,
    Training,
)
from tests.courses.factories import course_create
from tests.factories import OrganisationFactory, UserFactory
from tests.scheduling.factories import (
    at,
    coordinator,
    data,
    officer,
    partner_org,
    session,
    themes,
    trainer,
    training,
)

pytestmark = pytest.mark.django_db
Status = Training.Status


@pytest.fixture
def icmpd(users):
    return users["partner"].organisation


# --- Proposing ---------------------------------------------------------------------------
def test_a_coordinator_proposes_for_their_organisation(
    users, icmpd, django_capture_on_commit_callbacks
):
    taught_by = trainer(user=users["trainer"])

    with django_capture_on_commit_callbacks(execute=True):
        t = services.training_propose(
            user=users["partner"],
            data=data(
                organiser=icmpd,
                trainers=[taught_by],
                audience=[("unit", " FIA  Lahore Zone "), ("rank", "Inspector")],
                sessions=[session(hours=1, title="Opening")],
            ),
        )

    assert t.status == Status.PROPOSED
    assert t.proposed_by == users["partner"]
    assert [(a.trainer, a.role) for a in t.assignments.all()] == [(taught_by, "lead")]
    assert sorted((a.kind, a.value) for a in t.audience.all()) == [
        ("rank", "Inspector"),
        ("unit", "FIA Lahore Zone"),
    ]
    assert [s.title for s in t.sessions.all()] == ["Opening"]
    assert CoordinationEvent.objects.get().kind == "training.proposed"
    assert Notification.objects.filter(user=users["trainer"], url=t.get_absolute_url()).exists()


def test_a_coordinator_cannot_propose_for_another_organisation(users):
    with pytest.raises(NotAllowed):
        services.training_propose(user=users["partner"], data=data(organiser=partner_org()))
    assert not Training.objects.exists()


@pytest.mark.parametrize("who", ["officer", "trainer", "reviewer"])
def test_only_coordinators_and_admins_propose(users, icmpd, who):
    with pytest.raises(NotAllowed):
        services.training_propose(user=users[who], data=data(organiser=icmpd))


def test_an_administrator_proposes_for_any_organisation(users):
    t = services.training_propose(user=users["admin"], data=data(organiser=partner_org()))
    assert t.status == Status.PROPOSED


def test_bad_input_names_the_fields_and_saves_nothing(users, icmpd):
    with pytest.raises(ServiceError) as error:
        services.training_propose(
            user=users["partner"],
            data=data(
                organiser=icmpd,
                title=" ",
                ends_at=at(hours=-1),
                themes=[],
                modality=Training.Modality.IN_PERSON,
                time_zone="Mars/Olympus",
                capacity=0,
            ),
        )
    fields = {item.field for item in error.value.errors}
    assert {"title", "ends_at", "themes", "venue", "time_zone", "capacity"} <= fields
    assert not Training.objects.exists()


def test_sessions_must_lie_within_the_training(users, icmpd):
    with pytest.raises(ServiceError) as error:
        services.training_propose(
            user=users["partner"],
            data=data(organiser=icmpd, sessions=[session(hours=1), session(days=5)]),
        )
    assert [(item.field, item.line) for item in error.value.errors] == [("sessions", 2)]


def test_the_course_gives_its_themes_when_none_are_chosen(users, icmpd):
    course = course_create(code="TST-S-1", themes=["document-fraud", "border-management"])
    t = services.training_propose(
        user=users["partner"], data=data(organiser=icmpd, course=course, themes=[])
    )
    assert {th.slug for th in t.themes.all()} == {"document-fraud", "border-management"}


def test_a_draft_is_not_announced_or_checked(users, icmpd, django_capture_on_commit_callbacks):
    training(organiser=partner_org())  # would be a same-theme conflict
    with django_capture_on_commit_callbacks(execute=True):
        t = services.training_propose(user=users["partner"], data=data(organiser=icmpd), draft=True)
    assert t.status == Status.DRAFT
    assert not CoordinationEvent.objects.exists()


# --- Conflicts ---------------------------------------------------------------------------
def test_a_clashing_proposal_is_refused_with_every_conflict(users, icmpd):
    other = training(organiser=partner_org("UNODC"))

    with pytest.raises(TrainingConflicts) as error:
        services.training_propose(user=users["partner"], data=data(organiser=icmpd))

    assert error.value.status == 409
    assert [(c.kind, c.training) for c in error.value.errors] == [(Kind.SAME_THEME, other.pk)]
    assert Training.objects.count() == 1


def test_acknowledging_needs_a_reason(users, icmpd):
    training(organiser=partner_org())
    with pytest.raises(ServiceError) as error:
        services.training_propose(
            user=users["partner"], data=data(organiser=icmpd), acknowledge_conflicts=True
        )
    assert [item.field for item in error.value.errors] == ["reason"]
    assert Training.objects.count() == 1


def test_an_acknowledged_proposal_records_the_reason_tells_the_other_side_and_the_board(
    users, icmpd, django_capture_on_commit_callbacks
):
    unodc = partner_org("UNODC")
    other = training(organiser=unodc, title="UNODC course")
    their_coordinator = coordinator(unodc)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        t = services.training_propose(
            user=users["partner"],
            data=data(organiser=icmpd),
            acknowledge_conflicts=True,
            reason="A refresher, agreed with UNODC.",
        )

    ack = ConflictAcknowledgement.objects.get()
    assert (ack.training, ack.by, ack.reason) == (
        t,
        users["partner"],
        "A refresher, agreed with UNODC.",
    )
    assert ack.conflicts[0]["kind"] == Kind.SAME_THEME
    assert ack.conflicts[0]["training"] == other.pk
    notice = Notification.objects.get(user=their_coordinator)
    assert "A refresher, agreed with UNODC." in notice.body
    assert "UNODC course" in notice.body
    assert not Notification.objects.filter(user=users["partner"]).exists()
    assert [e.kind for e in CoordinationEvent.objects.order_by("pk")] == [
        "training.proposed",
        "conflicts.detected",
    ]
    assert any(their_coordinator.email in m.to for m in mail.outbox)


def test_acknowledging_only_covers_the_conflicts_seen(users, icmpd):
    training(organiser=partner_org())
    with pytest.raises(TrainingConflicts) as error:
        services.training_propose(
            user=users["partner"],
            data=data(organiser=icmpd),
            acknowledge_conflicts=True,
            acknowledged_keys={"same_theme:999::"},
            reason="seen",
        )
    assert "New conflicts" in error.value.detail


# --- Changing ----------------------------------------------------------------------------
def test_changing_times_raises_the_calendar_sequence_and_checks_conflicts(users, icmpd):
    t = training(organiser=icmpd, theme_slugs=("cybercrime",))
    clash = training(
        organiser=partner_org(), theme_slugs=("document-fraud",), starts_at=at(days=10)
    )
    change = services.TrainingInput.from_training(t)
    change.starts_at, change.ends_at = at(days=10), at(days=11)
    change.themes = themes("document-fraud")

    with pytest.raises(TrainingConflicts) as error:
        services.training_update(user=users["partner"], training=t, data=change)
    updated = services.training_update(
        user=users["partner"], training=t, data=change, acknowledge_conflicts=True, reason="ok"
    )

    assert [c.training for c in error.value.errors] == [clash.pk]
    assert updated.sequence == t.sequence + 1
    assert updated.starts_at == at(days=10)


def test_sessions_are_matched_by_start_and_kept(users, icmpd):
    t = training(organiser=icmpd, sessions=[(at(hours=1), 60), (at(days=1), 60)])
    first, second = t.sessions.all()
    change = services.TrainingInput.from_training(t)
    change.sessions = [
        services.SessionInput(starts_at=at(hours=1), duration_minutes=120, title="Longer"),
        services.SessionInput(starts_at=at(days=1, hours=2), duration_minutes=30),
    ]

    services.training_update(user=users["partner"], training=t, data=change)

    sessions = list(t.sessions.order_by("starts_at"))
    assert sessions[0].pk == first.pk and sessions[0].duration_minutes == 120
    assert sessions[1].pk != second.pk
    assert len(sessions) == 2


def test_another_organisation_cannot_change_it(users):
    t = training(organiser=partner_org())
    with pytest.raises(NotAllowed):
        services.training_update(
            user=users["partner"], training=t, data=services.TrainingInput.from_training(t)
        )


def test_a_draft_is_submitted_by_saving_with_submit(users, icmpd):
    t = training(organiser=icmpd, status=Status.DRAFT)
    saved = services.training_update(
        user=users["partner"], training=t, data=services.TrainingInput.from_training(t), submit=True
    )
    assert saved.status == Status.PROPOSED


# --- The Academy's decision --------------------------------------------------------------
def test_the_academy_approves(users, icmpd, django_capture_on_commit_callbacks):
    t = training(organiser=icmpd, status=Status.PROPOSED, trainers=[trainer(user=users["trainer"])])

    with django_capture_on_commit_callbacks(execute=True):
        services.training_approve(user=users["reviewer"], training=t)

    t.refresh_from_db()
    assert (t.status, t.approved_by) == (Status.CONFIRMED, users["reviewer"])
    assert t.approved_at is not None
    assert Notification.objects.filter(
        user=users["partner"], subject__contains="confirmed"
    ).exists()
    assert Notification.objects.filter(user=users["trainer"]).exists()
    assert CoordinationEvent.objects.get().kind == "training.confirmed"
    assert AuditEvent.objects.get(action="training_approved").actor == users["reviewer"]


def test_partners_cannot_approve_and_only_proposals_are_approved(users, icmpd):
    t = training(organiser=icmpd, status=Status.PROPOSED)
    with pytest.raises(NotAllowed):
        services.training_approve(user=users["partner"], training=t)
    services.training_approve(user=users["admin"], training=t)
    with pytest.raises(ServiceError):
        services.training_approve(user=users["admin"], training=t)


def test_the_academy_sends_back_with_a_note(users, icmpd):
    t = training(organiser=icmpd, status=Status.PROPOSED)
    with pytest.raises(ServiceError):
        services.training_send_back(user=users["admin"], training=t, note=" ")

    services.training_send_back(user=users["admin"], training=t, note="Move it to April.")

    t.refresh_from_db()
    assert (t.status, t.review_note) == (Status.DRAFT, "Move it to April.")
    assert Notification.objects.get(user=users["partner"]).body == "Move it to April."


def test_cancelling_tells_participants_and_trainers(
    users, icmpd, django_capture_on_commit_callbacks
):
    t = training(organiser=icmpd, trainers=[trainer(user=users["trainer"])])
    Nomination.objects.create(training=t, user=users["officer"], status="confirmed")

    with django_capture_on_commit_callbacks(execute=True):
        services.training_cancel(user=users["partner"], training=t, reason="Floods in Lahore.")

    t.refresh_from_db()
    assert (t.status, t.cancel_reason, t.sequence) == (Status.CANCELLED, "Floods in Lahore.", 1)
    assert {n.user.username for n in Notification.objects.all()} == {"officer", "trainer"}
    assert CoordinationEvent.objects.get().kind == "training.cancelled"
    with pytest.raises(ServiceError):
        services.training_cancel(user=users["partner"], training=t)


def test_completing_records_each_trainers_delivery(users, icmpd):
    from trainers.models import Delivery

    course = course_create(code="TST-S-2", themes=["trafficking-in-human-beings"])
    lead, co = trainer(), trainer()
    t = training(
        organiser=icmpd,
        course=course,
        trainers=[lead, co],
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=2),
    )
    for _ in range(3):
        Nomination.objects.create(training=t, user=officer(), status="confirmed")

    services.training_complete(user=users["partner"], training=t)

    t.refresh_from_db()
    assert (t.status, t.participants_reached) == (Status.COMPLETED, 3)
    deliveries = Delivery.objects.filter(source=f"training:{t.pk}")
    assert {d.trainer for d in deliveries} == {lead, co}
    assert {d.participants_reached for d in deliveries} == {3}
    assert {d.course for d in deliveries} == {course}


def test_a_future_training_cannot_be_completed(users, icmpd):
    t = training(organiser=icmpd, starts_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ServiceError):
        services.training_complete(user=users["partner"], training=t)


# --- Nominations -------------------------------------------------------------------------
def test_nominations_fill_the_capacity_then_the_waiting_list(users, icmpd):
    course = course_create(code="TST-N-1", themes=["trafficking-in-human-beings"])
    t = training(organiser=icmpd, course=course, capacity=2, starts_at=at(days=3))
    people = [officer() for _ in range(3)]

    nominations = services.nomination_create(training=t, users=people, by=users["partner"])

    assert [n.status for n in nominations] == ["confirmed", "confirmed", "waitlisted"]
    enrolled = set(
        Enrolment.objects.filter(course=course, source="schedule").values_list("user", flat=True)
    )
    assert enrolled == {people[0].pk, people[1].pk}
    subjects = dict(Notification.objects.values_list("user__username", "subject"))
    assert "waiting list" in subjects[people[2].username]
    assert "place" in subjects[people[0].username]


def test_withdrawing_moves_the_waiting_list_up(users, icmpd):
    course = course_create(code="TST-N-2", themes=["trafficking-in-human-beings"])
    t = training(organiser=icmpd, course=course, capacity=1, starts_at=at(days=3))
    first, second, third = officer(), officer(), officer()
    services.nomination_create(training=t, users=[first, second, third], by=users["partner"])

    services.nomination_withdraw(nomination=Nomination.objects.get(user=first), by=first)

    statuses = dict(Nomination.objects.values_list("user__username", "status"))
    assert statuses == {
        first.username: "withdrawn",
        second.username: "confirmed",
        third.username: "waitlisted",
    }
    assert Enrolment.objects.get(user=first, course=course).status == "withdrawn"
    assert Enrolment.objects.get(user=second, course=course).status == "active"
    assert Notification.objects.filter(user=second, subject__contains="freed up").exists()


def test_withdrawing_keeps_an_enrolment_the_officer_made_themselves(users, icmpd):
    course = course_create(code="TST-N-3", themes=["trafficking-in-human-beings"])
    person = officer()
    Enrolment.objects.create(user=person, course=course, source="self")
    t = training(organiser=icmpd, course=course, starts_at=at(days=3))
    services.nomination_create(training=t, users=[person], by=users["partner"])

    services.nomination_withdraw(nomination=Nomination.objects.get(user=person), by=person)

    assert Enrolment.objects.get(user=person, course=course).status == "active"


def test_declining_frees_the_seat_too(users, icmpd):
    t = training(organiser=icmpd, capacity=1, starts_at=at(days=3))
    first, second = officer(), officer()
    services.nomination_create(training=t, users=[first, second], by=users["partner"])

    services.nomination_decline(nomination=Nomination.objects.get(user=first), by=users["partner"])

    assert Nomination.objects.get(user=second).status == "confirmed"
    with pytest.raises(NotAllowed):
        services.nomination_decline(nomination=Nomination.objects.get(user=second), by=second)


def test_raising_the_capacity_moves_the_waiting_list_up(users, icmpd):
    t = training(organiser=icmpd, capacity=1, starts_at=at(days=3), theme_slugs=("cybercrime",))
    first, second = officer(), officer()
    services.nomination_create(training=t, users=[first, second], by=users["partner"])
    change = services.TrainingInput.from_training(t)
    change.capacity = 2

    services.training_update(user=users["partner"], training=t, data=change)

    assert Nomination.objects.get(user=second).status == "confirmed"


def test_the_capacity_cannot_drop_below_the_confirmed(users, icmpd):
    t = training(organiser=icmpd, capacity=2, starts_at=at(days=3), theme_slugs=("cybercrime",))
    services.nomination_create(training=t, users=[officer(), officer()], by=users["partner"])
    change = services.TrainingInput.from_training(t)
    change.capacity = 1
    with pytest.raises(ServiceError) as error:
        services.training_update(user=users["partner"], training=t, data=change)
    assert error.value.errors[0].field == "capacity"


def test_nominations_open_only_once_confirmed(users, icmpd):
    t = training(organiser=icmpd, status=Status.PROPOSED, starts_at=at(days=3))
    with pytest.raises(ServiceError):
        services.nomination_create(training=t, users=[officer()], by=users["partner"])


def test_officers_register_themselves_only_where_allowed(users, icmpd):
    closed = training(organiser=icmpd, starts_at=at(days=3))
    open_ = training(organiser=icmpd, starts_at=at(days=30), self_registration=True)
    me = users["officer"]

    with pytest.raises(NotAllowed):
        services.nomination_create(training=closed, users=[me], by=me)
    with pytest.raises(NotAllowed):
        services.nomination_create(training=open_, users=[officer()], by=me)
    [mine] = services.nomination_create(training=open_, users=[me], by=me)

    assert mine.status == "confirmed"


def test_a_units_coordinator_nominates_only_their_own_officers(icmpd):
    unit = OrganisationFactory(short_name="FIA Lahore", kind=Organisation.Kind.FIA_UNIT)
    unit_coordinator = coordinator(unit)
    ours = officer(organisation=unit)
    someone_else = officer(organisation=partner_org())
    t = training(organiser=icmpd, starts_at=at(days=3))

    with pytest.raises(NotAllowed):
        services.nomination_create(training=t, users=[someone_else], by=unit_coordinator)
    [nomination] = services.nomination_create(training=t, users=[ours], by=unit_coordinator)

    assert nomination.nominated_by == unit_coordinator


def test_an_officer_in_an_overlapping_training_is_a_conflict_to_acknowledge(users, icmpd):
    person = officer()
    other = training(
        organiser=partner_org(), starts_at=at(days=3, hours=2), theme_slugs=("cybercrime",)
    )
    Nomination.objects.create(training=other, user=person, status="confirmed")
    t = training(organiser=icmpd, starts_at=at(days=3))

    with pytest.raises(TrainingConflicts) as error:
        services.nomination_create(training=t, users=[person], by=users["partner"])
    services.nomination_create(
        training=t, users=[person], by=users["partner"], acknowledge_conflicts=True, reason="Swap"
    )

    assert [c.kind for c in error.value.errors] == [Kind.OFFICER_DOUBLE_BOOKED]
    assert ConflictAcknowledgement.objects.get().action == "nominate"


def test_nominating_again_keeps_the_place(users, icmpd):
    t = training(organiser=icmpd, starts_at=at(days=3))
    person = officer()
    [first] = services.nomination_create(training=t, users=[person], by=users["partner"])
    [again] = services.nomination_create(training=t, users=[person], by=users["partner"])
    assert first.pk == again.pk
    assert Nomination.objects.count() == 1


# --- Feeds and events --------------------------------------------------------------------
def test_regenerating_a_feed_address_retires_the_old_one(users):
    feed = services.calendar_feed_get(user=users["officer"])
    old = feed.token

    services.calendar_feed_regenerate(user=users["officer"])

    assert CalendarFeed.objects.get(user=users["officer"]).token != old
    assert not CalendarFeed.objects.filter(token=old).exists()


def test_board_events_go_out_only_after_the_commit(
    users, icmpd, django_capture_on_commit_callbacks
):
    with mock.patch("scheduling.coordination._send") as send:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.training_propose(user=users["partner"], data=data(organiser=icmpd))
            assert send.call_count == 0
        for callback in callbacks:
            callback()
    message = send.call_args.args[0]
    assert message["kind"] == "training.proposed"
    assert message["seq"] == CoordinationEvent.objects.get().pk


def test_a_failing_notification_leaves_nothing_behind(users, icmpd):
    assigned = trainer(user=UserFactory(roles=[Role.TRAINER]))
    with (
        mock.patch("scheduling.services.trainings.notification_send", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        services.training_propose(
            user=users["partner"], data=data(organiser=icmpd, trainers=[assigned])
        )
    assert not Training.objects.exists()
    assert not CoordinationEvent.objects.exists()


def test_moving_a_confirmed_training_tells_its_participants(users, icmpd):
    t = training(organiser=icmpd, theme_slugs=("cybercrime",))
    Nomination.objects.create(training=t, user=users["officer"], status="confirmed")
    change = services.TrainingInput.from_training(t)
    change.starts_at, change.ends_at = at(days=40), at(days=41)

    services.training_update(user=users["partner"], training=t, data=change)

    assert Notification.objects.get(user=users["officer"]).subject.endswith("has changed")
