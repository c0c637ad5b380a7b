"""The figures behind the charts, from real rows."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from followthrough.activity.services import (
    followup_complete,
    followup_create,
    followup_skip,
    interaction_log,
)
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.reports import (
    followups_by_channel,
    retention_cohorts,
    spend_and_revenue,
    tier_summary,
)
from followthrough.insight.services import rhythm_refresh
from followthrough.insight.tests.conftest import TODAY, people
from followthrough.people.models import Contact


def ago(day: date) -> int:
    return (TODAY - day).days


@pytest.fixture
def shoppers(workspace, buy) -> tuple[int, int, int]:
    """Ann and Ben first bought in 2026 Q1, Cy in Q3. Ann came back in Q2 and Q4, Cy in Q4."""
    ann, ben, cy = people(workspace, 3)
    buy(ann, ago(date(2026, 1, 27)), amount=10)
    buy(ben, ago(date(2026, 2, 3)), amount=20)
    buy(ann, ago(date(2026, 5, 5)), amount=5)
    buy(cy, ago(date(2026, 8, 8)), amount=40)
    buy(ann, ago(date(2026, 10, 1)), amount=7)
    buy(cy, ago(date(2026, 11, 2)), amount=3)
    return ann, ben, cy


def test_retention_by_acquisition_quarter(workspace, shoppers) -> None:
    q1, q3 = retention_cohorts(workspace=workspace, now=NOW)
    assert (q1.label, q1.customers) == ("2026 Q1", 2)
    assert q1.shares == [1.0, 0.5, 0.0, 0.5, None, None, None, None]
    assert (q3.label, q3.customers, q3.shares[:3]) == ("2026 Q3", 1, [1.0, 1.0, None])


def test_a_purchase_counts_in_the_local_quarter(workspace, make_contact) -> None:
    dana = make_contact()
    # 22:00 on 30 September in New York is already October in UTC.
    Event.objects.create(
        workspace=workspace,
        contact=dana,
        type="purchase.made",
        source="t",
        occurred_at=datetime(2026, 10, 1, 2, 0, tzinfo=UTC),
        data={"amount": "9"},
    )
    (cohort,) = retention_cohorts(workspace=workspace, now=NOW)
    assert cohort.label == "2026 Q3"


def test_spend_and_revenue_per_quarter(workspace, shoppers, make_contact) -> None:
    ann = Contact.objects.get(pk=shoppers[0])
    lead = make_contact("Lou", "Lead", stage="lead")
    interaction_log(
        contact=lead,
        by=None,
        channel="event",
        summary="Trade show",
        cost=Decimal(50),
        occurred_at=datetime(2026, 8, 1, 15, tzinfo=UTC),
        now=NOW,
    )
    interaction_log(
        contact=ann,
        by=None,
        channel="gift",
        summary="Gift",
        cost=Decimal("20.5"),
        occurred_at=datetime(2026, 10, 5, 15, tzinfo=UTC),
        now=NOW,
    )

    quarters = spend_and_revenue(workspace=workspace, now=NOW)

    assert [q.label for q in quarters] == [f"{y} Q{n}" for y in (2025, 2026) for n in (1, 2, 3, 4)]
    by_label = {q.label: q for q in quarters}
    assert (by_label["2026 Q1"].new_revenue, by_label["2026 Q1"].returning_revenue) == (30, 0)
    assert (by_label["2026 Q2"].new_revenue, by_label["2026 Q2"].returning_revenue) == (0, 5)
    assert by_label["2026 Q3"].new_revenue == 40
    assert by_label["2026 Q4"].returning_revenue == 10
    assert (by_label["2026 Q3"].acquisition_spend, by_label["2026 Q3"].retention_spend) == (50, 0)
    assert (by_label["2026 Q4"].acquisition_spend, by_label["2026 Q4"].retention_spend) == (0, 20.5)


def test_tiers_by_count_and_value(workspace, shoppers) -> None:
    ann, ben, cy = shoppers
    Contact.objects.filter(pk=ann).update(tier="gold")
    Contact.objects.filter(pk__in=[ben, cy]).update(tier="bronze")
    rhythm_refresh(workspace=workspace, now=NOW)  # no model: value = last 12 months' spend

    bars = {b.tier: b for b in tier_summary(workspace=workspace)}

    assert list(bars) == ["gold", "silver", "bronze", ""]
    assert (bars["gold"].contacts, bars["gold"].value) == (1, 22)
    assert (bars["silver"].contacts, bars["silver"].value) == (0, 0)
    assert (bars["bronze"].contacts, bars["bronze"].value) == (2, 63)
    assert bars[""].label == "No tier"


def test_follow_up_completion_and_response_by_channel(workspace, contact, make_contact) -> None:
    eli = make_contact("Eli", "Quiet")
    start = NOW - timedelta(days=60)

    def close(person, channel, days, how="done"):
        followup = followup_create(
            contact=person, by=None, purpose=f"{channel} {days}", channel=channel, now=start
        )
        when = start + timedelta(days=days)
        if how == "done":
            followup_complete(followup=followup, by=None, now=when)
        else:
            followup_skip(followup=followup, by=None, reason="away", now=when)
        return when

    answered = close(contact, "call", 1)
    interaction_log(
        contact=contact,
        by=None,
        channel="call",
        summary="Called back",
        direction="in",
        occurred_at=answered + timedelta(days=3),
        now=NOW,
    )
    close(eli, "call", 2)
    close(eli, "email", 3, how="skipped")
    late = close(eli, "note", 4)
    bought = close(contact, "note", 5)
    Event.objects.create(
        workspace=workspace,
        contact=eli,
        type="purchase.made",
        source="t",
        occurred_at=late + timedelta(days=15),
        data={"amount": "5"},
    )
    Event.objects.create(
        workspace=workspace,
        contact=contact,
        type="purchase.made",
        source="t",
        occurred_at=bought + timedelta(days=13),
        data={"amount": "5"},
    )

    rows = {r.channel: r for r in followups_by_channel(workspace=workspace, now=NOW)}

    assert list(rows) == ["call", "email", "note"]
    assert (rows["call"].completed, rows["call"].skipped, rows["call"].responded) == (2, 0, 1)
    assert rows["call"].response_rate == 0.5 and rows["call"].label == "Call"
    assert (rows["email"].completed, rows["email"].skipped) == (0, 1)
    assert rows["email"].response_rate is None
    assert (rows["note"].completed, rows["note"].responded) == (2, 1)  # a purchase in 13 days


def test_reports_stay_in_their_workspace(workspace, other_workspace, shoppers) -> None:
    from followthrough.insight.tests.conftest import purchase

    (theirs,) = people(other_workspace, 1)
    Event.objects.bulk_create([purchase(other_workspace, theirs, date(2026, 3, 1), 999)])
    mine = spend_and_revenue(workspace=workspace, now=NOW)
    assert sum(q.new_revenue + q.returning_revenue for q in mine) == 85
    assert sum(c.customers for c in retention_cohorts(workspace=workspace, now=NOW)) == 3
    assert [c.customers for c in retention_cohorts(workspace=other_workspace, now=NOW)] == [1]
    assert followups_by_channel(workspace=other_workspace, now=NOW) == []
