"""The contact page's "Rhythm and value" card: their purchases as a chart and in figures, the tier
and how it was decided, pinning it; and tier changes and imports on the timeline."""

import io
import re
import xml.etree.ElementTree as ET

import pytest

from followthrough.conftest import NOW
from followthrough.insight.imports import purchases_import_csv
from followthrough.insight.models import TierPin
from followthrough.insight.services import insight_refresh, tier_pin_set
from followthrough.insight.tests.conftest import people

from .conftest import HTMX

SVG = "{http://www.w3.org/2000/svg}"


def card(body: str) -> str:
    return body.split('id="rhythm"')[1].split("</section>")[0]


def timeline(body: str) -> str:
    return body.split('id="timeline"')[1]


@pytest.fixture
def regular(workspace, synthetic, buy, contact):
    """Dana (gold by hand) bought every 30 days for $200 and has been silent for 80 days."""
    buy(contact, 200, 170, 140, 110, 80, amount=200)
    insight_refresh(workspace=workspace, now=NOW)
    contact.refresh_from_db()
    return contact


def test_it_shows_their_rhythm_and_value_with_the_chart(alice_client, regular) -> None:
    rhythm = card(alice_client.get(f"/contacts/{regular.pk}/").content.decode())

    assert "every 30 days" in rhythm and "80 days ago" in rhythm and "was due 4 Oct" in rhythm
    assert "% chance" not in rhythm and "Chance still active" in rhythm
    chance = rhythm.split("Chance still active</dt><dd>")[1].split("</dd>")[0]
    assert chance.endswith("%") and 0 < int(chance[:-1]) < 100
    assert "Lifetime spend</dt><dd>$1,000<small>5 purchases</small>" in rhythm
    value = rhythm.split("Predicted 12-month value</dt><dd>")[1].split("</dd>")[0]
    assert value.startswith("$")
    assert re.search(r"Purchases next year</dt><dd>\d+\.\d</dd>", rhythm)
    chart = ET.fromstring(rhythm[rhythm.index("<svg"):rhythm.index("</svg>") + 6])  # noqa: S314
    bars = [e for e in chart.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert len(bars) == 5 and chart.get("role") == "img"
    assert "Dana Rider’s purchases" in chart.find(f"{SVG}title").text


def test_it_says_the_tier_comes_from_value(alice_client, regular) -> None:
    body = alice_client.get(f"/contacts/{regular.pk}/").content.decode()

    assert regular.tier == "gold"  # one of the best customers: stays gold, by value now
    assert "From value: top 10% by predicted 12-month value." in card(body)


def test_a_tier_change_reads_in_words_on_the_timeline(alice_client, workspace, synthetic, buy,
                                                      make_contact) -> None:
    newcomer = make_contact("Nell", "New", stage="client")
    buy(newcomer, 60, 30, amount=2000)
    insight_refresh(workspace=workspace, now=NOW)

    body = alice_client.get(f"/contacts/{newcomer.pk}/").content.decode()

    assert "Tier: no tier → gold (from predicted value)" in timeline(body)
    assert "via Followthrough" in timeline(body).split("Tier: no tier → gold")[1][:300]


def test_an_opinion_leader_is_kept_at_silver(alice_client, workspace, buy,
                                             make_contact) -> None:
    leader = make_contact("Lea", "Leader", stage="client", tier="bronze", influence=True)
    buy(leader, 100, amount=5)
    for i, customer in enumerate(people(workspace, 9)):
        buy(customer, 50, amount=100 * (i + 1))  # nine customers who spend more
    insight_refresh(workspace=workspace, now=NOW)

    body = alice_client.get(f"/contacts/{leader.pk}/").content.decode()

    assert 'class="tier tier-silver"' in card(body)
    assert "Opinion leader: kept at silver or above" in card(body)
    assert "Tier: bronze → silver (opinion leader, kept at silver or above)" in timeline(body)


def test_pinning_changes_the_tier_shown_and_the_nightly_run_keeps_it(alice_client, workspace,
                                                                      regular) -> None:
    response = alice_client.post(f"/contacts/{regular.pk}/tier/", {"tier": "bronze"})

    assert response.status_code == 302 and response.url == f"/contacts/{regular.pk}/#rhythm"
    body = alice_client.get(response.url).content.decode()
    assert "<h1>Dana Rider <span class=\"tier tier-bronze\">" in body
    assert "Pinned by Alice on 23 Nov 2026: the nightly assignment keeps it." in card(body)
    assert "Tier pinned at bronze" in body
    assert "Tier: gold → bronze (pinned by hand)" in timeline(body)
    insight_refresh(workspace=workspace, now=NOW)
    regular.refresh_from_db()
    assert regular.tier == "bronze"

    alice_client.post(f"/contacts/{regular.pk}/tier/", {"clear": "1"})

    body = alice_client.get(f"/contacts/{regular.pk}/").content.decode()
    assert "Was pinned; from the next recompute it follows their value again." in card(body)
    assert "Clear the pin" not in card(body) and not TierPin.objects.exists()
    insight_refresh(workspace=workspace, now=NOW)
    regular.refresh_from_db()
    assert regular.tier == "gold"


def test_a_member_sees_the_card_but_cannot_pin(client, bob, regular) -> None:
    client.force_login(bob)
    body = client.get(f"/contacts/{regular.pk}/").content.decode()
    assert "From value" in card(body) and "Pin the tier at" not in card(body)

    assert client.post(f"/contacts/{regular.pk}/tier/", {"tier": "bronze"}).status_code == 403
    assert client.post(f"/contacts/{regular.pk}/tier/", {"clear": "1"}).status_code == 403
    assert not TierPin.objects.exists()


def test_charlie_cannot_pin_alices_contact(charlie_client, regular, alice) -> None:
    tier_pin_set(contact=regular, tier="silver", by=alice)

    assert charlie_client.post(f"/contacts/{regular.pk}/tier/",
                               {"tier": "bronze"}).status_code == 404
    assert charlie_client.post(f"/contacts/{regular.pk}/tier/", {"clear": "1"}).status_code == 404
    assert TierPin.objects.get(contact=regular).tier == "silver"


def test_without_purchases_the_card_says_so(alice_client, contact) -> None:
    rhythm = card(alice_client.get(f"/contacts/{contact.pk}/").content.decode())

    assert "No purchases yet" in rhythm and "<svg" not in rhythm
    assert "Set by hand on the contact" in rhythm and 'class="tier tier-gold"' in rhythm


def test_imported_purchases_read_as_an_import_on_the_timeline(alice_client, workspace,
                                                               contact) -> None:
    purchases_import_csv(workspace=workspace, now=NOW, file=io.StringIO(
        "date,email,amount\n2026-10-01,dana@example.com,45.00\n"))

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    line = timeline(body).split("Purchase — $45")[1].split("</li>")[0]
    assert "via an import" in line
    assert "Lifetime spend</dt><dd>$45" in card(body) and "once so far" in card(body)


def test_recording_a_purchase_refreshes_the_card(alice_client, contact, buy) -> None:
    buy(contact, 60, 30, amount=100)

    response = alice_client.post(f"/contacts/{contact.pk}/record/purchase/", {
        "purchase-on": "2026-11-23", "purchase-amount": "100"}, **HTMX)

    body = response.content.decode()
    assert 'id="rhythm" aria-labelledby="rhythm-title" hx-swap-oob="true"' in body
    assert "Lifetime spend</dt><dd>$300<small>3 purchases</small>" in card(body)
    assert "today" in card(body).split("Last purchase</dt><dd>")[1][:20]
