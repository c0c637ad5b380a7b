"""Choosing the channel and the moment of a touch, from the contact's side (DESIGN principle 1).

Everything is computed in the contact's local time (their best days and hours are theirs, not ours)
and converted back to UTC at the end. No clock is read: callers pass `after`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followthrough.core.channels import (
    DEFAULT_TOUCH,
    FALLBACK_ORDER,
    MEDIUM_OF,
    Medium,
    Preference,
    TouchChannel,
)

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
DEFAULT_HOURS = (time(9, 0), time(17, 0))
SLOT_MINUTES = 15
# How far ahead to look for an acceptable day before giving up (a contact whose only best day is
# always a holiday, say). A year covers every weekday pattern and holiday calendar.
SEARCH_DAYS = 366


@dataclass(frozen=True)
class ReachPrefs:
    """How and when a contact accepts to be reached.

    best_days: 0=Monday … 6=Sunday in their time zone; empty means weekdays.
    best_hours: local (start, end); None means business hours (9:00–17:00).
    """

    timezone: str = "UTC"
    preferences: Mapping[Medium, Preference] = field(default_factory=dict)
    best_days: frozenset[int] = frozenset()
    best_hours: tuple[time, time] | None = None
    holidays: frozenset[date] = frozenset()

    def preference(self, medium: Medium) -> Preference:
        return self.preferences.get(medium, Preference.OK)


@dataclass(frozen=True)
class Slot:
    channel: TouchChannel
    at: datetime  # aware, UTC


def choose_channel(requested: TouchChannel | None, prefs: ReachPrefs) -> TouchChannel | None:
    """The touch to use: the requested one if its medium is not refused; otherwise (or when
    nothing is requested, i.e. "their preferred") the contact's preferred medium, then the first
    accepted medium in FALLBACK_ORDER. None when the contact refuses every medium."""
    if requested is not None:
        medium = MEDIUM_OF[requested]
        if medium is None or prefs.preference(medium) is not Preference.REFUSED:
            return requested
    for wanted in (Preference.PREFERRED, Preference.OK):
        for medium in FALLBACK_ORDER:
            if prefs.preference(medium) is wanted:
                return DEFAULT_TOUCH[medium]
    return None


def next_slot(*, after: datetime, prefs: ReachPrefs) -> datetime:
    """The first moment at or after `after` (aware) that falls on one of the contact's days,
    within their hours, in their time zone; rounded up to a quarter hour. Returned in UTC.

    Raises ValueError if no acceptable day exists within a year (e.g. every best day a holiday).
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    tz = ZoneInfo(prefs.timezone)
    start, end = prefs.best_hours or DEFAULT_HOURS
    days = prefs.best_days or WEEKDAYS
    local = after.astimezone(tz)
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in days or day in prefs.holidays:
            continue
        earliest = _local_moment(day, start, tz)
        candidate = max(earliest, _round_up(local)) if offset == 0 else earliest
        if candidate.astimezone(tz).time() < end:
            return candidate.astimezone(ZoneInfo("UTC"))
    raise ValueError("no acceptable day for this contact within a year")


def choose_slot(
    *, requested: TouchChannel | None, after: datetime, prefs: ReachPrefs
) -> Slot | None:
    """Channel and moment together; None when the contact refuses every medium."""
    channel = choose_channel(requested, prefs)
    if channel is None:
        return None
    return Slot(channel=channel, at=next_slot(after=after, prefs=prefs))


def _local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`day` at `at` on the contact's wall clock.

    When a DST change skips that wall time (02:30 on a spring-forward night), fold=0 reads it with
    the offset from before the change, which lands the same instant as 03:30 new time: the touch
    moves forward by the gap rather than back, so it never falls before their best hours.
    """
    moment = datetime.combine(day, at, tzinfo=tz)
    return moment.astimezone(ZoneInfo("UTC")).astimezone(tz)


def _round_up(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0) + (
        timedelta(minutes=1) if moment.second or moment.microsecond else timedelta()
    )
    extra = -moment.minute % SLOT_MINUTES
    return moment + timedelta(minutes=extra)
