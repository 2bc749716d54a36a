"""The private addresses of iCalendar feeds."""

import secrets

from django.db import transaction
from django.utils import timezone

from lms.models import Organisation, User
from scheduling.models import CalendarFeed


@transaction.atomic
def calendar_feed_get(
    *, user: User | None = None, organisation: Organisation | None = None
) -> CalendarFeed:
    """The private feed of a person or an organisation (made on first use)."""
    if (user is None) == (organisation is None):
        raise ValueError("a feed belongs to a user or an organisation")
    feed, _created = CalendarFeed.objects.get_or_create(user=user, organisation=organisation)
    return feed


@transaction.atomic
def calendar_feed_regenerate(
    *, user: User | None = None, organisation: Organisation | None = None
) -> CalendarFeed:
    """A new private address; the old one stops working at once."""
    feed = calendar_feed_get(user=user, organisation=organisation)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed
