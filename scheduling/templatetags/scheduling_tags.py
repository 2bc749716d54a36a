"""Template helpers of the training calendar."""

from django import template
from django.utils import formats, timezone

register = template.Library()

STATUS_BADGES = {
    "draft": "badge",
    "proposed": "badge badge--warning",
    "confirmed": "badge badge--success",
    "cancelled": "badge badge--danger",
    "completed": "badge badge--info",
    "nominated": "badge",
    "waitlisted": "badge badge--warning",
    "withdrawn": "badge",
    "declined": "badge badge--danger",
}


@register.filter
def status_badge(status: str) -> str:
    """The badge classes for a training's or a nomination's status."""
    return STATUS_BADGES.get(status, "badge")


@register.filter
def local_span(training) -> str:
    """Start and end in the site's zone, the date once when both fall on one day."""

    start = timezone.localtime(training.starts_at)
    end = timezone.localtime(training.ends_at)
    if start.date() == end.date():
        return "{} {}\u2013{}".format(
            formats.date_format(start, "DATE_FORMAT"),
            formats.time_format(start, "TIME_FORMAT"),
            formats.time_format(end, "TIME_FORMAT"),
        )
    return "{} \u2013 {}".format(
        formats.date_format(start, "DATETIME_FORMAT"),
        formats.date_format(end, "DATETIME_FORMAT"),
    )
