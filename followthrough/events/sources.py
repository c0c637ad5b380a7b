"""What Stripe and Shopify send, translated into our events (DESIGN "Interfaces")."""

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from followthrough.events.services import ContactRef, EventInput

STRIPE_TYPES = {
    "invoice.finalized": "invoice.issued",
    "invoice.paid": "invoice.paid",
    "invoice.payment_failed": "invoice.payment_failed",
    "invoice.overdue": "invoice.overdue",
    "charge.succeeded": "purchase.made",
}


def _at(timestamp: object, fallback: datetime) -> datetime:
    if isinstance(timestamp, int | float) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, tz=UTC)
    return fallback


def _money(cents: object) -> str | None:
    """Stripe amounts are integers in the currency's smallest unit."""
    if isinstance(cents, int) and not isinstance(cents, bool):
        return str(Decimal(cents) / 100)
    return None


def stripe_event_input(payload: Mapping[str, Any]) -> EventInput | None:
    """Our event for a Stripe event, or None for a type we do not use (answered 200 all the
    same, so Stripe does not retry it). Deduplicated on the Stripe event id."""
    ours = STRIPE_TYPES.get(str(payload.get("type")))
    obj = (payload.get("data") or {}).get("object") or {}
    if ours is None or not isinstance(obj, Mapping):
        return None
    created = _at(payload.get("created"), datetime.now(tz=UTC))
    if ours == "purchase.made":
        billing = obj.get("billing_details") or {}
        contact = ContactRef(
            external_id=str(obj.get("customer") or ""),
            email=str(billing.get("email") or obj.get("receipt_email") or ""),
            name=str(billing.get("name") or ""),
        )
        data = {
            "amount": _money(obj.get("amount")),
            "currency": obj.get("currency"),
            "charge_id": obj.get("id"),
            "description": obj.get("description"),
        }
        occurred = _at(obj.get("created"), created)
    else:
        contact = ContactRef(
            external_id=str(obj.get("customer") or ""),
            email=str(obj.get("customer_email") or ""),
            name=str(obj.get("customer_name") or ""),
        )
        data = {
            "invoice_id": obj.get("number") or obj.get("id"),
            "stripe_invoice": obj.get("id"),
            "currency": obj.get("currency"),
        }
        occurred = created
        if ours == "invoice.issued":
            # Invoices charged automatically have no due date: they are due when issued.
            due = _at(obj.get("due_date"), created)
            data |= {"amount": _money(obj.get("amount_due")), "due_date": due.date().isoformat()}
        if ours == "invoice.paid":
            transitions = obj.get("status_transitions") or {}
            occurred = _at(transitions.get("paid_at"), created)
            data["amount"] = _money(obj.get("amount_paid"))
    return EventInput(
        type=ours,
        occurred_at=occurred,
        source="stripe",
        external_id=str(payload.get("id") or ""),
        contact=contact,
        data={k: v for k, v in data.items() if v is not None},
    )


def shopify_order_input(payload: Mapping[str, Any], *, webhook_id: str) -> EventInput:
    """orders/create → purchase.made, deduplicated on X-Shopify-Webhook-Id."""
    customer = payload.get("customer") or {}
    name = " ".join(p for p in (customer.get("first_name"), customer.get("last_name")) if p)
    try:
        occurred = datetime.fromisoformat(str(payload.get("created_at")))
    except ValueError:
        occurred = datetime.now(tz=UTC)
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    items = [str(i.get("title")) for i in payload.get("line_items") or [] if isinstance(i, dict)]
    return EventInput(
        type="purchase.made",
        occurred_at=occurred,
        source="shopify",
        external_id=webhook_id,
        contact=ContactRef(
            external_id=f"shopify:{customer['id']}" if customer.get("id") else "",
            email=str(payload.get("email") or customer.get("email") or ""),
            phone=str(customer.get("phone") or payload.get("phone") or ""),
            name=name,
        ),
        data={
            "amount": str(payload.get("total_price") or "0"),
            "currency": payload.get("currency"),
            "order_id": payload.get("id"),
            "items": items,
        },
    )
