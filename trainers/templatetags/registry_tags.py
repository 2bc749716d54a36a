"""Template helpers of the registry pages: status badges and language names."""

from django import template

from trainers.selectors.registry import NOT_CERTIFIED, language_label, status_label

register = template.Library()

BADGES = {
    "active": "badge--success",
    "expiring": "badge--warning",
    "expired": "",
    "suspended": "badge--warning",
    "revoked": "badge--danger",
    NOT_CERTIFIED: "badge--info",
}


@register.inclusion_tag("trainers/includes/status_badge.html")
def status_badge(status: str) -> dict:
    return {"status": status, "label": status_label(status), "modifier": BADGES.get(status, "")}


@register.filter
def language_name(code: str) -> str:
    return language_label(code)


@register.filter
def percent_of(value: int, top: int) -> int:
    return round(100 * value / top) if top else 0
