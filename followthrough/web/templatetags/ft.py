"""Small display helpers for the web templates: tier badges, "12 days ago", lateness, phones,
and the contact's channel preferences in words."""

import calendar
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from followthrough.activity.models import FollowUp
from followthrough.activity.services import SNOOZE_CHOICES
from followthrough.core.channels import MEDIUM_OF, TOUCH_LABELS, Medium, Preference, TouchChannel
from followthrough.core.event_types import KNOWN_TYPES
from followthrough.people.models import Contact, ImportantDate, Tier
from followthrough.people.services import phone_display
from followthrough.web import describe

register = template.Library()

MEDIUM_WORDS = {Medium.PHONE: "calls", Medium.TEXT: "texts", Medium.EMAIL: "email",
                Medium.MAIL: "mail", Medium.IN_PERSON: "meeting in person",
                Medium.SOCIAL: "social media"}
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@register.simple_tag
def tier_badge(tier: str) -> str:
    if not tier:
        return ""
    return format_html('<span class="tier tier-{}">{}</span>', tier, Tier(tier).label)


@register.filter
def ago(moment: datetime | None) -> str:
    """"today", "yesterday", "12 days ago" or "never", counted in the reader's calendar days."""
    if moment is None:
        return "never"
    days = (timezone.localdate() - timezone.localtime(moment).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{max(minutes, 1)} min" if minutes < 60 else f"{minutes // 60} h"


@register.filter
def lateness(due_at: datetime) -> str:
    """"2 days late" or "in 3 days" in the reader's calendar days; hours within the same day."""
    now = timezone.now()
    days = (timezone.localtime(due_at).date() - timezone.localdate(now)).days
    if days == 0:
        return f"{_hours(now - due_at)} late" if due_at <= now else f"in {_hours(due_at - now)}"
    if days < 0:
        return "1 day late" if days == -1 else f"{-days} days late"
    return "tomorrow" if days == 1 else f"in {days} days"


@register.filter
def phone(e164: str) -> str:
    return phone_display(e164)


@register.filter
def channel_label(value: str) -> str:
    try:
        return TOUCH_LABELS[TouchChannel(value)]
    except ValueError:
        return value


@register.filter
def channel_hint(followup: FollowUp) -> str:
    """What the contact would rather have, when the planned touch is not their preferred way."""
    prefs = followup.contact.preferences()
    medium = MEDIUM_OF.get(TouchChannel(followup.channel))
    if medium is not None and prefs[medium] is Preference.REFUSED:
        return f"refuses {MEDIUM_WORDS[medium]}"
    preferred = [m for m, p in prefs.items() if p is Preference.PREFERRED]
    if preferred and medium not in preferred:
        return "prefers " + " or ".join(MEDIUM_WORDS[m] for m in preferred)
    return ""


@register.filter
def mediums_with(contact: Contact, preference: str) -> str:
    """The media the contact marked `preference` ("preferred", "refused"), in words."""
    wanted = Preference(preference)
    return ", ".join(MEDIUM_WORDS[m] for m, p in contact.preferences().items() if p is wanted)


@register.filter
def day_names(days: list[int] | None) -> str:
    return ", ".join(DAY_NAMES[d] for d in sorted(days or []) if 0 <= d <= 6) or "Weekdays"


@register.filter
def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


@register.simple_tag
def action_form(failed: dict[str, Any] | None, followup: FollowUp, action: str) -> Any:
    """The form that just failed, when it is this follow-up's `action`; else None (blank)."""
    if failed and failed.get("id") == followup.pk and failed.get("action") == action:
        return failed["form"]
    return None


@register.simple_tag
def snooze_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _) in SNOOZE_CHOICES.items()]


@register.filter
def yearly(item: ImportantDate) -> str:
    """"12 April 1985", or "12 April" when the year is unknown."""
    text = f"{item.day} {calendar.month_name[item.month]}"
    return f"{text} {item.year}" if item.year else text


@register.filter
def trigger_text(event_type: str) -> str:
    """What an event type means, in words ("A purchase (amount, currency, items)")."""
    return KNOWN_TYPES.get(event_type, "A custom event type")


@register.filter
def provenance(followup: FollowUp) -> str:
    """"First purchase · step 2 · from the purchase on 23 Nov"; "" when planned by hand."""
    return describe.provenance(followup)


@register.filter
def masked(secret: str) -> str:
    return describe.masked(secret)


@register.filter
def money(amount: object, currency: str = "") -> str:
    """"$1,899" (or the amount alone when the currency is unknown)."""
    return describe.money(amount, currency)


@register.filter
def whole_money(amount: float | None, currency: str = "") -> str:
    """An estimate in whole units ("$1,234"): predicted values are not worth the cents."""
    if amount is None:
        return ""
    return describe.money(round(amount), currency)


@register.filter
def days_ago(days: float | None) -> str:
    """"today", "yesterday", "12 days ago" from a number of days."""
    if days is None:
        return ""
    whole = round(days)
    if whole <= 0:
        return "today"
    return "yesterday" if whole == 1 else f"{whole} days ago"


@register.filter
def points(share: float | None) -> str:
    """A difference of two rates in percentage points: "+9", "−4", "+0.3", "0"."""
    if share is None:
        return ""
    value = share * 100
    # Whole points like the lift report's verdict; a decimal only below one, so −0.3 is not 0.
    text = f"{abs(value):.1f}" if 0 < abs(value) < 0.95 else f"{abs(round(value))}"
    if text in ("0", "0.0"):
        return "0"
    return ("+" if value > 0 else "−") + text


@register.filter
def whole(value: float | None) -> str:
    """Rounded like Python (and so like the charts and the at-risk sentences): 28.5 → 28."""
    return "" if value is None else str(round(value))


FOLLOWUP_ACTIONS = ("complete", "snooze", "reschedule", "skip")


@register.simple_tag
def followup_urls(pk: int) -> dict[str, str]:
    """The four action URLs of a follow-up. An agenda page has dozens of rows, each using each
    URL twice; reversing once per action name and filling in the id keeps that off the render."""
    return {action: _action_url(action).replace("/0/", f"/{int(pk)}/") for action in
            FOLLOWUP_ACTIONS}


@cache
def _action_url(action: str) -> str:
    return reverse(f"web:followup_{action}", args=[0])
