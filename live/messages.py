"""What people write in the live classroom: chat and questions (live/PROTOCOL.md, "Sent
once").

A client gives each chat message and question an id of its own (`client_id`) and sends
it again until the server has answered for it: after a reconnection it cannot know
whether the server process it was talking to stored it before it died. So a message is
stored once per session, author and client id (a unique constraint: two copies arriving
at the same moment on two connections, or at two server processes, store one); a copy
finds the one stored, stores nothing, sends no event, and its sender is told that it is
accepted all the same. Clients that send no client id (older pages) get what they always
got: every message stored.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import selectors
from live.exceptions import NotFound
from live.models import CLIENT_ID_MAX_LENGTH, ChatMessage, Mute, Question, QuestionVote
from live.services import clean_int, clean_text, event_emit, require_moderator
from lms.exceptions import Conflict, ErrorItem, NotAllowed, ServiceError

CLIENT_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{CLIENT_ID_MAX_LENGTH}}}")


@dataclass(frozen=True)
class Written:
    """A chat message or question stored (now, or before: `duplicate`), and the answer its
    sender gets when it gave a client id (`{"type": "chat.accepted", ...}`)."""

    kind: str  # "chat" or "question"
    id: int
    client_id: str
    duplicate: bool = False

    def accepted(self) -> dict:
        return {
            "type": f"{self.kind}.accepted",
            "id": self.id,
            "client_id": self.client_id,
            "duplicate": self.duplicate,
        }


def clean_client_id(value) -> str:
    """The client's own id of a message: none (""), or 1-64 of A-Z a-z 0-9 - _."""
    if value is None:
        return ""
    if isinstance(value, str) and CLIENT_ID.fullmatch(value):
        return value
    rule = _("1 to %(n)d characters, each a letter (A-Z, a-z), a digit, “-” or “_”.") % {
        "n": CLIENT_ID_MAX_LENGTH
    }
    raise ServiceError(
        _("`client_id` is not a message id: %(rule)s") % {"rule": rule},
        [ErrorItem(rule, field="client_id")],
    )


def _store_once(model, *, access: selectors.Access, user, client_id: str, **fields):
    """(the row, whether it is new). With a client id, the row is inserted in a savepoint
    and a copy is told apart by the unique constraint (not by a read first: two copies at
    the same time would both find nothing), then the stored one is read."""
    if not client_id:
        return model.objects.create(session=access.session, author=user, **fields), True
    try:
        with transaction.atomic():
            row = model.objects.create(
                session=access.session, author=user, client_id=client_id, **fields
            )
        return row, True
    except IntegrityError:
        row = model.objects.filter(session=access.session, author=user, client_id=client_id).first()
        if row is None:  # not the client id's constraint
            raise
        return row, False


def _not_muted(access: selectors.Access, user) -> None:
    if Mute.objects.filter(session=access.session, user=user).exists():
        raise NotAllowed(_("A trainer has muted you in this session."))


# --- Chat ----------------------------------------------------------------------------------
@transaction.atomic
def chat_send(*, access: selectors.Access, user, text, client_id=None) -> Written:
    """Store a chat message and send it to everyone; a copy of one stored (the same
    `client_id`) is only accepted. The mute is checked after the copy is recognised: what
    was stored before a trainer muted its author stays accepted."""
    client_id = clean_client_id(client_id)
    text = clean_text(text, field="text", limit=settings.LIVE_CHAT_MAX_CHARS)
    message, new = _store_once(
        ChatMessage, access=access, user=user, client_id=client_id, text=text
    )
    if not new:
        return Written("chat", message.pk, client_id, duplicate=True)
    _not_muted(access, user)  # raising rolls the message back
    event_emit(
        session_id=access.session.pk,
        type="chat.message",
        payload=selectors.chat_message(message, access.role),
        actor=user,
    )
    return Written("chat", message.pk, client_id)


@transaction.atomic
def chat_delete(*, access: selectors.Access, user, message_id) -> dict:
    require_moderator(access)
    updated = ChatMessage.objects.filter(
        pk=clean_int(message_id, field="id"), session=access.session, deleted_at__isnull=True
    ).update(deleted_at=timezone.now(), deleted_by=user)
    if not updated:
        raise NotFound(_("No such message."))
    return event_emit(
        session_id=access.session.pk,
        type="chat.deleted",
        payload={"id": message_id, "by": selectors.user_summary(user, access.role)},
        actor=user,
    )


# --- Questions --------------------------------------------------------------------------------
@transaction.atomic
def question_ask(*, access: selectors.Access, user, text, client_id=None) -> Written:
    """Store a question and send it to everyone; a copy (the same `client_id`) is only
    accepted, as for chat."""
    client_id = clean_client_id(client_id)
    text = clean_text(text, field="text", limit=settings.LIVE_CHAT_MAX_CHARS)
    question, new = _store_once(Question, access=access, user=user, client_id=client_id, text=text)
    if not new:
        return Written("question", question.pk, client_id, duplicate=True)
    _not_muted(access, user)
    event_emit(
        session_id=access.session.pk,
        type="question.asked",
        payload=selectors.question_message(question, 0),
        actor=user,
    )
    return Written("question", question.pk, client_id)


@transaction.atomic
def question_upvote(*, access: selectors.Access, user, question_id) -> dict:
    question = Question.objects.filter(
        pk=clean_int(question_id, field="id"), session=access.session
    ).first()
    if question is None:
        raise NotFound(_("No such question."))
    if question.author_id == user.pk:
        raise ServiceError(_("You cannot upvote your own question."))
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, user=user)
    except IntegrityError:
        raise Conflict(_("You have already upvoted this question.")) from None
    votes = QuestionVote.objects.filter(question=question).count()
    return event_emit(
        session_id=access.session.pk,
        type="question.voted",
        payload={"id": question.pk, "votes": votes, "user_id": user.pk},
        actor=user,
    )


@transaction.atomic
def question_answer(*, access: selectors.Access, user, question_id) -> dict:
    require_moderator(access)
    updated = Question.objects.filter(
        pk=clean_int(question_id, field="id"), session=access.session, answered_at__isnull=True
    ).update(answered_at=timezone.now())
    if not updated:
        raise NotFound(_("No such open question."))
    return event_emit(
        session_id=access.session.pk,
        type="question.answered",
        payload={"id": question_id},
        actor=user,
    )
