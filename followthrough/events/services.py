"""Event ingestion: the one way events come in, from the API, webhooks, the UI and imports.

Idempotent on (workspace, source, external_id): a replay finds the first row and answers exactly
as the first delivery did. The person is found by id, external id, email or phone; someone unknown
becomes a new lead, never dropped.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.bulk import Table
from followthrough.core.event_types import LEAD_CHANNELS, MAX_DATA_BYTES, data_errors
from followthrough.events.models import Event, Integration, LeadForm
from followthrough.people.models import Contact, ContactEmail, ContactPhone, Source, Stage
from followthrough.people.services import PhoneInput, contact_create, phone_normalize


@dataclass(frozen=True)
class ContactRef:
    """How an event names its person; the first of id, external_id, email, phone that matches
    wins. `name` is used only when a new lead is created."""

    id: int | None = None
    external_id: str = ""
    email: str = ""
    phone: str = ""
    name: str = ""


@dataclass(frozen=True)
class EventInput:
    type: str
    occurred_at: datetime
    source: str
    contact: ContactRef
    external_id: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


def _validate(workspace: Workspace, item: EventInput) -> None:
    errors = data_errors(item.type, item.data)
    if item.occurred_at.tzinfo is None:
        errors["occurred_at"] = "Give a time zone (e.g. 2026-11-23T10:00:00Z)."
    if not item.source.strip():
        errors["source"] = "Say where the event comes from."
    ref = item.contact
    if not (ref.id or ref.external_id or ref.email or ref.phone):
        errors["contact"] = "Name the person by id, external_id, email or phone."
    if len(json.dumps(item.data, default=str)) > MAX_DATA_BYTES:
        errors["data"] = f"At most {MAX_DATA_BYTES // 1024} KB."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _deliveries(workspace: Workspace) -> QuerySet[Event]:
    """Events that have an external id. The condition repeats the one of the unique index
    (workspace, source, external_id), or SQLite cannot use that partial index and scans the
    whole table for every replay check."""
    return Event.objects.filter(workspace=workspace).exclude(external_id="")


def _existing(workspace: Workspace, item: EventInput) -> Event | None:
    if not item.external_id:
        return None
    return _deliveries(workspace).filter(source=item.source, external_id=item.external_id).first()


def contact_find(*, workspace: Workspace, ref: ContactRef) -> Contact | None:
    """The workspace's contact named by `ref`, or None. An id of another workspace → Http404;
    an unreadable phone → ValidationError on contact.phone."""
    if ref.id:
        contact = Contact.objects.filter(workspace=workspace, pk=ref.id).first()
        if contact is None:
            raise Http404("No such contact")
        return contact
    if ref.external_id:
        found = Contact.objects.filter(workspace=workspace, external_id=ref.external_id).first()
        if found:
            return found
    if ref.email:
        match = ContactEmail.objects.filter(workspace=workspace, email=ref.email.strip().lower())
        if email_row := match.select_related("contact").first():
            return email_row.contact
    if ref.phone:
        number = _phone(workspace, ref.phone)
        if phone_row := ContactPhone.objects.filter(workspace=workspace, number=number).first():
            return phone_row.contact
    return None


def _phone(workspace: Workspace, raw: str) -> str:
    try:
        return phone_normalize(raw, region=workspace.default_region)
    except ValueError as error:
        raise ValidationError({"contact.phone": [str(error)]}) from None


def _lead_source(item: EventInput) -> str:
    channel = item.data.get("channel") if item.type == "lead.created" else None
    if channel in LEAD_CHANNELS and channel in Source.values:
        return str(channel)
    if item.source.startswith("form:"):
        return Source.WEB_FORM
    return item.source if item.source in Source.values else Source.OTHER


def _lead_fields(item: EventInput) -> dict[str, Any]:
    """A new lead's fields: the name given, else the email's local part, else "Unknown"."""
    ref = item.contact
    first, _, last = (ref.name or "").strip().partition(" ")
    if not (first or last):
        first = (ref.email.split("@")[0] if ref.email else "") or "Unknown"
    return {
        "first_name": first[:100],
        "last_name": last[:100],
        "stage": Stage.LEAD,
        "source": _lead_source(item),
        "external_id": ref.external_id[:100],
    }


def _new_lead(workspace: Workspace, item: EventInput) -> Contact:
    ref = item.contact
    try:
        return contact_create(
            workspace=workspace,
            by=None,
            fields=_lead_fields(item),
            emails=[ref.email] if ref.email else [],
            phones=[PhoneInput(ref.phone)] if ref.phone else [],
        )
    except ValidationError as error:
        raise ValidationError(
            {
                f"contact.{k.rstrip('s')}" if k in ("emails", "phones") else f"contact.{k}": v
                for k, v in error.message_dict.items()
            }
        ) from None


def event_record(
    *,
    workspace: Workspace,
    item: EventInput,
    after_commit: Callable[[Event], None] | None = None,
) -> Event:
    """Store one event (or find the stored one for a replay) and return it.

    Raises ValidationError naming the field, or Http404 for another workspace's contact id;
    nothing is written then. `after_commit` runs once the new event is committed (e.g. to queue
    its evaluation) and not at all for a replay.
    """
    _validate(workspace, item)
    existing = _existing(workspace, item)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            contact = contact_find(workspace=workspace, ref=item.contact) or _new_lead(
                workspace, item
            )
            event = Event.objects.create(
                workspace=workspace,
                contact=contact,
                type=item.type,
                source=item.source[:60],
                external_id=item.external_id[:200],
                occurred_at=item.occurred_at,
                data=dict(item.data),
            )
    except IntegrityError:
        # A concurrent delivery of the same event won the race: everything this one did,
        # including any lead it created, is rolled back, and it answers with the winner's row.
        existing = _existing(workspace, item)
        if existing is None:
            raise
        return existing
    if after_commit is not None:
        transaction.on_commit(lambda: after_commit(event))
    return event


EVENT_COLUMNS = (
    "workspace_id", "contact_id", "type", "source", "external_id", "occurred_at", "data",
)  # fmt: skip


@dataclass(frozen=True)
class BatchResult:
    """One item's answer: the stored event, or the errors by field, or not found."""

    index: int
    event: Event | None = None
    errors: Mapping[str, Sequence[str]] | None = None
    not_found: bool = False


def event_record_batch(
    *,
    workspace: Workspace,
    items: Sequence[EventInput],
    after_commit: Callable[[list[Event]], None] | None = None,
) -> list[BatchResult]:
    """Store each item independently: a bad item is reported and never blocks the others.
    The answers are those event_record would give item by item, in order (a person named twice
    becomes one lead; an event sent twice is stored once).

    The batch is written in one transaction with a few queries whatever its size: replays and
    known people are looked up for all items at once, new leads and events inserted in bulk.
    If another delivery of one of these events is stored meanwhile (the unique constraint
    fires), everything is rolled back and the batch stored again item by item, which answers
    that replay with the winner's row."""
    if not connection.features.can_return_rows_from_bulk_insert:
        return _record_one_by_one(workspace, items, after_commit)  # the ids are needed
    try:
        with transaction.atomic():
            results, new = _BatchIngest(workspace, items).run()
    except IntegrityError:
        return _record_one_by_one(workspace, items, after_commit)
    if after_commit is not None and new:
        transaction.on_commit(lambda: after_commit(new))
    return results


def _record_one_by_one(
    workspace: Workspace,
    items: Sequence[EventInput],
    after_commit: Callable[[list[Event]], None] | None,
) -> list[BatchResult]:
    results: list[BatchResult] = []
    new: list[Event] = []
    for index, item in enumerate(items):
        try:
            event = event_record(
                workspace=workspace, item=item, after_commit=new.append if after_commit else None
            )
        except ValidationError as error:
            results.append(BatchResult(index, errors=error.message_dict))
        except Http404:
            results.append(BatchResult(index, not_found=True))
        else:
            results.append(BatchResult(index, event=event))
    if after_commit is not None:
        transaction.on_commit(lambda: after_commit(new) if new else None)
    return results


class _BatchIngest:
    """A batch stored the way event_record stores one item, against lookups made once for all
    items and kept current as the items are taken in order (a lead created for item 3 is found
    by item 7)."""

    def __init__(self, workspace: Workspace, items: Sequence[EventInput]) -> None:
        self.workspace = workspace
        self.items = items
        self.new_events: list[Event] = []
        self.new_leads: list[tuple[Contact, str, str]] = []  # contact, email, phone
        self.stored: dict[tuple[str, str], Event] = {}
        # People by each way of naming them: a stored contact's id, or a new lead to be written.
        self.ids: set[int] = set()
        self.by_external_id: dict[str, int | Contact] = {}
        self.by_email: dict[str, int | Contact] = {}
        self.by_phone: dict[str, int | Contact] = {}
        self.phones: dict[str, str] = {}  # raw → E.164, for the numbers that parse

    def run(self) -> tuple[list[BatchResult], list[Event]]:
        results: list[BatchResult] = []
        checked = []
        for index, item in enumerate(self.items):
            try:
                _validate(self.workspace, item)
            except ValidationError as error:
                results.append(BatchResult(index, errors=error.message_dict))
            else:
                results.append(BatchResult(index))
                checked.append(index)
        self._load([self.items[i] for i in checked])
        for index in checked:
            results[index] = self._take(index, self.items[index])
        self._write()
        return results, self.new_events

    def _take(self, index: int, item: EventInput) -> BatchResult:
        delivery = (item.source, item.external_id)
        if item.external_id and delivery in self.stored:
            return BatchResult(index, event=self.stored[delivery])  # a replay
        try:
            contact = self._contact(item) or self._new_lead(item)
        except ValidationError as error:
            return BatchResult(index, errors=error.message_dict)
        except Http404:
            return BatchResult(index, not_found=True)
        event = Event(
            workspace=self.workspace,
            type=item.type,
            source=item.source[:60],
            external_id=item.external_id[:200],
            occurred_at=item.occurred_at,
            data=dict(item.data),
        )
        if isinstance(contact, Contact):
            event.contact = contact  # a new lead: its id is known once it is written
        else:
            event.contact_id = contact
        self.new_events.append(event)
        if item.external_id:
            self.stored[delivery] = event
        return BatchResult(index, event=event)

    def _contact(self, item: EventInput) -> int | Contact | None:
        """contact_find's rules: the first of id, external_id, email, phone that matches."""
        ref = item.contact
        if ref.id:
            if ref.id not in self.ids:
                raise Http404("No such contact")
            return ref.id
        if ref.external_id and ref.external_id in self.by_external_id:
            return self.by_external_id[ref.external_id]
        email = ref.email.strip().lower()
        if email and email in self.by_email:
            return self.by_email[email]
        if ref.phone:
            number = self.phones.get(ref.phone) or _phone(self.workspace, ref.phone)
            return self.by_phone.get(number)
        return None

    def _new_lead(self, item: EventInput) -> Contact:
        """contact_create's lead, checked the same way, written with the batch."""
        ref = item.contact
        email = ref.email.strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    {"contact.email": [f"“{ref.email}” is not a valid email address."]}
                ) from None
        phone = self.phones.get(ref.phone, "") if ref.phone else ""
        contact = Contact(workspace=self.workspace, **_lead_fields(item))
        contact.search_text = " ".join(
            p for p in (contact.first_name, contact.last_name, email, phone) if p
        ).lower()
        self.new_leads.append((contact, email, phone))
        if contact.external_id:
            self.by_external_id.setdefault(contact.external_id, contact)
        if email:
            self.by_email.setdefault(email, contact)
        if phone:
            self.by_phone.setdefault(phone, contact)
        return contact

    def _load(self, items: list[EventInput]) -> None:
        """Everything the items refer to that is already stored, in one query per kind."""
        ws = self.workspace
        deliveries = {(i.source, i.external_id) for i in items if i.external_id}
        for event in _deliveries(ws).filter(
            source__in={s for s, _ in deliveries}, external_id__in={e for _, e in deliveries}
        ):
            if (event.source, event.external_id) in deliveries:
                self.stored[(event.source, event.external_id)] = event
        refs = [i.contact for i in items]
        contacts = Contact.objects.filter(workspace=ws)
        wanted_ids = {r.id for r in refs if r.id}
        self.ids = set(contacts.filter(pk__in=wanted_ids).values_list("id", flat=True))
        named = contacts.filter(external_id__in={r.external_id for r in refs if r.external_id})
        for external_id, pk in named.order_by("id").values_list("external_id", "id"):
            self.by_external_id.setdefault(external_id, pk)
        emails = {r.email.strip().lower() for r in refs if r.email.strip()}
        rows = ContactEmail.objects.filter(workspace=ws, email__in=emails)
        for email, pk in rows.order_by("-is_primary", "id").values_list("email", "contact_id"):
            self.by_email.setdefault(email, pk)
        self._load_phones({r.phone for r in refs if r.phone})

    def _load_phones(self, raw_numbers: set[str]) -> None:
        for raw in raw_numbers:
            with suppress(ValueError):  # reported for the item, if its phone is ever needed
                self.phones[raw] = phone_normalize(raw, region=self.workspace.default_region)
        rows = ContactPhone.objects.filter(
            workspace=self.workspace, number__in=set(self.phones.values())
        )
        for number, pk in rows.order_by("-is_primary", "id").values_list("number", "contact_id"):
            self.by_phone.setdefault(number, pk)

    def _write(self) -> None:
        ws = self.workspace
        Contact.objects.bulk_create([c for c, _, _ in self.new_leads])
        ContactEmail.objects.bulk_create(
            ContactEmail(workspace=ws, contact=c, email=email, is_primary=True)
            for c, email, _ in self.new_leads
            if email
        )
        ContactPhone.objects.bulk_create(
            ContactPhone(workspace=ws, contact=c, number=phone, is_primary=True)
            for c, _, phone in self.new_leads
            if phone
        )
        # The events are most of the batch: written as plain rows (bulk.Table), which costs
        # a fifth of bulk_create's preparation of every value.
        received = timezone.now()
        table = Table(Event, EVENT_COLUMNS, fixed={"received_at": received})
        for event in self.new_events:
            event.contact_id = event.contact_id or event.contact.pk  # a new lead's id is known now
        ids = table.insert(
            [
                (ws.pk, e.contact_id, e.type, e.source, e.external_id, e.occurred_at, e.data)
                for e in self.new_events
            ]
        )
        for event, pk in zip(self.new_events, ids, strict=True):
            event.pk, event.received_at = pk, received


@transaction.atomic
def integration_set_secret(*, workspace: Workspace, kind: str, secret: str) -> Integration:
    """Set a webhook signing secret. The one it replaces stays valid as `previous_secret`, so
    deliveries signed during the switch are not lost; setting it again retires the old one."""
    secret = secret.strip()
    if len(secret) < 8:
        raise ValidationError({"secret": ["Paste the whole signing secret."]})
    if Integration.objects.filter(kind=kind, secret=secret).exclude(workspace=workspace).exists():
        raise ValidationError({"secret": ["This secret is used by another workspace."]})
    integration = Integration.objects.filter(workspace=workspace, kind=kind).first()
    if integration is None:
        return Integration.objects.create(workspace=workspace, kind=kind, secret=secret)
    if integration.secret != secret:
        integration.previous_secret, integration.secret = integration.secret, secret
        integration.save(update_fields=["secret", "previous_secret", "updated_at"])
    return integration


def lead_form_save(
    *, workspace: Workspace, fields: Mapping[str, Any], form: LeadForm | None = None
) -> LeadForm:
    """Create (form None) or change a lead form. The thank-you URL must be http(s)."""
    form = form or LeadForm(workspace=workspace)
    for name in ("name", "thank_you_url", "consent_wording", "tags", "enabled"):
        if name in fields:
            setattr(form, name, fields[name])
    if form.thank_you_url and not form.thank_you_url.startswith(("https://", "http://")):
        raise ValidationError({"thank_you_url": ["Use an http:// or https:// address."]})
    form.full_clean()
    form.save()
    return form
