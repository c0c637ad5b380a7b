"""Table tests for choosing the channel and the slot of a touch."""

from datetime import UTC, date, datetime, time

import pytest

from followthrough.core.channels import Medium, Preference, TouchChannel
from followthrough.core.scheduling import ReachPrefs, choose_channel, choose_slot, next_slot

R, P, OK = Preference.REFUSED, Preference.PREFERRED, Preference.OK


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("requested", "preferences", "expected"),
    [
        # Nothing refused: the requested touch stands.
        (TouchChannel.CALL, {}, TouchChannel.CALL),
        # A contact who refuses phone calls gets their preferred medium instead.
        (TouchChannel.CALL, {Medium.PHONE: R, Medium.TEXT: P}, TouchChannel.TEXT),
        # … or, with nothing preferred, the first accepted medium (email before text).
        (TouchChannel.CALL, {Medium.PHONE: R}, TouchChannel.EMAIL),
        (TouchChannel.CALL, {Medium.PHONE: R, Medium.EMAIL: R}, TouchChannel.TEXT),
        # A handwritten note is mail: refused mail falls back too.
        (TouchChannel.NOTE, {Medium.MAIL: R, Medium.PHONE: P}, TouchChannel.CALL),
        # "Their preferred": the preferred medium's usual touch.
        (None, {Medium.MAIL: P}, TouchChannel.LETTER),
        (None, {}, TouchChannel.EMAIL),
        (None, {Medium.EMAIL: R, Medium.PHONE: R}, TouchChannel.TEXT),
        # "Other" has no medium to refuse.
        (TouchChannel.OTHER, dict.fromkeys(Medium, R), TouchChannel.OTHER),
        # Refuses everything: no channel at all.
        (TouchChannel.CALL, dict.fromkeys(Medium, R), None),
        (None, dict.fromkeys(Medium, R), None),
    ],
)
def test_it_chooses_a_channel_the_contact_accepts(requested, preferences, expected) -> None:
    assert choose_channel(requested, ReachPrefs(preferences=preferences)) == expected


NY = "America/New_York"
BERLIN = "Europe/Berlin"
NINE_TO_FIVE = (time(9), time(17))


@pytest.mark.parametrize(
    ("after", "prefs", "expected"),
    [
        # Within business hours on a weekday: now, rounded up to the quarter hour.
        (utc(2026, 11, 23, 15, 7), ReachPrefs(timezone=NY), utc(2026, 11, 23, 15, 15)),
        # Before their hours: the start of their hours, in their zone (9:00 EST = 14:00 UTC).
        (utc(2026, 11, 23, 3, 0), ReachPrefs(timezone=NY), utc(2026, 11, 23, 14, 0)),
        # After hours on a Friday: Monday morning, weekends skipped.
        (utc(2026, 11, 27, 23, 0), ReachPrefs(timezone=NY), utc(2026, 11, 30, 14, 0)),
        # Their best days: Tuesdays and Thursdays only.
        (
            utc(2026, 11, 23, 15, 0),
            ReachPrefs(timezone=NY, best_days=frozenset({1, 3})),
            utc(2026, 11, 24, 14, 0),
        ),
        # Best hours in the evening, 18:00–20:00 their time.
        (
            utc(2026, 11, 23, 15, 0),
            ReachPrefs(timezone=NY, best_hours=(time(18), time(20))),
            utc(2026, 11, 23, 23, 0),
        ),
        # Someone who is happy to hear on Saturdays.
        (
            utc(2026, 11, 28, 8, 0),
            ReachPrefs(timezone=BERLIN, best_days=frozenset({5})),
            utc(2026, 11, 28, 8, 0),
        ),
        # A holiday is skipped (Thanksgiving 2026 is Thursday 26 November).
        (
            utc(2026, 11, 26, 12, 0),
            ReachPrefs(timezone=NY, holidays=frozenset({date(2026, 11, 26)})),
            utc(2026, 11, 27, 14, 0),
        ),
        # Daylight saving: 9:00 New York is 14:00 UTC on Friday 6 March 2026 and 13:00 UTC on
        # Monday 9 March, after clocks went forward on Sunday 8 March.
        (utc(2026, 3, 6, 23, 0), ReachPrefs(timezone=NY), utc(2026, 3, 9, 13, 0)),
        # Back again in autumn: Friday 30 October 2026 9:00 Berlin is 07:00 UTC (CEST); Monday
        # 2 November 9:00 is 08:00 UTC (CET).
        (utc(2026, 10, 30, 17, 0), ReachPrefs(timezone=BERLIN), utc(2026, 11, 2, 8, 0)),
        # A wall time skipped by the spring-forward change (02:30 on 29 March 2026 in Berlin)
        # moves forward by the gap to 03:30 CEST = 01:30 UTC, never back before their hours.
        (
            utc(2026, 3, 28, 22, 0),
            ReachPrefs(
                timezone=BERLIN, best_days=frozenset({6}), best_hours=(time(2, 30), time(4))
            ),
            utc(2026, 3, 29, 1, 30),
        ),
    ],
)
def test_it_finds_the_next_slot_in_the_contacts_time(after, prefs, expected) -> None:
    assert next_slot(after=after, prefs=prefs) == expected


def test_it_returns_utc() -> None:
    slot = next_slot(after=utc(2026, 11, 23, 3, 0), prefs=ReachPrefs(timezone="Asia/Tokyo"))
    assert slot.utcoffset() is not None and slot.utcoffset().total_seconds() == 0
    # 9:00 in Tokyo (UTC+9) on Monday 23 November is 00:00 UTC; 03:00 UTC is 12:00 there.
    assert slot == utc(2026, 11, 23, 3, 0)


def test_it_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slot(after=datetime(2026, 11, 23, 9, 0), prefs=ReachPrefs())  # noqa: DTZ001


def test_it_gives_up_when_no_day_is_acceptable() -> None:
    every_monday = {
        date(2026, 11, 23) + (date(2026, 11, 30) - date(2026, 11, 23)) * i for i in range(60)
    }
    prefs = ReachPrefs(best_days=frozenset({0}), holidays=frozenset(every_monday))
    with pytest.raises(ValueError, match="no acceptable day"):
        next_slot(after=utc(2026, 11, 23, 0, 0), prefs=prefs)


def test_it_schedules_a_phone_refuser_by_their_preferred_medium_at_their_hours() -> None:
    prefs = ReachPrefs(
        timezone=NY, preferences={Medium.PHONE: R, Medium.EMAIL: P}, best_hours=NINE_TO_FIVE
    )
    slot = choose_slot(requested=TouchChannel.CALL, after=utc(2026, 11, 23, 23, 0), prefs=prefs)
    assert slot is not None
    assert (slot.channel, slot.at) == (TouchChannel.EMAIL, utc(2026, 11, 24, 14, 0))


def test_it_has_no_slot_for_someone_who_refuses_everything() -> None:
    prefs = ReachPrefs(preferences=dict.fromkeys(Medium, R))
    assert choose_slot(requested=None, after=utc(2026, 11, 23, 12, 0), prefs=prefs) is None
