"""The event vocabulary (DESIGN "Interfaces") and what each type's data must carry."""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
LEAD_CHANNELS = ("call", "email", "web_form", "referral", "event", "walk_in")

KNOWN_TYPES: dict[str, str] = {
    "lead.created": "A new lead (data.channel: call, email, web_form, referral, event, walk_in)",
    "info.requested": "An existing lead asked for information",
    "email.link_clicked": "They clicked a link in an email",
    "email.replied": "They replied to an email",
    "email.unsubscribed": "They unsubscribed from email",
    "purchase.made": "A purchase (amount, currency, items)",
    "service.interaction": "A visit to or call with the service department",
    "invoice.issued": "An invoice was issued (invoice_id, amount, due_date)",
    "invoice.paid": "An invoice was paid (invoice_id)",
    "invoice.overdue": "An invoice is past due (invoice_id)",
    "invoice.payment_failed": "A payment attempt failed (invoice_id)",
    "need.expected": "A project on hold or a need expected on a date (revisit_on, note)",
    "purchase.missed": "Engine: a regular buyer missed their rhythm",
    "contact.neglected": "Engine: untouched for longer than their cadence",
    "date.upcoming": "Engine: a birthday or anniversary is coming (kind, date)",
}

# Events that show the person reached out to us, which stops playbooks waiting for a reply.
REPLY_TYPES = frozenset({"info.requested", "email.replied"})
MAX_DATA_BYTES = 64 * 1024


def _is_amount(value: object) -> bool:
    try:
        return value is not None and not isinstance(value, bool) and Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _is_day(value: object) -> bool:
    try:
        return isinstance(value, str) and bool(date.fromisoformat(value[:10]))
    except ValueError:
        return False


def data_errors(event_type: str, data: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with an event's type or data, by field path ("data.amount"); empty if fine.
    Custom types (any dotted lower-case name) are accepted with any data."""
    if not TYPE_PATTERN.match(event_type or ""):
        return {"type": "A dotted lower-case name such as purchase.made."}
    errors: dict[str, str] = {}
    if event_type == "lead.created" and data.get("channel") not in (None, *LEAD_CHANNELS):
        errors["data.channel"] = f"One of {', '.join(LEAD_CHANNELS)}."
    if event_type == "purchase.made" and "amount" in data and not _is_amount(data["amount"]):
        errors["data.amount"] = "A number."
    if event_type.startswith("invoice.") and not data.get("invoice_id"):
        errors["data.invoice_id"] = "Required for invoice events."
    if event_type == "invoice.issued" and not _is_day(data.get("due_date")):
        errors["data.due_date"] = "A date (YYYY-MM-DD)."
    if event_type == "invoice.issued" and "amount" in data and not _is_amount(data["amount"]):
        errors["data.amount"] = "A number."
    if event_type == "need.expected" and not _is_day(data.get("revisit_on")):
        errors["data.revisit_on"] = "A date (YYYY-MM-DD)."
    return errors
