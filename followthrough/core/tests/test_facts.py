"""Table tests for facts derived from events, whatever order they arrived in."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from followthrough.core.facts import EventRecord, facts_at, invoices, purchase_missed

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def ev(i: int, kind: str, days: int, **data) -> EventRecord:
    return EventRecord(i, kind, T0 + timedelta(days=days), data)


def test_purchase_number_follows_when_they_happened_not_when_they_arrived() -> None:
    later, earlier = ev(1, "purchase.made", 30, amount="50"), ev(2, "purchase.made", 0, amount="20")
    history = [later, earlier]
    assert facts_at(history, trigger=earlier).purchase_number == 1
    facts = facts_at(history, trigger=later)
    assert (facts.purchase_number, facts.lifetime_spend) == (2, Decimal("70"))
    assert facts.median_days_between_purchases == 30


def test_days_late_comes_from_the_due_date() -> None:
    history = [
        ev(1, "invoice.paid", 20, invoice_id="A"),
        ev(2, "invoice.issued", 0, invoice_id="A", due_date="2026-01-20", amount="300"),
    ]
    state = invoices(history)["A"]
    assert (state.due_date, state.days_late, state.amount) == (date(2026, 1, 20), 10, Decimal(300))


@pytest.mark.parametrize(
    ("paid_offsets", "expected"),
    [
        ([], 0),
        ([5], 1),  # paid 5 days late
        ([5, -1], 1),  # one late, one early
        ([5, 3], 2),
    ],
)
def test_it_counts_late_payments_in_the_last_12_months(paid_offsets, expected) -> None:
    history = []
    for i, offset in enumerate(paid_offsets):
        due = T0 + timedelta(days=30 * i)
        history.append(
            ev(
                10 + i,
                "invoice.issued",
                30 * i - 20,
                invoice_id=f"I{i}",
                due_date=due.date().isoformat(),
            )
        )
        history.append(ev(20 + i, "invoice.paid", 30 * i + offset, invoice_id=f"I{i}"))
    trigger = ev(99, "invoice.paid", 200, invoice_id="X")
    assert facts_at(history + [trigger], trigger=trigger).late_payments_12m == expected


def test_a_late_payment_older_than_a_year_does_not_count() -> None:
    history = [
        ev(1, "invoice.issued", 0, invoice_id="A", due_date="2026-01-10"),
        ev(2, "invoice.paid", 10, invoice_id="A"),
    ]
    trigger = ev(3, "invoice.paid", 400, invoice_id="B")
    assert facts_at(history + [trigger], trigger=trigger).late_payments_12m == 0


def test_a_payment_makes_the_invoice_paid_even_if_a_failure_arrives_after() -> None:
    failure = ev(3, "invoice.payment_failed", 5, invoice_id="A")
    history = [
        ev(1, "invoice.issued", 0, invoice_id="A", due_date="2026-01-20"),
        ev(2, "invoice.paid", 8, invoice_id="A"),
        failure,
    ]
    assert facts_at(history, trigger=failure).as_dict()["invoice_paid"] is True


@pytest.mark.parametrize(
    ("days", "today", "expected"),
    [
        ([date(2026, 1, 1), date(2026, 2, 1)], date(2026, 6, 1), None),  # too few purchases
        ([date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)], date(2026, 3, 30), None),
        ([date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)], date(2026, 4, 20), (29.5, 50)),
    ],
)
def test_the_simple_missed_purchase_rule(days, today, expected) -> None:
    assert purchase_missed(days, today=today) == expected
