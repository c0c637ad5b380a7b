"""Reads of events: a contact's timeline of touch points, the workspace's recent deliveries."""

from datetime import date

from django.db.models import QuerySet

from followthrough.accounts.models import Workspace
from followthrough.core.facts import EventRecord, InvoiceState, invoices
from followthrough.events.models import Event, Integration, LeadForm
from followthrough.people.models import Contact


def event_list(
    *, workspace: Workspace, contact: Contact | None = None, event_type: str = ""
) -> QuerySet[Event]:
    """Events of the workspace (of one contact, of one type when given), latest first by when
    they happened."""
    events = Event.objects.filter(workspace=workspace)
    if contact is not None:
        events = events.filter(contact=contact)
    if event_type:
        events = events.filter(type=event_type)
    return events.select_related("contact").order_by("-occurred_at", "-id")


INVOICE_TYPES = ("invoice.issued", "invoice.paid", "invoice.overdue", "invoice.payment_failed")


def invoice_states(*, contact: Contact) -> dict[str, InvoiceState]:
    """Each of the contact's invoices by number: due date, amount and when it was paid."""
    rows = Event.objects.filter(contact=contact, type__in=INVOICE_TYPES).values_list(
        "id", "type", "occurred_at", "data"
    )
    return invoices(EventRecord(*row) for row in rows)


def invoice_open_list(*, contact: Contact) -> list[InvoiceState]:
    """The contact's invoices not paid yet, the oldest due date first."""
    unpaid = [s for s in invoice_states(contact=contact).values() if s.paid_at is None]
    return sorted(unpaid, key=lambda s: (s.due_date or date.max, s.invoice_id))


def integration_list(*, workspace: Workspace) -> dict[str, Integration]:
    """The workspace's webhook integrations by kind ("stripe", "shopify")."""
    return {i.kind: i for i in Integration.objects.filter(workspace=workspace)}


def lead_form_list(*, workspace: Workspace) -> QuerySet[LeadForm]:
    return LeadForm.objects.filter(workspace=workspace).order_by("name", "id")
