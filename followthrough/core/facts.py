"""Facts derived from a contact's events: purchases, spend, invoices paid on time or late.

Events may arrive in any order (a webhook retried an hour later, an import of last year), so every
fact is computed from the whole history sorted by when things happened, never from arrival order.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from statistics import median
from typing import Any

PURCHASE = "purchase.made"
INVOICE_ISSUED = "invoice.issued"
INVOICE_PAID = "invoice.paid"
INVOICE_OVERDUE = "invoice.overdue"
INVOICE_FAILED = "invoice.payment_failed"
LATE_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class EventRecord:
    """One event as the rules see it."""

    id: int
    type: str
    occurred_at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True)
class InvoiceState:
    invoice_id: str
    due_date: date | None
    paid_at: datetime | None
    amount: Decimal | None

    @property
    def days_late(self) -> int | None:
        """Days between the due date and payment (0 or less: on time); None if unpaid or no due
        date is known."""
        if self.paid_at is None or self.due_date is None:
            return None
        return (self.paid_at.date() - self.due_date).days


@dataclass(frozen=True)
class Facts:
    """What the history says about a contact as of one moment (the triggering event's time)."""

    purchase_count: int = 0
    purchase_number: int | None = None  # which purchase the trigger was (1 = first)
    lifetime_spend: Decimal = Decimal(0)
    last_purchase_at: datetime | None = None
    median_days_between_purchases: float | None = None
    late_payments_12m: int = 0
    invoice: InvoiceState | None = None  # the trigger's invoice, if it concerns one

    def as_dict(self) -> dict[str, Any]:
        """Plain values for conditions and merge fields."""
        invoice = self.invoice
        return {
            "purchase_count": self.purchase_count,
            "purchase_number": self.purchase_number,
            "lifetime_spend": float(self.lifetime_spend),
            "median_days_between_purchases": self.median_days_between_purchases,
            "late_payments_12m": self.late_payments_12m,
            "days_late": invoice.days_late if invoice else None,
            "invoice_paid": bool(invoice and invoice.paid_at),
            "invoice_id": invoice.invoice_id if invoice else None,
        }


def amount(data: Mapping[str, Any], key: str = "amount") -> Decimal | None:
    try:
        value = data.get(key)
        return None if value is None or value == "" else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def parse_day(value: object) -> date | None:
    """A date from "2026-11-23" or an ISO datetime; None when absent or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def invoices(events: Iterable[EventRecord]) -> dict[str, InvoiceState]:
    """Each invoice's due date, amount and first payment, whatever order the events came in."""
    due: dict[str, date] = {}
    paid: dict[str, datetime] = {}
    amounts: dict[str, Decimal] = {}
    seen: set[str] = set()
    for event in sorted(events, key=lambda e: (e.occurred_at, e.id)):
        invoice_id = str(event.data.get("invoice_id") or "")
        if not invoice_id:
            continue
        seen.add(invoice_id)
        due_date = parse_day(event.data.get("due_date"))
        if due_date and (event.type == INVOICE_ISSUED or invoice_id not in due):
            due[invoice_id] = due_date
        value = amount(event.data)
        if value is not None:
            amounts.setdefault(invoice_id, value)
        if event.type == INVOICE_PAID:
            paid.setdefault(invoice_id, event.occurred_at)
    return {i: InvoiceState(i, due.get(i), paid.get(i), amounts.get(i)) for i in seen}


def facts_at(events: Iterable[EventRecord], *, trigger: EventRecord) -> Facts:
    """The facts as of the trigger's time. Purchases are counted up to and including the trigger
    (so a first purchase is purchase_number 1 even if a later one arrived earlier); late payments
    in the 12 months up to it."""
    history = sorted(events, key=lambda e: (e.occurred_at, e.id))
    as_of = trigger.occurred_at
    purchases = [
        e
        for e in history
        if e.type == PURCHASE and (e.occurred_at, e.id) <= (trigger.occurred_at, trigger.id)
    ]
    spend = sum((amount(e.data) or Decimal(0) for e in purchases), Decimal(0))
    days = [e.occurred_at.date() for e in purchases]
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    states = invoices(history)
    late = [
        s
        for s in states.values()
        if s.paid_at
        and s.paid_at <= as_of
        and s.paid_at > as_of - LATE_WINDOW
        and (s.days_late or 0) > 0
    ]
    invoice_id = str(trigger.data.get("invoice_id") or "")
    return Facts(
        purchase_count=len(purchases),
        purchase_number=len(purchases) if trigger.type == PURCHASE else None,
        lifetime_spend=spend,
        last_purchase_at=purchases[-1].occurred_at if purchases else None,
        median_days_between_purchases=float(median(gaps)) if gaps else None,
        late_payments_12m=len(late),
        invoice=states.get(invoice_id) if invoice_id else None,
    )


def purchase_missed(
    purchase_days: list[date], *, today: date, min_purchases: int = 3, factor: float = 1.5
) -> tuple[float, int] | None:
    """The simple missed-purchase rule: with at least `min_purchases` purchases, more than
    `factor` × their median interval since the last one. Returns (median interval, days since
    the last purchase) when missed, else None."""
    days = sorted(purchase_days)
    if len(days) < min_purchases:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    typical = float(median(gaps))
    since = (today - days[-1]).days
    if typical <= 0 or since <= factor * typical:
        return None
    return typical, since
