"""The live classroom's data: its numbered events, connections, chat, hands, questions,
polls, and the attendance they turn into.

A live session is a `scheduling.TrainingSession`; everything here hangs off it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveRoom(models.Model):
    """The running state of one session: its event counter, when the trainer started and
    ended it, and what the trainer shows (follow-me)."""

    session = models.OneToOneField(
        "scheduling.TrainingSession",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="live_room",
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    follow_lesson = models.ForeignKey(
        "courses.LessonPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_slide = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("live room")
        verbose_name_plural = _("live rooms")

    def __str__(self) -> str:
        return f"room of session {self.session_id}"


class LiveEvent(models.Model):
    """One message sent to everyone in a session, numbered: what `resume` replays."""

    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="live_events"
    )
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="live_event_seq_once")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"

    def as_message(self) -> dict:
        return {**self.payload, "type": self.type, "seq": self.seq}


class LiveConnection(models.Model):
    """One WebSocket of one user in one session: its interval is attendance evidence."""

    class Role(models.TextChoices):
        TRAINER = "trainer", _("Trainer")
        PARTICIPANT = "participant", _("Participant")
        STAFF = "staff", _("Academy staff")

    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="live_connections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_connections"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    # the channel of the hub of the server process it is connected to (live/fanout.py)
    channel_name = models.CharField(max_length=200)
    # that server process (live/processes.py): while it lives its heartbeat is in the cache
    process = models.CharField(max_length=40, blank=True, default="")
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    video = models.BooleanField(default=False)

    class Meta:
        ordering = ["connected_at", "pk"]
        verbose_name = _("live connection")
        verbose_name_plural = _("live connections")
        indexes = [
            models.Index(fields=["session", "disconnected_at"]),
            models.Index(fields=["session", "user"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id} ({self.pk})"


# Messages a client sends with an id of its own (`client_id`) are stored once per session,
# author and id, however often the client sends them again (live/messages.py).
CLIENT_ID_MAX_LENGTH = 64


class ChatMessage(models.Model):
    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="chat_messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text"))
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["session", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_client_id_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Mute(models.Model):
    """A participant a trainer has silenced in a session's chat and questions."""

    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="mutes"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mute")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} muted in {self.session_id}"


class HandRaise(models.Model):
    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="hands"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    lowered_at = models.DateTimeField(null=True, blank=True)
    lowered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = _("raised hand")
        verbose_name_plural = _("raised hands")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=models.Q(lowered_at__isnull=True),
                name="one_raised_hand_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"hand of {self.user_id} in {self.session_id}"


class Question(models.Model):
    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="live_questions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("question"))
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="question_client_id_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("upvote")
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.question_id}"


class Poll(models.Model):
    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="polls"
    )
    question = models.CharField(_("question"), max_length=300)
    options = models.JSONField(_("options"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.question


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("poll vote")
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.option}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# The statuses that count as having attended (completion, gradebook).
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class AttendanceRecord(models.Model):
    """A person's attendance of one session: minutes measured from their connections, and
    the status (measured, or marked by a trainer: a hand mark wins)."""

    session = models.ForeignKey(
        "scheduling.TrainingSession", on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    seconds_present = models.PositiveIntegerField(_("seconds present"), default=0)
    first_joined_at = models.DateTimeField(_("first joined"), null=True, blank=True)
    last_left_at = models.DateTimeField(_("last left"), null=True, blank=True)
    measured_attended = models.BooleanField(_("attended by time present"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT,
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "user"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_once")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id}: {self.status}"

    @property
    def minutes_present(self) -> float:
        return round(self.seconds_present / 60, 1)

    @property
    def marked_by_hand(self) -> bool:
        return self.marked_at is not None

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED_STATUSES


class AttendanceMark(models.Model):
    """The log of hand marks: who marked whom how, and when."""

    record = models.ForeignKey(AttendanceRecord, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")

    def __str__(self) -> str:
        return f"{self.status} by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"


class CourseAttendanceRule(models.Model):
    """A course completes only once the learner attended at least this many live sessions of
    its trainings (on top of the course's own completion rule)."""

    course = models.OneToOneField(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="attendance_rule",
    )
    min_sessions = models.PositiveSmallIntegerField(
        _("live sessions to attend"),
        default=1,
        help_text=_("Attended at least this many live sessions of the course's trainings."),
    )

    class Meta:
        verbose_name = _("attendance rule")
        verbose_name_plural = _("attendance rules")

    def __str__(self) -> str:
        return f"{self.course}: {self.min_sessions}"
