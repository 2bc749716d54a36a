"""Pages of the live classroom: the classroom itself, the follow-me stage, the external
video room, and the attendance reports with their exports. Thin: the work is in
selectors and services; the classroom page is a shell that classroom.js fills."""

import csv
import io
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from live import attendance, attendance_selectors, selectors, services
from live.models import AttendanceStatus
from lms.exceptions import ServiceError
from scheduling.models import Training, TrainingSession


def _access(request: HttpRequest, session_id: int) -> selectors.Access:
    access = selectors.classroom_access(user=request.user, session_id=session_id)
    if access is None:
        raise Http404
    return access


def _course_lessons(access: selectors.Access) -> list:
    from courses.selectors import course_outline, outline_lessons

    course = access.session.training.course
    return outline_lessons(course_outline(course=course)) if course is not None else []


@login_required
def classroom(request: HttpRequest, session_id: int) -> HttpResponse:
    access = _access(request, session_id)
    session = access.session
    return TemplateResponse(
        request,
        "live/classroom.html",
        {
            "session": session,
            "access": access,
            "lessons": _course_lessons(access) if access.moderator else [],
            "room": selectors.external_room(
                session=session, user=request.user, moderator=access.moderator
            ),
            "config": {
                "session": session.pk,
                "ws_path": f"/ws/live/{session.pk}/",
                "stage_url": f"/live/{session.pk}/stage/",
                "user": request.user.pk,
                "moderator": access.moderator,
            },
            "can_manage": selectors.can_manage_training(
                user=request.user, training=session.training
            ),
            "strings": _strings(),
            "video_max_peers": settings.LIVE_WEBRTC_MAX_PEERS,
            "chat_max_chars": settings.LIVE_CHAT_MAX_CHARS,
        },
    )


def _strings() -> dict[str, str]:
    """What classroom.js says, translated here (`%s` marks a value it fills in)."""
    return {
        "live": _("Live"),
        "connecting": _("Connecting…"),
        "offline": _("Offline"),
        "reconnecting": _("Offline: reconnecting in %s s…"),
        "not_started": _("Not started"),
        "running": _("Running since %s"),
        "ended": _("Ended at %s"),
        "close_4401": _("Your sign-in has ended: sign in again to join."),
        "close_4404": _("You are not a participant of this session."),
        "close_4409": _(
            "This session is open in too many of your windows: close one, then reconnect."
        ),
        "close_4413": _("A message was too large, so the connection was closed."),
        "close_4429": _("Too many messages too fast, so the connection was closed."),
        "raise_hand": _("Raise hand"),
        "lower_hand": _("Lower hand"),
        "lower": _("Lower"),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "muted": _("muted"),
        "delete": _("Delete"),
        "upvote": _("Upvote"),
        "votes": _("%s votes"),
        "answered": _("Answered"),
        "mark_answered": _("Mark answered"),
        "vote": _("Vote"),
        "close_poll": _("Close poll"),
        "closed": _("Closed"),
        "your_vote": _("Your vote"),
        "you": _("you"),
        "role_trainer": _("Trainer"),
        "role_participant": _("Participant"),
        "role_staff": _("Academy staff"),
        "camera_on": _("Turn on camera and microphone"),
        "camera_off": _("Turn off camera and microphone"),
        "no_video": _("This browser cannot share a camera here (it needs HTTPS)."),
        "slide": _("Slide %s of %s"),
        "hand_raised_by": _("%s raised a hand"),
        "loading": _("Loading…"),
        "sending": _("sending…"),
        "not_sent": _("Not sent: %s"),
        "too_large": _("the message is too large."),
        "pending_full": _("Wait until the messages you wrote are sent."),
    }


HEADING_SPLIT = re.compile(r"(?=<h[2-4][\s>])")
HEADING_START = re.compile(r"\s*<h[2-4][\s>]")


def lesson_slides(lesson, context: dict | None = None) -> list[list[str]]:
    """A lesson's body cut into slides (each a list of HTML): a new slide at every heading,
    a heading block or a heading inside text; a lesson without headings gets a slide per
    block. The HTML is the lesson's own (from the CMS), rendered as the lesson page does."""
    parts: list[tuple[bool, str]] = []  # (a heading starts it, html)
    for block in lesson.body:
        if block.block_type == "paragraph":
            for piece in HEADING_SPLIT.split(str(block.value)):
                if piece.strip():
                    html = format_html('<div class="rich-text">{}</div>', mark_safe(piece))
                    parts.append((bool(HEADING_START.match(piece)), html))
        else:
            parts.append((block.block_type == "heading", block.render_as_block(context)))
    headed = any(starts for starts, _html in parts)
    slides: list[list[str]] = []
    for starts, html in parts:
        if not slides or starts or not headed:
            slides.append([])
        slides[-1].append(html)
    return slides or [[]]


@login_required
def stage(request: HttpRequest, session_id: int, lesson_id: int) -> HttpResponse:
    """The lesson the trainer shows, as slides (a fragment classroom.js puts on the stage)."""
    from courses.models import LessonPage

    access = _access(request, session_id)
    course = access.session.training.course
    if course is None:
        raise Http404
    lesson = get_object_or_404(LessonPage.objects.live().descendant_of(course), pk=lesson_id)
    slides = lesson_slides(lesson, {"request": request, "page": lesson})
    return TemplateResponse(request, "live/stage.html", {"lesson": lesson, "slides": slides})


@login_required
@xframe_options_sameorigin
def external_room(request: HttpRequest, session_id: int) -> HttpResponse:
    """Into the session's video room: a BigBlueButton meeting is created when a trainer
    arrives, then everyone goes to their signed join link."""
    access = _access(request, session_id)
    room = selectors.external_room(
        session=access.session, user=request.user, moderator=access.moderator
    )
    if room is None:
        raise Http404
    if room["kind"] == "bigbluebutton" and access.moderator:
        services.bbb_meeting_ensure(session=access.session)
    return redirect(room["url"])


# --- Attendance ------------------------------------------------------------------------------
def _safe(value):
    """Cells that a spreadsheet would run as a formula are written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export(fmt: str, filename: str, header: list, rows: list[list]) -> HttpResponse:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([_safe(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else _safe(v) for v in row])
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@login_required
def session_attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    """A session's attendance for its trainers: minutes, status, hand marks; export."""
    session = get_object_or_404(
        TrainingSession.objects.select_related("training", "training__course"),
        pk=session_id,
        training__status__in=selectors.OPEN_STATUSES,
    )
    if not selectors.can_manage_training(user=request.user, training=session.training):
        raise Http404
    if request.method == "POST":
        from lms.models import User

        target = get_object_or_404(User, pk=request.POST.get("user") or 0)
        try:
            attendance.attendance_mark(
                session=session,
                user=target,
                by=request.user,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request,
                _("Attendance of %(name)s marked.")
                % {"name": target.get_full_name() or target.username},
            )
        except ServiceError as error:
            messages.error(request, error.detail)
        return redirect("live:attendance", session_id=session.pk)
    report = attendance_selectors.session_attendance(session=session)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [
            _("Username"),
            _("Name"),
            _("Role"),
            _("Minutes present"),
            _("Status"),
            _("Marked by hand"),
            _("First joined"),
            _("Last left"),
            _("Note"),
        ]
        rows = [
            [
                row.user.username,
                row.user.get_full_name(),
                row.role,
                row.minutes,
                row.status,
                row.marked_by.username if row.marked_by else "",
                _local(row.first_joined_at),
                _local(row.last_left_at),
                row.note,
            ]
            for row in report.rows
        ]
        return _export(fmt, f"attendance-session-{session.pk}", header, rows)
    return TemplateResponse(
        request,
        "live/attendance_session.html",
        {
            "session": session,
            "report": report,
            "statuses": AttendanceStatus.choices,
            "share_percent": round(settings.LIVE_ATTENDANCE_SHARE * 100),
        },
    )


@login_required
def training_attendance(request: HttpRequest, training_id: int) -> HttpResponse:
    """A training's attendance: confirmed participants x its sessions; export."""
    training = get_object_or_404(
        Training.objects.select_related("course"),
        pk=training_id,
        status__in=selectors.OPEN_STATUSES,
    )
    if not selectors.can_manage_training(user=request.user, training=training):
        raise Http404
    sessions, rows = attendance_selectors.training_attendance(training=training)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [
            _("Username"),
            _("Name"),
            *[f"{_local(s.starts_at)} ({_('minutes')})" for s in sessions],
            *[f"{_local(s.starts_at)} ({_('status')})" for s in sessions],
            _("Sessions attended"),
        ]
        table = [
            [
                row.user.username,
                row.user.get_full_name(),
                *[cell.minutes_present if cell else 0 for cell in row.cells],
                *[cell.status if cell else "" for cell in row.cells],
                row.attended,
            ]
            for row in rows
        ]
        return _export(fmt, f"attendance-training-{training.pk}", header, table)
    return TemplateResponse(
        request,
        "live/attendance_training.html",
        {"training": training, "sessions": sessions, "rows": rows},
    )
