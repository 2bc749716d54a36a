"""Demo classroom: the scheduling demo's live remote training (taught by `trainer`, with
`officer` confirmed, a session today) gets its room and a welcome in the chat.

Idempotent: the welcome is only written into a chat that is still empty.
"""

from live import messages, selectors
from live.models import ChatMessage, LiveRoom
from lms.models import User
from scheduling.models import Training, TrainingSession

WELCOME = (
    "Welcome! We look at genuine and forged passports side by side today. Raise your hand "
    "when you want to speak; questions go in the Questions box."
)


def demo_session() -> TrainingSession | None:
    """The first session of the demo's live training, when the scheduling demo made it."""
    from scheduling.demo import LIVE_TITLE

    training = Training.objects.filter(title=LIVE_TITLE, status=Training.Status.CONFIRMED).first()
    if training is None:
        return None
    return TrainingSession.objects.filter(training=training).order_by("starts_at", "pk").first()


def seed(*, stdout=None) -> None:
    session = demo_session()
    trainer = User.objects.filter(username="trainer").first()
    if session is None or trainer is None:
        if stdout:
            stdout.write("Live: no confirmed live training in the demo calendar; skipped.")
        return
    LiveRoom.objects.get_or_create(session=session)
    access = selectors.classroom_access(user=trainer, session_id=session.pk)
    if access is not None and not ChatMessage.objects.filter(session=session).exists():
        messages.chat_send(access=access, user=trainer, text=WELCOME)
    if stdout:
        stdout.write(f"Live: classroom of “{session}” at /live/{session.pk}/")
