"""`{% live_sessions user teaching=True as sessions %}`: the user's live sessions of today
and the coming days, for the dashboard (which lives in lms: a template tag keeps lms
from importing live)."""

from django import template

from live import selectors

register = template.Library()


@register.simple_tag
def live_sessions(user, teaching: bool = False) -> list:
    if not user.is_authenticated:
        return []
    return selectors.my_live_sessions(user=user, teaching=teaching)
