"""The iCalendar feed (DESIGN C3): each user's pending follow-ups as events at a secret URL that
calendar apps subscribe to. Only the token's SHA-256 is stored, like API tokens: a leaked
database does not leak working feed URLs."""

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from followthrough.accounts.models import User, hash_token
from followthrough.activity.models import PENDING, FollowUp

MAX_EVENTS = 2000
EVENT_MINUTES = 15


def calendar_token_issue(*, user: User) -> str:
    """A new secret for `user`'s feed; the previous URL stops working. Returns the raw token,
    which is shown once and never stored."""
    raw = secrets.token_urlsafe(24)
    user.calendar_token_digest = hash_token(raw)
    user.save(update_fields=["calendar_token_digest"])
    return raw


def calendar_token_revoke(*, user: User) -> None:
    user.calendar_token_digest = None
    user.save(update_fields=["calendar_token_digest"])


def calendar_user_get(*, raw: str) -> User | None:
    """The active user whose feed `raw` opens, or None (wrong, revoked or rotated token)."""
    if not raw:
        return None
    return (
        User.objects.filter(calendar_token_digest=hash_token(raw), is_active=True)
        .select_related("workspace")
        .first()
    )


def calendar_url(*, raw: str) -> str:
    return settings.BASE_URL + reverse("calendar_feed", kwargs={"token": raw})


def _event(followup: FollowUp, now: datetime, host: str) -> Event:
    event = Event()
    # Stable across fetches, so a calendar app updates a moved follow-up instead of adding one.
    event.add("uid", f"followup-{followup.pk}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", followup.due_at)
    event.add("dtend", followup.due_at + timedelta(minutes=EVENT_MINUTES))
    event.add("summary", f"{followup.contact.name}: {followup.purpose}")
    event.add("description", f"{followup.get_channel_display()} — {followup.purpose}")
    event.add("url", settings.BASE_URL + reverse("web:contact", args=[followup.contact_id]))
    event.add("categories", [followup.get_channel_display()])
    return event


def calendar_feed_ics(*, user: User, now: datetime) -> bytes:
    """`user`'s open and snoozed follow-ups as an iCalendar (RFC 5545) document."""
    host = urlsplit(settings.BASE_URL).hostname or "followthrough"
    calendar = Calendar()
    calendar.add("prodid", "-//Followthrough//Follow-ups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Follow-ups — {user}")
    # A hint to calendar apps to check hourly (many default to once a day).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    followups = (
        FollowUp.objects.filter(workspace_id=user.workspace_id, assignee=user, status__in=PENDING)
        .select_related("contact")
        .order_by("due_at", "id")[:MAX_EVENTS]
    )
    for followup in followups:
        calendar.add_component(_event(followup, now, host))
    return bytes(calendar.to_ical())
