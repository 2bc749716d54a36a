"""REST API of live sessions: a session's details and where its WebSocket is."""

from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from live import selectors
from live.models import LiveRoom

router = Router(tags=["live"])


class TrainingRef(Schema):
    id: int
    title: str


class ExternalRoomOut(Schema):
    kind: str
    url: str


class LiveSessionOut(Schema):
    id: int
    title: str
    training: TrainingRef
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    started_at: datetime | None
    ended_at: datetime | None
    role: str
    moderator: bool
    websocket: str
    page: str
    external_room: ExternalRoomOut | None
    ice_servers: list[dict]


@router.get(
    "/live/{session_id}",
    response=LiveSessionOut,
    summary="A live session's details and its WebSocket path (participants only; 404 for "
    "anyone else)",
)
def live_session(request: HttpRequest, session_id: int):
    access = selectors.classroom_access(user=request.user, session_id=session_id)
    if access is None:
        raise Http404
    session = access.session
    room = LiveRoom.objects.filter(session=session).first()
    return {
        "id": session.pk,
        "title": str(session),
        "training": {"id": session.training_id, "title": session.training.title},
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "duration_minutes": session.duration_minutes,
        "started_at": room and room.started_at,
        "ended_at": room and room.ended_at,
        "role": access.role,
        "moderator": access.moderator,
        "websocket": f"/ws/live/{session.pk}/",
        "page": f"/live/{session.pk}/",
        "external_room": selectors.external_room(
            session=session, user=request.user, moderator=access.moderator
        ),
        "ice_servers": settings.LIVE_ICE_SERVERS,
    }
