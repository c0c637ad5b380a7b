"""Tier plans (owner and admins): cadence, kinds of touch and yearly budget per tier, how tiers are
cut, and this year's budget against the costs logged, with who went over."""

from datetime import timedelta
from decimal import Decimal

from followthrough.accounts.models import Workspace
from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.insight.selectors import tier_plans_get, tier_settings_get

from .html_forms import form_data


def field(body: str, tier: str, name: str) -> str:
    part = body.split(f'id="plan-{tier}"')[1] if tier else body
    return part.split(f'data-field="{name}"')[1].split("data-field=")[0]


def test_it_saves_every_tiers_plan_and_the_split(alice_client, workspace) -> None:
    data = form_data(alice_client.get("/settings/tiers/").content.decode(), "tier-plans-form")
    assert data["gold-cadence_days"] == ["30"] and data["bronze-allowed_touches"] == [
        "email", "card"]
    assert data["gold_percent"] == ["10"] and data["silver_percent"] == ["30"]
    data.update({"gold-cadence_days": ["21"], "bronze-allowed_touches": ["email", "card", "text"],
                 "silver-yearly_budget": ["150.50"], "gold_percent": ["20"]})

    response = alice_client.post("/settings/tiers/", data)

    assert response.status_code == 302 and response.url == "/settings/tiers/"
    workspace = Workspace.objects.get(pk=workspace.pk)
    plans = tier_plans_get(workspace=workspace)
    assert workspace.cadence_gold_days == 21 and plans["gold"].cadence_days == 21
    assert plans["bronze"].allowed_touches == ("email", "card", "text")
    assert plans["silver"].yearly_budget == Decimal("150.50")
    assert tier_settings_get(workspace=workspace).gold_percent == 20
    body = alice_client.get("/settings/tiers/").content.decode()
    assert "Tier plans saved." in body and 'value="21"' in field(body, "gold", "cadence_days")


def test_it_shows_each_error_next_to_its_field_and_saves_nothing(alice_client,
                                                                 workspace) -> None:
    data = form_data(alice_client.get("/settings/tiers/").content.decode(), "tier-plans-form")
    data.update({"gold-cadence_days": ["0"], "silver-yearly_budget": ["-5"],
                 "bronze-cadence_days": ["45"], "gold_percent": ["60"], "silver_percent": ["50"]})

    response = alice_client.post("/settings/tiers/", data)

    assert response.status_code == 422
    body = response.content.decode()
    assert "Between 1 and 3650 days." in field(body, "gold", "cadence_days")
    assert "An amount of 0 or more." in field(body, "silver", "yearly_budget")
    assert "cannot exceed 100%" in field(body, "", "silver_percent")
    assert "Nothing is saved yet" in body and 'value="45"' in field(body, "bronze",
                                                                     "cadence_days")
    workspace = Workspace.objects.get(pk=workspace.pk)
    assert (workspace.cadence_gold_days, workspace.cadence_bronze_days) == (30, 90)
    assert tier_settings_get(workspace=workspace).gold_percent == 10


def test_it_refuses_what_is_not_a_number(alice_client) -> None:
    data = form_data(alice_client.get("/settings/tiers/").content.decode(), "tier-plans-form")
    data.update({"gold-yearly_budget": ["lots"], "silver_percent": ["some"]})

    body = alice_client.post("/settings/tiers/", data).content.decode()

    assert "Enter a number." in field(body, "gold", "yearly_budget")
    assert "Enter a whole number." in field(body, "", "silver_percent")


def test_it_reports_the_budget_against_the_logged_costs(alice_client, contact,
                                                        make_contact) -> None:
    frugal = make_contact("Fru", "Gal", stage="client", tier="gold")
    for cost, who in ((Decimal(250), contact), (Decimal(90), contact), (Decimal(20), frugal)):
        interaction_log(contact=who, by=None, channel="gift", summary="A gift", cost=cost,
                        occurred_at=NOW - timedelta(days=30))
    interaction_log(contact=frugal, by=None, channel="gift", summary="Last year",
                    cost=Decimal(500), occurred_at=NOW - timedelta(days=400))

    body = alice_client.get("/settings/tiers/").content.decode()

    budget = body.split('id="budget"')[1]
    assert "Budget and spend in 2026" in budget
    gold = budget.split('class="tier tier-gold"')[1].split("</tr>")[0]
    assert '<td class="num">2<span' in gold and "$600" in gold and "$360" in gold
    assert '<td class="num">60%<span' in gold  # the tier as a whole is within its budget
    assert "Over their gold budget of $300" in budget
    over = budget.split("Over their gold budget")[1]
    assert "Dana Rider" in over and "$340" in over and "Fru Gal" not in over


def test_settings_links_here_and_a_member_gets_403(alice_client, client, bob) -> None:
    settings = alice_client.get("/settings/").content.decode()
    assert 'href="/settings/tiers/"' in settings and 'href="/import/purchases/"' in settings

    client.force_login(bob)

    assert client.get("/settings/tiers/").status_code == 403
    assert client.post("/settings/tiers/", {"gold-cadence_days": "5"}).status_code == 403
