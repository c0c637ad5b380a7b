from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from followthrough.activity.selectors import contact_history
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.models import TierPin
from followthrough.insight.services import (
    rhythm_refresh,
    tier_pin_clear,
    tier_pin_set,
    tier_settings_update,
    tiers_assign,
)
from followthrough.insight.tests.conftest import people
from followthrough.people.models import Contact


@pytest.fixture
def twenty(workspace, buy) -> list[int]:
    """Twenty customers who each spent 10, 20, ... 200 this year (too few to fit the model:
    their value for next year is this year's spend). Returned richest first."""
    ids = people(workspace, 20)
    for i, cid in enumerate(ids):
        buy(cid, 30, amount=10 * (i + 1))
    return ids[::-1]


def assign(workspace):
    rhythm_refresh(workspace=workspace, now=NOW)
    return tiers_assign(workspace=workspace, now=NOW)


def tiers(ids) -> list[str]:
    found = dict(Contact.objects.filter(pk__in=ids).values_list("id", "tier"))
    return [found[i] for i in ids]


def test_it_makes_the_top_10_percent_gold_the_next_30_silver_the_rest_bronze(
    workspace, twenty
) -> None:
    report = assign(workspace)
    assert tiers(twenty) == ["gold"] * 2 + ["silver"] * 6 + ["bronze"] * 12
    assert report.by_value == {"gold": 2, "silver": 6, "bronze": 12}
    assert len(report.changes) == 20


def test_the_cut_offs_are_the_workspaces_to_change(workspace, twenty) -> None:
    tier_settings_update(workspace=workspace, gold_percent=25, silver_percent=50)
    assign(workspace)
    assert Counter(tiers(twenty)) == {"gold": 5, "silver": 10, "bronze": 5}


def test_cut_offs_that_do_not_add_up_are_refused(workspace) -> None:
    with pytest.raises(ValidationError) as error:
        tier_settings_update(workspace=workspace, gold_percent=60, silver_percent=50)
    assert "silver_percent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        tier_settings_update(workspace=workspace, gold_percent=-1, silver_percent=10)
    assert "gold_percent" in error.value.message_dict


def test_a_pin_wins_over_value_and_over_the_influence_rule(workspace, twenty, alice) -> None:
    poorest, richest = Contact.objects.get(pk=twenty[-1]), Contact.objects.get(pk=twenty[0])
    tier_pin_set(contact=poorest, tier="gold", by=alice, now=NOW)
    Contact.objects.filter(pk=richest.pk).update(influence=True)
    tier_pin_set(contact=richest, tier="bronze", by=alice, now=NOW)

    assign(workspace)

    assert tiers([poorest.pk, richest.pk]) == ["gold", "bronze"]
    assert TierPin.objects.get(contact=poorest).pinned_by == alice


def test_an_opinion_leader_is_kept_at_silver_or_above(workspace, twenty, make_contact) -> None:
    small_buyer = twenty[-1]
    Contact.objects.filter(pk=small_buyer).update(influence=True)
    columnist = make_contact("Olive", "Writer", influence=True)  # never bought anything

    assign(workspace)

    assert tiers([small_buyer, columnist.pk]) == ["silver", "silver"]
    note = Event.objects.get(contact_id=small_buyer, type="tier.changed").data
    assert note == {
        "from": "",
        "to": "silver",
        "reason": "influence",
        "note": "opinion leader: kept at silver or above",
    }


def test_contacts_without_purchases_keep_their_tier(workspace, twenty, make_contact) -> None:
    lead = make_contact("Lee", "Lead", tier="gold")
    assign(workspace)
    assert tiers([lead.pk]) == ["gold"]


def test_a_customer_predicted_to_spend_nothing_is_bronze(workspace, buy) -> None:
    ids = people(workspace, 3)
    buy(ids[0], 10, amount=500)
    buy(ids[1], 500, amount=900)  # over a year ago: nothing expected next year
    buy(ids[2], 20, amount=100)
    tier_settings_update(workspace=workspace, gold_percent=34, silver_percent=66)
    assign(workspace)
    assert tiers(ids) == ["gold", "bronze", "silver"]


def test_a_change_shows_on_the_contacts_timeline_once(workspace, twenty) -> None:
    assign(workspace)
    dana = Contact.objects.get(pk=twenty[0])
    entries = [e for e in contact_history(contact=dana) if e.kind == "event"]
    change = next(e.item for e in entries if e.item.type == "tier.changed")
    assert change.data["from"] == "" and change.data["to"] == "gold"
    assert change.data["reason"] == "value"
    assert change.data["note"] == "top 10% by predicted 12-month value"
    assert change.source == "insight" and change.processed_at == NOW  # starts no playbook
    assert change.external_id == f"tier:{dana.pk}:2026-11-23:gold"

    again = assign(workspace)

    assert again.changes == []
    assert Event.objects.filter(type="tier.changed").count() == 20


def test_pinning_applies_at_once_and_unpinning_waits_for_the_next_night(
    workspace, contact, alice
) -> None:
    tier_pin_set(contact=contact, tier="bronze", by=alice, now=NOW)
    contact.refresh_from_db()
    assert contact.tier == "bronze"
    event = Event.objects.get(contact=contact, type="tier.changed")
    assert event.data["reason"] == "pin" and event.data["from"] == "gold"

    assert tier_pin_clear(contact=contact) is True
    contact.refresh_from_db()
    assert contact.tier == "bronze" and not TierPin.objects.exists()
    assert tier_pin_clear(contact=contact) is False


def test_an_unknown_tier_cannot_be_pinned(contact, alice) -> None:
    with pytest.raises(ValidationError) as error:
        tier_pin_set(contact=contact, tier="platinum", by=alice)
    assert "tier" in error.value.message_dict


def test_other_workspaces_are_left_alone(workspace, twenty, other_workspace) -> None:
    (theirs,) = people(other_workspace, 1)
    assign(workspace)
    assert tiers([theirs]) == [""]
