from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from followthrough.activity.models import Status
from followthrough.activity.services import (
    NextFollowUp,
    followup_complete,
    followup_create,
    followup_reschedule,
    followup_skip,
    followup_snooze,
)
from followthrough.conftest import NOW


@pytest.fixture
def followup(contact, alice):
    return followup_create(
        contact=contact, by=alice, purpose="Two-week check on the new bike", channel="call", now=NOW
    )


def test_completing_creates_the_interaction(followup, alice, contact) -> None:
    interaction = followup_complete(
        followup=followup, by=alice, outcome="Loves it; wants a fit", now=NOW
    )
    followup.refresh_from_db()
    contact.refresh_from_db()
    assert followup.status == Status.DONE and followup.interaction == interaction
    assert (interaction.channel, interaction.summary) == ("call", "Loves it; wants a fit")
    assert contact.last_touched_at == NOW


def test_completing_logs_the_channel_actually_used(followup, alice) -> None:
    interaction = followup_complete(followup=followup, by=alice, channel="email", now=NOW)
    followup.refresh_from_db()
    assert interaction.channel == "email" and followup.status == Status.DONE
    assert followup.channel == "call"  # what was planned stays on the follow-up


def test_completing_without_outcome_logs_the_purpose(followup, alice) -> None:
    assert followup_complete(followup=followup, by=alice, now=NOW).summary == followup.purpose


def test_completing_can_schedule_the_next(followup, alice) -> None:
    interaction = followup_complete(
        followup=followup,
        by=alice,
        outcome="Done",
        schedule_next=NextFollowUp(purpose="Bike fit", due=date(2026, 12, 1)),
        now=NOW,
    )
    assert interaction.contact.followups.filter(status=Status.OPEN).get().purpose == "Bike fit"


def test_it_cannot_be_completed_twice(followup, alice) -> None:
    followup_complete(followup=followup, by=alice, now=NOW)
    with pytest.raises(ValidationError, match="already done"):
        followup_complete(followup=followup, by=alice, now=NOW)
    assert followup.contact.interactions.count() == 1


def test_snooze_moves_to_the_next_slot_the_contact_accepts(followup, alice, contact) -> None:
    contact.best_days = [1, 3]  # Tuesday and Thursday
    contact.save()
    # Monday 23 Nov + 1 day = Tuesday 24 Nov, 9:00 New York.
    followup_snooze(followup=followup, by=alice, days=1, now=NOW)
    assert followup.due_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert (followup.status, followup.snooze_count) == (Status.SNOOZED, 1)
    # Tuesday + 3 days = Friday, not a best day → the next Tuesday.
    followup_snooze(followup=followup, by=alice, days=3, now=NOW + timedelta(days=1))
    assert followup.due_at == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_snooze_switches_a_channel_refused_since(followup, alice, contact) -> None:
    contact.pref_phone = "refused"
    contact.pref_text = "preferred"
    contact.save()
    followup_snooze(followup=followup, by=alice, days=1, now=NOW)
    assert followup.channel == "text"


def test_snooze_over_the_weekend(followup, alice) -> None:
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    followup_snooze(followup=followup, by=alice, days=1, now=friday)
    assert followup.due_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_reschedule_sets_a_new_day(followup, alice, bob) -> None:
    followup_reschedule(followup=followup, by=alice, due=date(2026, 12, 3), assignee=bob, now=NOW)
    followup.refresh_from_db()
    assert followup.due_at == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert followup.assignee == bob


def test_skip_needs_a_reason(followup, alice) -> None:
    with pytest.raises(ValidationError) as error:
        followup_skip(followup=followup, by=alice, reason="")
    assert "reason" in error.value.message_dict
    followup_skip(followup=followup, by=alice, reason="Moved away", now=NOW)
    followup.refresh_from_db()
    assert (followup.status, followup.skip_reason) == (Status.SKIPPED, "Moved away")
    with pytest.raises(ValidationError):
        followup_snooze(followup=followup, by=alice, now=NOW)
