"""REST API of the training calendar: trainings, the Academy's decisions, nominations,
conflicts and the coordination board's missed events."""

from dataclasses import replace
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from courses.api import Pagination
from courses.models import CoursePage, ThematicArea
from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from lms.models import Organisation
from scheduling import coordination, selectors, services
from scheduling.api.schemas import (
    CancelIn,
    CompleteIn,
    ConflictOut,
    NominateIn,
    NominationOut,
    NoteIn,
    SessionIn,
    TrainingDetailOut,
    TrainingFilters,
    TrainingIn,
    TrainingOut,
    TrainingPatch,
)
from scheduling.conflicts import training_conflicts
from scheduling.models import Nomination, Training

router = Router(tags=["scheduling"])


# --- Helpers -----------------------------------------------------------------------------
def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _lookup(model, field: str, values: list[str], name: str) -> list:
    found = {getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": values})}
    missing = [v for v in values if v not in found]
    if missing:
        raise ServiceError(
            f"Unknown {name}: {', '.join(missing)}",
            [ErrorItem(field=name, message=f"no {name} {v!r}") for v in missing],
        )
    return [found[v] for v in values]


def _organiser(request, short_name: str | None) -> Organisation:
    if short_name:
        return _lookup(Organisation, "short_name", [short_name], "organisation")[0]
    if request.user.organisation_id is None:
        raise ServiceError(
            "Say which organisation organises the training.",
            [ErrorItem(field="organisation", message="required")],
        )
    return request.user.organisation


def _trainers(ids: list[int]) -> list:
    from trainers.models import Trainer

    found = Trainer.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ServiceError(
            f"Unknown trainers: {', '.join(missing)}",
            [ErrorItem(field="trainers", message=f"no trainer {i}") for i in missing],
        )
    return [found[i] for i in ids]


def _sessions(items: list[SessionIn] | None) -> list[services.SessionInput] | None:
    if items is None:
        return None
    return [
        services.SessionInput(
            id=item.id,
            starts_at=_aware(item.starts_at),
            duration_minutes=item.duration_minutes,
            title=item.title,
            external_room_url=item.external_room_url,
        )
        for item in items
    ]


def _course(code: str | None):
    if not code:
        return None
    return _lookup(CoursePage, "code", [code], "course")[0]


def _detail(training: Training) -> Training:
    training = (
        Training.objects.select_related("organiser", "course", "approved_by")
        .prefetch_related("assignments__trainer")
        .get(pk=training.pk)
    )
    return selectors.training_detail(training=training)


def _training_for(request, training_id: int) -> Training:
    return selectors.training_get(user=request.user, pk=training_id)


# --- Endpoints ---------------------------------------------------------------------------
@router.get(
    "/trainings",
    response=list[TrainingOut],
    summary="Scheduled trainings; filters ?from= ?to= ?theme= ?organisation= ?status=",
)
@paginate(Pagination)
def training_list(request: HttpRequest, filters: Query[TrainingFilters]):
    organisation = None
    if filters.organisation:
        organisation = (
            Organisation.objects.filter(short_name=filters.organisation)
            .values_list("pk", flat=True)
            .first()
        ) or -1
    calendar_filters = selectors.CalendarFilters(
        organisation=organisation,
        theme=filters.theme,
        status=filters.status if filters.status in Training.Status.values else "",
    )
    if filters.status and not calendar_filters.status:
        raise ServiceError(
            "Unknown status.",
            [ErrorItem(field="status", message=f"one of {', '.join(Training.Status.values)}")],
        )
    start = selectors.local_day_bounds(filters.from_, filters.from_)[0] if filters.from_ else None
    end = selectors.local_day_bounds(filters.to, filters.to)[1] if filters.to else None
    return selectors.calendar_trainings(
        user=request.user, start=start, end=end, filters=calendar_filters
    )


@router.post(
    "/trainings",
    response={201: TrainingDetailOut, 409: dict},
    summary="Propose a training; 409 with the conflicts unless `acknowledge_conflicts` "
    "and a `reason`",
)
def training_create(request: HttpRequest, body: TrainingIn):
    if not selectors.can_propose(request.user):
        raise NotAllowed("Only partner coordinators and administrators propose trainings.")
    data = services.TrainingInput(
        title=body.title,
        organiser=_organiser(request, body.organisation),
        starts_at=_aware(body.starts_at),
        ends_at=_aware(body.ends_at),
        course=_course(body.course),
        themes=_lookup(ThematicArea, "slug", body.themes, "theme"),
        co_organisers=_lookup(Organisation, "short_name", body.co_organisers, "organisation"),
        modality=body.modality,
        time_zone=body.time_zone,
        venue=body.venue,
        remote_url=body.remote_url,
        capacity=body.capacity,
        self_registration=body.self_registration,
        trainers=_trainers(body.trainers),
        audience=[(row.kind, row.value) for row in body.audience],
        sessions=_sessions(body.sessions) or [],
    )
    training = services.training_propose(
        user=request.user,
        data=data,
        draft=body.draft,
        acknowledge_conflicts=body.acknowledge_conflicts,
        reason=body.reason,
    )
    return Status(201, _detail(training))


@router.get("/trainings/{training_id}", response=TrainingDetailOut, summary="One training")
def training_get(request: HttpRequest, training_id: int):
    return _detail(_training_for(request, training_id))


@router.patch(
    "/trainings/{training_id}",
    response={200: TrainingDetailOut, 409: dict},
    summary="Change a training (the fields given); `submit` proposes a draft; 409 as for "
    "a proposal",
)
def training_patch(request: HttpRequest, training_id: int, body: TrainingPatch):
    training = _training_for(request, training_id)
    if not selectors.can_manage(request.user, training):
        raise NotAllowed("Only the organiser's coordinators and administrators change it.")
    given = body.model_dump(exclude_unset=True)
    data = services.TrainingInput.from_training(training)
    changes: dict = {}
    for name in (
        "title",
        "modality",
        "time_zone",
        "venue",
        "remote_url",
        "capacity",
        "self_registration",
    ):
        if name in given and given[name] is not None:
            changes[name] = given[name]
    for name in ("starts_at", "ends_at"):
        if given.get(name) is not None:
            changes[name] = _aware(getattr(body, name))
    if "organisation" in given:
        changes["organiser"] = _organiser(request, body.organisation)
    if "course" in given:
        changes["course"] = _course(body.course)
    if body.themes is not None:
        changes["themes"] = _lookup(ThematicArea, "slug", body.themes, "theme")
    if body.co_organisers is not None:
        changes["co_organisers"] = _lookup(
            Organisation, "short_name", body.co_organisers, "organisation"
        )
    if body.trainers is not None:
        changes["trainers"] = _trainers(body.trainers)
    if body.audience is not None:
        changes["audience"] = [(row.kind, row.value) for row in body.audience]
    changes["sessions"] = _sessions(body.sessions)
    training = services.training_update(
        user=request.user,
        training=training,
        data=replace(data, **changes),
        submit=body.submit,
        acknowledge_conflicts=body.acknowledge_conflicts,
        reason=body.reason,
    )
    return _detail(training)


@router.get(
    "/trainings/{training_id}/conflicts",
    response=list[ConflictOut],
    summary="The training's conflicts as the calendar stands now",
)
def training_conflict_list(request: HttpRequest, training_id: int):
    training = _training_for(request, training_id)
    if not (selectors.can_manage(request.user, training) or selectors.is_academy(request.user)):
        raise NotAllowed("Only the organisers and the Academy see a training's conflicts.")
    selectors.training_detail(training=training)
    return [conflict.as_dict() for conflict in training_conflicts(training)]


@router.post(
    "/trainings/{training_id}/approve",
    response=TrainingDetailOut,
    summary="The Academy confirms a proposed training",
)
def training_approve(request: HttpRequest, training_id: int):
    training = _training_for(request, training_id)
    return _detail(services.training_approve(user=request.user, training=training))


@router.post(
    "/trainings/{training_id}/send-back",
    response=TrainingDetailOut,
    summary="The Academy returns a proposal to its organiser with a note",
)
def training_send_back(request: HttpRequest, training_id: int, body: NoteIn):
    training = _training_for(request, training_id)
    return _detail(
        services.training_send_back(user=request.user, training=training, note=body.note)
    )


@router.post(
    "/trainings/{training_id}/cancel", response=TrainingDetailOut, summary="Cancel a training"
)
def training_cancel(request: HttpRequest, training_id: int, body: CancelIn | None = None):
    training = _training_for(request, training_id)
    return _detail(
        services.training_cancel(
            user=request.user, training=training, reason=body.reason if body else ""
        )
    )


@router.post(
    "/trainings/{training_id}/complete",
    response=TrainingDetailOut,
    summary="Record a confirmed training as delivered (trainers' deliveries in the registry)",
)
def training_complete(request: HttpRequest, training_id: int, body: CompleteIn | None = None):
    training = _training_for(request, training_id)
    return _detail(
        services.training_complete(
            user=request.user,
            training=training,
            participants_reached=body.participants_reached if body else None,
        )
    )


@router.get(
    "/trainings/{training_id}/nominations",
    response=list[NominationOut],
    summary="The training's nominations (organisers, nominating units, the Academy)",
)
def nomination_list(request: HttpRequest, training_id: int):
    training = _training_for(request, training_id)
    user = request.user
    if selectors.nomination_scope(user, training) is None and not selectors.is_academy(user):
        mine = selectors.my_nomination(user=user, training=training)
        return [mine] if mine else []
    return selectors.nominations_of(training=training, user=user)


@router.post(
    "/trainings/{training_id}/nominations",
    response={201: list[NominationOut], 409: dict},
    summary="Nominate officers (or yourself, with no usernames); confirmed up to capacity, "
    "then waitlisted; 409 for officers in overlapping trainings unless acknowledged",
)
def nomination_create(request: HttpRequest, training_id: int, body: NominateIn):
    training = _training_for(request, training_id)
    if len(body.usernames) > settings.NOMINATION_BATCH_MAX:
        raise ServiceError(f"At most {settings.NOMINATION_BATCH_MAX} officers at a time.")
    if body.usernames:
        people, missing = selectors.users_named(names=body.usernames)
        if missing:
            raise ServiceError(
                "Unknown officers.",
                [ErrorItem(field="usernames", message=f"no user {n!r}") for n in missing],
            )
    else:
        people = [request.user]
    nominations = services.nomination_create(
        training=training,
        users=people,
        by=request.user,
        acknowledge_conflicts=body.acknowledge_conflicts,
        reason=body.reason,
    )
    return Status(201, nominations)


def _nomination_for(request, nomination_id: int) -> Nomination:
    nomination = get_object_or_404(
        Nomination.objects.select_related("training", "user"), pk=nomination_id
    )
    _training_for(request, nomination.training_id)
    user = request.user
    if (
        nomination.user_id != user.pk
        and selectors.nomination_scope(user, nomination.training) is None
    ):
        raise Http404
    return nomination


@router.post(
    "/nominations/{nomination_id}/withdraw",
    response=NominationOut,
    summary="Withdraw a nomination; the waiting list moves up",
)
def nomination_withdraw(request: HttpRequest, nomination_id: int):
    nomination = _nomination_for(request, nomination_id)
    return services.nomination_withdraw(nomination=nomination, by=request.user)


@router.post(
    "/nominations/{nomination_id}/decline",
    response=NominationOut,
    summary="The organisers decline a nomination; the waiting list moves up",
)
def nomination_decline(request: HttpRequest, nomination_id: int):
    nomination = _nomination_for(request, nomination_id)
    return services.nomination_decline(nomination=nomination, by=request.user)


class EventsOut(Schema):
    events: list[dict]
    last: int
    more: bool


@router.get(
    "/coordination/events",
    response=EventsOut,
    summary="The coordination board's events after sequence number `after` (as the "
    "WebSocket's resume answers)",
)
def coordination_events(request: HttpRequest, after: int = 0):
    if not selectors.can_see_board(request.user):
        raise NotAllowed("The coordination board is for partners and the Academy.")
    limit = settings.COORDINATION_RESUME_MAX
    events = selectors.coordination_events_after(after=max(after, 0), limit=limit + 1)
    return {
        "events": [coordination.event_message(e) for e in events[:limit]],
        "last": events[:limit][-1].pk if events else max(after, 0),
        "more": len(events) > limit,
    }


class FeedsOut(Schema):
    personal: str
    organisation: str | None


@router.get(
    "/me/calendar-feeds",
    response=FeedsOut,
    summary="The private addresses of my iCalendar feeds",
)
def my_feeds(request: HttpRequest):
    user = request.user
    feed = services.calendar_feed_get(user=user)
    org_feed = (
        services.calendar_feed_get(organisation=user.organisation)
        if selectors.is_coordinator(user)
        else None
    )
    return {
        "personal": request.build_absolute_uri(feed.get_absolute_url()),
        "organisation": request.build_absolute_uri(org_feed.get_absolute_url())
        if org_feed
        else None,
    }
