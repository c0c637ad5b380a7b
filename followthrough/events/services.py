"""Event ingestion: the one way events come in, from the API, webhooks, the UI and imports.

Idempotent on (workspace, source, external_id): a replay finds the first row and answers exactly
as the first delivery did. The person is found by id, external id, email or phone; someone unknown
becomes a new lead, never dropped.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from followthrough.accounts.models import Workspace
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


def _existing(workspace: Workspace, item: EventInput) -> Event | None:
    if not item.external_id:
        return None
    return Event.objects.filter(
        workspace=workspace, source=item.source, external_id=item.external_id
    ).first()


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


def _new_lead(workspace: Workspace, item: EventInput) -> Contact:
    ref = item.contact
    first, _, last = (ref.name or "").strip().partition(" ")
    if not (first or last):
        first = (ref.email.split("@")[0] if ref.email else "") or "Unknown"
    try:
        return contact_create(
            workspace=workspace,
            by=None,
            fields={
                "first_name": first[:100],
                "last_name": last[:100],
                "stage": Stage.LEAD,
                "source": _lead_source(item),
                "external_id": ref.external_id[:100],
            },
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
    """Store each item independently: a bad item is reported and never blocks the others."""
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
