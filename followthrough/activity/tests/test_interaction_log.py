from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from followthrough.activity.models import FollowUp
from followthrough.activity.services import NextFollowUp, interaction_log
from followthrough.conftest import NOW


def test_it_logs_a_touch_and_moves_last_touched(contact, alice) -> None:
    interaction, followup = interaction_log(
        contact=contact,
        by=alice,
        channel="call",
        summary="Asked how the new bike rides",
        needs="Wants a bike fit",
        next_approach="Offer a fit in spring",
        now=NOW,
    )
    contact.refresh_from_db()
    assert followup is None
    assert contact.last_touched_at == NOW
    assert contact.last_heard_at is None
    assert interaction.needs == "Wants a bike fit"


def test_it_records_last_heard_from_when_they_got_in_touch(contact, alice) -> None:
    interaction_log(
        contact=contact,
        by=alice,
        channel="email",
        summary="Asked about tyres",
        direction="in",
        now=NOW,
    )
    contact.refresh_from_db()
    assert contact.last_heard_at == NOW == contact.last_touched_at


def test_logging_an_older_touch_does_not_move_last_touched_back(contact, alice) -> None:
    interaction_log(contact=contact, by=alice, channel="call", summary="Today", now=NOW)
    interaction_log(
        contact=contact,
        by=alice,
        channel="call",
        summary="Last month",
        occurred_at=NOW - timedelta(days=30),
        now=NOW,
    )
    contact.refresh_from_db()
    assert contact.last_touched_at == NOW


def test_it_logs_and_schedules_the_next_touch_in_one_step(contact, alice) -> None:
    _, followup = interaction_log(
        contact=contact,
        by=alice,
        channel="meeting",
        summary="Sold a gravel bike",
        now=NOW,
        schedule_next=NextFollowUp(
            purpose="How is the new bike?", due=(NOW + timedelta(days=14)).date(), channel="call"
        ),
    )
    assert followup is not None
    # 7 December 2026, 09:00 in New York (the workspace's zone) is 14:00 UTC.
    assert followup.due_at == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert followup.channel == "call" and followup.assignee == alice


def test_a_bad_next_step_keeps_nothing(contact, alice) -> None:
    contact.pref_phone = "refused"
    contact.save()
    with pytest.raises(ValidationError) as error:
        interaction_log(
            contact=contact,
            by=alice,
            channel="email",
            summary="Sent the catalogue",
            schedule_next=NextFollowUp(purpose="Call back", channel="call"),
            now=NOW,
        )
    assert "channel" in error.value.message_dict
    assert contact.interactions.count() == 0
    assert FollowUp.objects.count() == 0


def test_it_refuses_touches_in_the_future(contact, alice) -> None:
    with pytest.raises(ValidationError) as error:
        interaction_log(
            contact=contact,
            by=alice,
            channel="call",
            summary="x",
            occurred_at=NOW + timedelta(days=1),
            now=NOW,
        )
    assert "occurred_at" in error.value.message_dict
