"""Demo calendar: trainings by four partners over the coming months, through the services.

- ICMPD's remote course on document fraud is confirmed, taught by the demo `trainer`, with
  the demo `officer` a confirmed participant and a live session today (started at the last
  quarter hour before seeding, two hours long): the live classroom's demo.
- UNODC's and IOM's victim-identification trainings for the Lahore Zone overlap on purpose;
  IOM went ahead with a reason, which is recorded.
- GIZ proposes a thematic training without a course yet, ICMPD a ToT in Karachi, and a
  training delivered last month shows in the trainer's registry record.

Idempotent: a training is found by its title and organiser. A second run changes nothing,
except that the live session is moved back to today when the demo is seeded on a later day.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from courses.models import CoursePage, ThematicArea
from lms.models import Organisation, User
from lms.roles import Role
from lms.services import user_upsert
from scheduling import services
from scheduling.models import Nomination, Training, TrainingSession

Status = Training.Status
Modality = Training.Modality

# username, first name, last name, organisation short name
COORDINATORS = [
    ("partner-unodc", "Marta", "Kowalska", "UNODC"),
    ("partner-iom", "Hassan", "Raza", "IOM"),
    ("partner-giz", "Jonas", "Weber", "GIZ"),
]
OVERLAP_REASON = (
    "A one-day refresher for the officers UNODC trained in 2024, not the full course; "
    "agreed with UNODC's coordinator so that nobody is nominated for both."
)
LIVE_TITLE = "Document fraud at border crossings: live remote course"


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _live_session_start(now: datetime) -> datetime:
    """The last quarter hour: the session is on when the demo is ready, and it is today."""
    now = timezone.localtime(now).replace(second=0, microsecond=0)
    return now - timedelta(minutes=now.minute % 15)


def _trainer_for(user: User | None, *, organisation):
    """The demo trainer's registry entry (the registry demo makes it), or a new one."""
    from trainers.models import Trainer

    if user is None:
        return None
    trainer = Trainer.objects.filter(user=user).first()
    if trainer is None:
        from trainers.services.registry import trainer_upsert

        trainer = trainer_upsert(
            full_name=user.get_full_name() or user.username,
            country="PK",
            user=user,
            email=user.email,
            organisation=organisation,
        )
    return trainer


def _trainer_named(full_name: str):
    from trainers.models import Trainer

    return Trainer.objects.filter(full_name=full_name).first()


def _ensure(*, by: User, data: services.TrainingInput, reason: str = "") -> Training:
    training = Training.objects.filter(title=data.title, organiser=data.organiser).first()
    if training is None:
        training = services.training_propose(
            user=by, data=data, acknowledge_conflicts=bool(reason), reason=reason
        )
    return training


def _confirm(training: Training, *, admin: User) -> Training:
    if training.status == Status.PROPOSED:
        training = services.training_approve(user=admin, training=training)
    return training


def seed(*, stdout=None) -> None:
    organisations = {
        o.short_name: o
        for o in Organisation.objects.filter(
            short_name__in=["ICMPD", "UNODC", "IOM", "GIZ", "FIA Academy"]
        )
    }
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "partner"])}
    for username, first, last, short_name in COORDINATORS:
        users[username] = user_upsert(
            username=username,
            password=settings.DEMO_PASSWORD,
            roles=[Role.PARTNER],
            first_name=first,
            last_name=last,
            email=f"{username}@fia-academy.example",
            organisation=organisations[short_name],
        )
    admin, partner = users["admin"], users["partner"]
    courses = {
        c.code: c
        for c in CoursePage.objects.filter(code__in=["FIA-DOC-201", "FIA-THB-101", "FIA-MMT-301"])
    }
    themes = {t.slug: t for t in ThematicArea.objects.all()}
    trainer_user = User.objects.filter(username="trainer").first()
    officer = User.objects.get(username="officer")
    demo_trainer = _trainer_for(trainer_user, organisation=organisations.get("FIA Academy"))
    today = timezone.localdate()
    trainings = []

    # 1. ICMPD, remote, confirmed, taught by the demo trainer, the officer in it, live today.
    session_start = _live_session_start(timezone.now())
    live_sessions = [
        services.SessionInput(
            starts_at=session_start, duration_minutes=120, title="Day 1: spotting forgeries"
        ),
        services.SessionInput(
            starts_at=_at(today + timedelta(days=2), 10),
            duration_minutes=120,
            title="Day 2: impostors and look-alikes",
        ),
        services.SessionInput(
            starts_at=_at(today + timedelta(days=4), 10),
            duration_minutes=120,
            title="Day 3: case studies",
        ),
    ]
    live_data = services.TrainingInput(
        title=LIVE_TITLE,
        organiser=organisations["ICMPD"],
        co_organisers=[organisations["FIA Academy"]],
        course=courses.get("FIA-DOC-201"),
        modality=Modality.REMOTE,
        starts_at=session_start.replace(minute=0),
        ends_at=_at(today + timedelta(days=4), 18),
        capacity=30,
        trainers=[demo_trainer] if demo_trainer else [],
        audience=[("unit", "FIA Immigration")],
        sessions=live_sessions,
    )
    live = Training.objects.filter(title=LIVE_TITLE, organiser=organisations["ICMPD"]).first()
    if live is None:
        live = services.training_propose(
            user=partner, data=live_data, acknowledge_conflicts=True, reason="Demo course."
        )
    else:
        first = TrainingSession.objects.filter(training=live).order_by("starts_at").first()
        if live.status in (Status.PROPOSED, Status.CONFIRMED) and (
            first is None or timezone.localtime(first.starts_at).date() != today
        ):
            live = services.training_update(
                user=admin,
                training=live,
                data=live_data,
                acknowledge_conflicts=True,
                reason="The demo's live session is moved to today.",
            )
    live = _confirm(live, admin=admin)
    if (
        live.status == Status.CONFIRMED
        and not Nomination.objects.filter(training=live, user=officer).exists()
    ):
        services.nomination_create(training=live, users=[officer], by=partner)
    trainings.append(live)

    # 2. UNODC, in person in Lahore in three weeks, confirmed.
    lahore = _ensure(
        by=users["partner-unodc"],
        data=services.TrainingInput(
            title="Identifying victims of trafficking at Lahore airport",
            organiser=organisations["UNODC"],
            course=courses.get("FIA-THB-101"),
            themes=[] if courses.get("FIA-THB-101") else [themes["trafficking-in-human-beings"]],
            modality=Modality.IN_PERSON,
            venue="FIA Lahore Zone training centre",
            starts_at=_at(today + timedelta(days=21), 9),
            ends_at=_at(today + timedelta(days=22), 17),
            capacity=24,
            trainers=[t for t in [_trainer_named("Farah Naz")] if t],
            audience=[("unit", "FIA Lahore Zone")],
        ),
    )
    trainings.append(_confirm(lahore, admin=admin))

    # 3. IOM overlaps it on purpose (same course, same unit), with a reason.
    trainings.append(
        _ensure(
            by=users["partner-iom"],
            data=services.TrainingInput(
                title="Victim identification refresher for Lahore Zone officers",
                organiser=organisations["IOM"],
                course=courses.get("FIA-THB-101"),
                themes=[]
                if courses.get("FIA-THB-101")
                else [themes["trafficking-in-human-beings"]],
                modality=Modality.BLENDED,
                venue="IOM sub-office, Lahore",
                starts_at=_at(today + timedelta(days=22), 9),
                ends_at=_at(today + timedelta(days=23), 13),
                capacity=20,
                trainers=[t for t in [_trainer_named("Imtiaz Hussain")] if t],
                audience=[("unit", "FIA Lahore Zone")],
            ),
            reason=OVERLAP_REASON,
        )
    )

    # 4. GIZ, a thematic training whose course is still being written.
    trainings.append(
        _ensure(
            by=users["partner-giz"],
            data=services.TrainingInput(
                title="Investigating migrant smuggling networks",
                organiser=organisations["GIZ"],
                themes=[
                    themes[s]
                    for s in ("smuggling-of-migrants", "investigation-techniques")
                    if s in themes
                ],
                modality=Modality.REMOTE,
                starts_at=_at(today + timedelta(days=45), 10),
                ends_at=_at(today + timedelta(days=47), 16),
                capacity=40,
                self_registration=True,
                audience=[("unit", "FIA Peshawar Zone"), ("region", "Khyber Pakhtunkhwa")],
                sessions=[
                    services.SessionInput(
                        starts_at=_at(today + timedelta(days=45 + n), 10),
                        duration_minutes=180,
                        title=f"Day {n + 1}",
                    )
                    for n in range(3)
                ],
            ),
        )
    )

    # 5. ICMPD, the ten-day ToT in Karachi in two months, proposed.
    trainings.append(
        _ensure(
            by=partner,
            data=services.TrainingInput(
                title="ToT on migration management, Karachi",
                organiser=organisations["ICMPD"],
                co_organisers=[organisations["FIA Academy"]],
                course=courses.get("FIA-MMT-301"),
                themes=[] if courses.get("FIA-MMT-301") else [themes["irregular-migration"]],
                modality=Modality.IN_PERSON,
                venue="FIA Karachi Zone, Saddar",
                starts_at=_at(today + timedelta(days=63), 9),
                ends_at=_at(today + timedelta(days=74), 17),
                capacity=20,
                audience=[("region", "Sindh")],
            ),
        )
    )

    # 6. Delivered last month: the trainer's registry record shows it.
    past = _ensure(
        by=partner,
        data=services.TrainingInput(
            title="Document fraud refresher, Islamabad airport",
            organiser=organisations["ICMPD"],
            course=courses.get("FIA-DOC-201"),
            themes=[] if courses.get("FIA-DOC-201") else [themes["document-fraud"]],
            modality=Modality.IN_PERSON,
            venue="Islamabad International Airport, FIA training room",
            starts_at=_at(today - timedelta(days=40), 9),
            ends_at=_at(today - timedelta(days=39), 17),
            capacity=18,
            trainers=[demo_trainer] if demo_trainer else [],
            audience=[("unit", "FIA Immigration")],
        ),
        reason="Recorded after the fact.",
    )
    past = _confirm(past, admin=admin)
    if past.status == Status.CONFIRMED:
        past = services.training_complete(user=admin, training=past, participants_reached=16)
    trainings.append(past)

    if stdout:
        stdout.write(
            f"  scheduling: {len(trainings)} trainings on the calendar; live session of "
            f"“{live.title}” at {timezone.localtime(live.sessions.first().starts_at):%H:%M}"
        )
