"""Events and follow-ups in the users' words: "Purchase — $1,899 — gravel bike", "Invoice
SC-0042 paid 10 days late", "First purchase · step 2 · from the purchase on 23 Nov"."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format

from followthrough.activity.models import FollowUp
from followthrough.core.facts import InvoiceState, parse_day
from followthrough.events.models import Event

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "cad": "CA$", "aud": "A$", "nzd": "NZ$"}
SEP = " — "


def money(value: object, currency: object = None) -> str:
    """"$1,899", "$12.50", "1,899 CHF"; "" when it is not an amount."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    if not amount.is_finite():
        return ""
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    code = str(currency or "").lower()
    if code in SYMBOLS:
        return f"{SYMBOLS[code]}{text}"
    return f"{text} {code.upper()}" if code else text


def day_text(day: date | datetime | None) -> str:
    """"23 Nov", with the year when it is not this year; local time for a moment."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    fmt = "j M" if day.year == timezone.localdate().year else "j M Y"
    return date_format(day, fmt)


@dataclass(frozen=True)
class _Ctx:
    invoices: Mapping[str, InvoiceState]
    currency: str


def _items(data: Mapping[str, Any]) -> str:
    items = data.get("items")
    if isinstance(items, list):
        return ", ".join(str(i) for i in items if i)
    return str(items or data.get("item") or data.get("description") or "")


def _join(*parts: object) -> str:
    return SEP.join(str(p) for p in parts if p)


def _purchase(event: Event, ctx: _Ctx) -> str:
    data = event.data
    amount = money(data.get("amount"), data.get("currency") or ctx.currency)
    return _join("Purchase", amount, _items(data))


def _service(event: Event, _: _Ctx) -> str:
    return _join("Service visit", event.data.get("note"))


def _invoice_issued(event: Event, ctx: _Ctx) -> str:
    data = event.data
    due = parse_day(data.get("due_date"))
    return _join(
        f"Invoice {data.get('invoice_id')} issued",
        money(data.get("amount"), data.get("currency") or ctx.currency),
        f"due {day_text(due)}" if due else "",
    )


def _invoice_paid(event: Event, ctx: _Ctx) -> str:
    invoice_id = str(event.data.get("invoice_id") or "")
    state = ctx.invoices.get(invoice_id)
    late = state.days_late if state and state.paid_at == event.occurred_at else None
    when = ""
    if late is not None:
        when = " on time" if late <= 0 else f" {late} day{'s' if late != 1 else ''} late"
    return f"Invoice {invoice_id} paid{when}"


def _need(event: Event, _: _Ctx) -> str:
    revisit = parse_day(event.data.get("revisit_on"))
    return _join("Project on hold", f"revisit on {day_text(revisit)}" if revisit else "",
                 event.data.get("note"))


def _lead(event: Event, _: _Ctx) -> str:
    channel = str(event.data.get("channel") or "").replace("_", " ")
    return _join("New lead", f"via {channel}" if channel else "", event.data.get("message"))


def _clicked(event: Event, _: _Ctx) -> str:
    what = event.data.get("title") or event.data.get("url") or "a link"
    return f"Clicked “{what}” in an email"


def _missed(event: Event, _: _Ctx) -> str:
    data = event.data
    typical = data.get("typical_days")
    usual = round(typical) if isinstance(typical, int | float) else typical
    alive = data.get("p_alive")
    chance = f"{round(alive * 100)}% chance still active" if isinstance(alive, float) else ""
    return _join("Missed their usual purchase",
                 f"usually every {usual} days, {data.get('days_since')} since the last", chance)


TIER_ORDER = ("", "bronze", "silver", "gold")


def _tier_name(tier: object) -> str:
    return str(tier) if tier else "no tier"


def _tier_why(data: Mapping[str, Any]) -> str:
    """Why the nightly assignment (or a person) moved them, in a few words."""
    reason, before, after = data.get("reason"), data.get("from") or "", data.get("to") or ""
    if reason == "pin":
        return "pinned by hand"
    if reason == "influence":
        return "opinion leader, kept at silver or above"
    if reason != "value":
        return ""
    if not before or before not in TIER_ORDER or after not in TIER_ORDER:
        return "from predicted value"
    up = TIER_ORDER.index(after) > TIER_ORDER.index(before)
    return "predicted value up" if up else "predicted value down"


def _tier_changed(event: Event, _: _Ctx) -> str:
    """"Tier: bronze → silver (predicted value up)"."""
    data = event.data
    why = _tier_why(data)
    line = f"Tier: {_tier_name(data.get('from'))} → {_tier_name(data.get('to'))}"
    return f"{line} ({why})" if why else line


def _date_upcoming(event: Event, _: _Ctx) -> str:
    data = event.data
    kind = "Birthday" if data.get("kind") == "birthday" else "Client anniversary"
    years = f" ({data['years']} years)" if data.get("years") else ""
    return f"{kind}{years} on {day_text(parse_day(data.get('date')))}"


LINES: dict[str, Callable[[Event, _Ctx], str]] = {
    "purchase.made": _purchase,
    "service.interaction": _service,
    "invoice.issued": _invoice_issued,
    "invoice.paid": _invoice_paid,
    "invoice.overdue": lambda e, _: f"Invoice {e.data.get('invoice_id')} is overdue",
    "invoice.payment_failed": lambda e, _: f"Payment failed for invoice {e.data.get('invoice_id')}",
    "need.expected": _need,
    "lead.created": _lead,
    "info.requested": lambda e, _: "Asked for information",
    "email.link_clicked": _clicked,
    "email.replied": lambda e, _: "Replied to an email",
    "email.unsubscribed": lambda e, _: "Unsubscribed from email",
    "purchase.missed": _missed,
    "contact.neglected": lambda e, _: _join(
        "Past their cadence", f"{e.data.get('days_untouched')} days untouched"),
    "date.upcoming": _date_upcoming,
    "tier.changed": _tier_changed,
    "contact.merged": lambda e, _: f"Merged with the duplicate record {e.data.get('merged_name')}",
}


def event_line(event: Event, invoices: Mapping[str, InvoiceState] | None = None,
               currency: str = "") -> str:
    """What happened, in one line. `invoices` (by number) lets a payment say if it was late;
    `currency` is the business's, for amounts that do not name theirs."""
    line = LINES.get(event.type)
    if line is None:
        return event.type  # a custom type: its name is all we know
    return line(event, _Ctx(invoices or {}, currency))


NOUNS = {
    "purchase.made": "the purchase",
    "service.interaction": "the service visit",
    "invoice.issued": "invoice {invoice_id}",
    "invoice.paid": "the payment of invoice {invoice_id}",
    "invoice.overdue": "overdue invoice {invoice_id}",
    "invoice.payment_failed": "the failed payment of invoice {invoice_id}",
    "need.expected": "the project put on hold",
    "lead.created": "the new lead",
    "info.requested": "the information request",
    "email.link_clicked": "the click",
    "email.replied": "the reply",
    "purchase.missed": "the missed purchase",
    "contact.neglected": "the cadence check",
    "date.upcoming": "the upcoming date",
    "tier.changed": "the tier change",
}


def event_noun(event: Event) -> str:
    """"the purchase on 23 Nov": the event as the origin of a follow-up."""
    noun = NOUNS.get(event.type, event.type)
    noun = noun.replace("{invoice_id}", str(event.data.get("invoice_id") or ""))
    return f"{noun} on {day_text(event.occurred_at)}"


def provenance(followup: FollowUp) -> str:
    """"First purchase · step 2 · from the purchase on 23 Nov"; "" for a follow-up planned by
    hand. Reads followup.run.playbook and followup.event: select them with the follow-up."""
    parts = []
    if followup.run_id is not None and followup.run is not None:
        parts.append(followup.run.playbook.name)
        if followup.step_index is not None:
            parts.append(f"step {followup.step_index + 1}")
    if followup.event_id is not None and followup.event is not None:
        parts.append(f"from {event_noun(followup.event)}")
    return " · ".join(parts)


SOURCES = {"stripe": "Stripe", "shopify": "Shopify", "api": "the API", "engine": "Followthrough",
           "insight": "Followthrough", "import": "an import", "ui": ""}


def source_text(source: str) -> str:
    """Where an event came from, for the timeline; "" for one recorded here by a person.
    Imports are named "import:<what>" (the file's source name): all read "an import"."""
    if source.startswith("form:"):
        return "a web form"
    if source.startswith("import:"):
        return "an import"
    return SOURCES.get(source, source)


def masked(secret: str) -> str:
    """A stored secret as its last four characters only: enough to tell which one it is."""
    return f"••••{secret[-4:]}" if secret else ""
