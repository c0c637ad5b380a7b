from datetime import timedelta

import pytest

from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.people.models import Contact, ImportantDate
from followthrough.playbooks.engine import engine_tick
from followthrough.playbooks.tests.conftest import pending

pytestmark = pytest.mark.usefixtures("defaults")


def untouched_for(contact, days: int) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        last_touched_at=NOW - timedelta(days=days), created_at=NOW - timedelta(days=800)
    )


def test_a_client_past_their_cadence_gets_a_check_in_that_gives_value(workspace, contact):
    untouched_for(contact, 45)  # gold: 30 days
    report = engine_tick(now=NOW, workspace=workspace)
    (followup,) = pending(contact)
    assert (report.neglected, followup.origin) == (1, "cadence")
    assert (
        followup.purpose == "Check in with Dana after 45 days: share something about road cycling"
    )


def test_running_the_tick_twice_for_the_same_moment_creates_nothing(workspace, contact) -> None:
    untouched_for(contact, 45)
    ImportantDate.objects.create(contact=contact, kind="birthday", month=11, day=27)
    engine_tick(now=NOW, workspace=workspace)
    events, followups = Event.objects.count(), contact.followups.count()
    again = engine_tick(now=NOW, workspace=workspace)
    assert (again.derived, again.processed) == (0, 0)
    assert (Event.objects.count(), contact.followups.count()) == (events, followups)


def test_no_check_in_when_something_is_already_planned(workspace, contact, alice) -> None:
    from followthrough.activity.services import followup_create

    untouched_for(contact, 45)
    followup_create(contact=contact, by=alice, purpose="Invite to the spring ride", now=NOW)
    assert engine_tick(now=NOW, workspace=workspace).neglected == 0


def test_a_birthday_card_is_planned_ahead(workspace, contact) -> None:
    untouched_for(contact, 1)
    ImportantDate.objects.create(contact=contact, kind="birthday", month=11, day=30, year=1980)
    ImportantDate.objects.create(contact=contact, kind="birthday", month=12, day=25)  # too far
    engine_tick(now=NOW, workspace=workspace)
    (card,) = pending(contact)
    assert (card.channel, card.origin) == ("card", "date")
    assert card.purpose == "Birthday card for Dana (2026-11-30)"


def test_a_client_anniversary(workspace, contact) -> None:
    untouched_for(contact, 1)
    ImportantDate.objects.create(contact=contact, kind="client_since", month=11, day=25, year=2021)
    engine_tick(now=NOW, workspace=workspace)
    assert pending(contact)[0].purpose == "Anniversary note: 5 years as a client (2026-11-25)"


def test_a_regular_buyer_who_misses_their_rhythm(workspace, happen, contact) -> None:
    untouched_for(contact, 1)
    # Monthly buyer: last purchase 50 days ago, more than 1.5 × 30.
    for days_ago in (140, 110, 80, 50):
        happen(
            "purchase.made",
            contact,
            at=NOW - timedelta(days=days_ago),
            amount="40",
            now=NOW - timedelta(days=days_ago),
        )
    contact.followups.all().delete()
    report = engine_tick(now=NOW, workspace=workspace)
    (call,) = pending(contact)
    assert (report.missed, call.origin, call.channel) == (1, "rhythm", "call")
    assert (
        call.purpose
        == "Dana usually buys every 30 days; 50 days since the last: is anything wrong?"
    )


def test_a_buyer_still_in_rhythm_is_left_alone(workspace, happen, contact) -> None:
    untouched_for(contact, 1)
    for days_ago in (100, 70, 40, 10):
        happen(
            "purchase.made",
            contact,
            at=NOW - timedelta(days=days_ago),
            amount="40",
            now=NOW - timedelta(days=days_ago),
        )
    assert engine_tick(now=NOW, workspace=workspace).missed == 0


def test_the_tick_evaluates_events_left_unprocessed(workspace, contact) -> None:
    from followthrough.events.services import ContactRef, EventInput, event_record

    untouched_for(contact, 1)
    event_record(
        workspace=workspace,
        item=EventInput(
            type="service.interaction",
            occurred_at=NOW,
            source="test",
            contact=ContactRef(id=contact.pk),
        ),
    )
    assert engine_tick(now=NOW, workspace=workspace).processed == 1
    assert len(pending(contact)) == 1
