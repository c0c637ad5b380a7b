from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from followthrough.accounts.models import Workspace
from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.insight.selectors import plan_budget_report, tier_plans_get
from followthrough.insight.services import tier_plan_update


def test_every_tier_has_a_plan_from_the_start(workspace) -> None:
    plans = tier_plans_get(workspace=workspace)
    assert list(plans) == ["gold", "silver", "bronze"]
    assert plans["gold"].cadence_days == 30 and plans["bronze"].cadence_days == 90
    assert "meeting" in plans["gold"].allowed_touches
    assert plans["bronze"].allowed_touches == ("email", "card")
    assert plans["gold"].yearly_budget > plans["silver"].yearly_budget > 0


def test_a_plans_cadence_is_the_workspaces_cadence(workspace) -> None:
    tier_plan_update(
        workspace=workspace,
        tier="silver",
        cadence_days=45,
        allowed_touches=["call", "note"],
        yearly_budget="120.50",
    )

    workspace = Workspace.objects.get(pk=workspace.pk)
    assert workspace.cadence_silver_days == 45 and workspace.cadence_days("silver") == 45
    plan = tier_plans_get(workspace=workspace)["silver"]
    assert (plan.cadence_days, plan.allowed_touches, plan.yearly_budget) == (
        45,
        ("call", "note"),
        Decimal("120.50"),
    )

    tier_plan_update(workspace=workspace, tier="silver", yearly_budget=80)
    plan = tier_plans_get(workspace=workspace)["silver"]
    assert (plan.cadence_days, plan.allowed_touches, plan.yearly_budget) == (
        45,
        ("call", "note"),
        Decimal(80),
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tier": "platinum"}, "tier"),
        ({"cadence_days": 0}, "cadence_days"),
        ({"allowed_touches": ["call", "carrier pigeon"]}, "allowed_touches"),
        ({"yearly_budget": "-5"}, "yearly_budget"),
        ({"yearly_budget": "lots"}, "yearly_budget"),
    ],
)
def test_a_bad_plan_names_the_field(workspace, changes, field) -> None:
    with pytest.raises(ValidationError) as error:
        tier_plan_update(workspace=workspace, **{"tier": "gold", **changes})
    assert field in error.value.message_dict


def spend(contact, amount, at=NOW) -> None:
    interaction_log(
        contact=contact,
        by=None,
        channel="gift",
        summary="Gift basket",
        occurred_at=at,
        cost=None if amount is None else Decimal(amount),
        now=NOW,
    )


def test_budget_against_spend_per_tier(workspace, make_contact) -> None:
    dana = make_contact("Dana", "Gold", tier="gold")
    make_contact("Gil", "Gold", tier="gold")
    sam = make_contact("Sam", "Silver", tier="silver")
    bea = make_contact("Bea", "Bronze", tier="bronze")
    una = make_contact("Una", "Untiered")
    spend(dana, "250")
    spend(dana, "100")
    spend(dana, None)
    spend(sam, "40")
    spend(una, "15")
    # 23:30 on New Year's Eve in New York is already 2026 in UTC: it belongs to 2025.
    spend(bea, "10", at=datetime(2026, 1, 1, 4, 30, tzinfo=UTC))
    spend(bea, "5", at=datetime(2026, 1, 1, 5, 30, tzinfo=UTC))

    report = plan_budget_report(workspace=workspace, year=2026)

    gold, silver, bronze = report.tiers
    assert (gold.tier, gold.contacts, gold.budget, gold.spend) == (
        "gold",
        2,
        Decimal(600),
        Decimal(350),
    )
    (over,) = gold.over_budget
    assert (over.contact_id, over.name, over.spend, over.budget) == (
        dana.pk,
        "Dana Gold",
        Decimal(350),
        Decimal(300),
    )
    assert (silver.contacts, silver.spend, silver.over_budget) == (1, Decimal(40), [])
    assert (bronze.contacts, bronze.spend) == (1, Decimal(5))
    assert report.untiered_spend == Decimal(15)
    assert plan_budget_report(workspace=workspace, year=2025).tiers[2].spend == Decimal(10)


def test_the_budget_report_stays_in_its_workspace(workspace, other_workspace, make_contact) -> None:
    theirs = make_contact("Tom", "Theirs", tier="gold", ws=other_workspace)
    spend(theirs, "999")
    report = plan_budget_report(workspace=workspace, year=2026)
    assert report.tiers[0].contacts == 0 and report.tiers[0].spend == 0
