"""A customer's events as rows: purchases, invoices and service visits, in the vocabulary of
core.event_types (amounts as decimal strings, as Shopify and Stripe send them).

History is written already processed (`processed_at` set): the engine evaluated each event when it
came in, long ago, and nobody wants a thank-you note for a purchase of 2024 planned this morning.
The events of the last days that the agenda is about are set apart as `LiveEvent`s and recorded
through the engine instead (see morning.py). External ids are the contact's index and the
event's place in their history, so the same seed gives the same ids.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from followthrough.core.facts import INVOICE_ISSUED, INVOICE_PAID, PURCHASE
from followthrough.demo.buying import Sale
from followthrough.demo.story import LivePlan, ServicePlan

SOURCE: Final = "demo"
SERVICE: Final = "service.interaction"
EVENT_COLUMNS: Final = (
    "workspace", "contact", "type", "source", "external_id", "occurred_at", "received_at",
    "data", "processed_at",
)
RUN_COLUMNS: Final = (
    "workspace", "playbook", "contact", "event", "stage_at_start", "status", "started_at",
    "stopped_at", "stop_reason", "held_out",
)
# How long after an event the worker had evaluated it.
PROCESSING_DELAY: Final = timedelta(minutes=2)


@dataclass(frozen=True)
class LiveEvent:
    """An event recorded through the engine; `contact_id` 0 names someone new by email."""

    contact_id: int
    at: datetime
    type: str
    data: dict[str, Any]
    external_id: str
    email: str = ""
    name: str = ""


@dataclass(frozen=True)
class _Item:
    at: datetime
    type: str
    data: dict[str, Any]
    sale: Sale | None = None
    live: bool = False


@dataclass
class ContactEvents:
    rows: list[tuple[Any, ...]]
    sales: list[Sale | None]  # the purchase behind each row, to link the runs it started
    live: list[LiveEvent]


def money(amount: Any) -> str:
    return f"{amount:.2f}"


def _sale_items(sale: Sale) -> list[_Item]:
    data: dict[str, Any] = {"amount": money(sale.amount), "items": list(sale.items)}
    invoice = sale.invoice
    if invoice is None:
        return [_Item(sale.at, PURCHASE, data, sale, sale.live)]
    data["invoice_id"] = invoice.number
    items = [
        _Item(sale.at, PURCHASE, data, sale),
        _Item(sale.at + timedelta(minutes=1), INVOICE_ISSUED, {
            "invoice_id": invoice.number, "amount": money(sale.amount),
            "due_date": invoice.due.isoformat()}),
    ]
    if invoice.paid_at is not None:
        items.append(_Item(invoice.paid_at, INVOICE_PAID, {
            "invoice_id": invoice.number, "amount": money(sale.amount)}, live=invoice.live))
    return items


def contact_events(
    *, workspace_id: int, contact_id: int, index: int, sales: Sequence[Sale],
    services: Sequence[ServicePlan], live: Sequence[LivePlan],
) -> ContactEvents:
    """The contact's event rows (oldest first) and the live events kept apart."""
    items = [item for sale in sales for item in _sale_items(sale)]
    items += [_Item(s.at, SERVICE, {"note": s.note, "amount": money(s.amount)}) for s in services]
    items += [_Item(plan.at, plan.type, dict(plan.data), live=True) for plan in live]
    items.sort(key=lambda item: (item.at, item.type))
    result = ContactEvents([], [], [])
    for number, item in enumerate(items, start=1):
        external_id = f"{SOURCE}:{index}:{number}"
        if item.live:
            result.live.append(LiveEvent(contact_id, item.at, item.type, item.data, external_id))
            continue
        # JSON as the JSONField would store it (json.dumps), made here once: see Table(ready=).
        result.rows.append((workspace_id, contact_id, item.type, SOURCE, external_id, item.at,
                            item.at, json.dumps(item.data), item.at + PROCESSING_DELAY))
        result.sales.append(item.sale)
    return result
