"""iCalendar feeds (RFC 5545) of trainings, with the `icalendar` package.

A training with live sessions is one event per session; one without is a single event over
its dates. Each event has a stable UID (the session's or training's number and the site's
host), its training's SEQUENCE (raised on every change of times, place or status) and
STATUS: TENTATIVE while proposed, CONFIRMED, or CANCELLED, so calendar clients update or
strike it. Times carry their zone (TZID with its VTIMEZONE), DTSTAMP is in UTC.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from scheduling.models import Training, TrainingSession

STATUS = {
    Training.Status.PROPOSED: "TENTATIVE",
    Training.Status.CONFIRMED: "CONFIRMED",
    Training.Status.COMPLETED: "CONFIRMED",
    Training.Status.CANCELLED: "CANCELLED",
    Training.Status.DRAFT: "TENTATIVE",
}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "fia-academy.local"


def _zone(training: Training):
    try:
        return zoneinfo.ZoneInfo(training.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def _location(training: Training) -> str:
    if training.modality == Training.Modality.REMOTE:
        return training.remote_url or "Online"
    return training.venue


def _event(
    *,
    uid: str,
    training: Training,
    start: datetime,
    end: datetime,
    summary: str,
    url: str,
    stamp: datetime,
) -> icalendar.Event:
    zone = _zone(training)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", summary)
    event.add("sequence", training.sequence)
    event.add("status", STATUS[training.status])
    event.add("last-modified", training.updated_at.astimezone(UTC))
    event.add("created", training.created_at.astimezone(UTC))
    event.add("url", url)
    location = _location(training)
    if location:
        event.add("location", location)
    description = [f"{training.title} — {training.organiser}"]
    if training.course_id:
        description.append(f"{training.course.code}: {training.course.title}")
    if training.status == Training.Status.CANCELLED and training.cancel_reason:
        description.append(training.cancel_reason)
    event.add("description", "\n".join(description))
    return event


def calendar_build(*, name: str, trainings: Iterable[Training]) -> bytes:
    """A VCALENDAR of these trainings (with their sessions prefetched)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//FIA Academy//Training calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = _host()
    stamp = datetime.now(UTC).replace(microsecond=0)
    for training in trainings:
        url = f"{settings.SITE_URL}{training.get_absolute_url()}"
        sessions: list[TrainingSession] = list(training.sessions.all())
        if not sessions:
            calendar.add_component(
                _event(
                    uid=f"training-{training.pk}@{host}",
                    training=training,
                    start=training.starts_at,
                    end=training.ends_at,
                    summary=training.title,
                    url=url,
                    stamp=stamp,
                )
            )
        for session in sessions:
            summary = training.title
            if session.title:
                summary = f"{training.title}: {session.title}"
            calendar.add_component(
                _event(
                    uid=f"session-{session.pk}@{host}",
                    training=training,
                    start=session.starts_at,
                    end=session.ends_at,
                    summary=summary,
                    url=url,
                    stamp=stamp,
                )
            )
    calendar.add_missing_timezones()
    return calendar.to_ical()
