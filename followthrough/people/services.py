"""Writes for contacts and organizations. Web forms, the API and the CLI all come through here."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from followthrough.accounts.models import User, Workspace
from followthrough.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DateKind,
    ImportantDate,
    Organization,
    Tag,
)
from followthrough.playbooks.services import runs_stop


@dataclass(frozen=True)
class PhoneInput:
    number: str
    label: str = ""


@dataclass(frozen=True)
class DateInput:
    kind: str
    month: int
    day: int
    year: int | None = None
    label: str = ""


def phone_normalize(raw: str, *, region: str) -> str:
    """`raw` as E.164 ("+14155550100"). Numbers without a country code are read in `region`.

    Raises ValueError with a sentence a person understands when it is not a valid number.
    """
    try:
        parsed = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"“{raw}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(
            f"“{raw}” is not a valid phone number"
            + (f" in {region}" if not raw.strip().startswith("+") else "")
            + " (add the country code, e.g. +44…)."
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        return e164


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _clean_emails(emails: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"emails": f"“{raw}” is not a valid email address."}) from None
        if email not in cleaned:
            cleaned.append(email)
    return cleaned


def _clean_phones(phones: Iterable[PhoneInput], *, region: str) -> list[PhoneInput]:
    cleaned: list[PhoneInput] = []
    for phone in phones:
        if not phone.number.strip():
            continue
        try:
            number = phone_normalize(phone.number, region=region)
        except ValueError as error:
            raise ValidationError({"phones": str(error)}) from None
        if number not in {p.number for p in cleaned}:
            cleaned.append(PhoneInput(number, phone.label.strip()[:20]))
    return cleaned


def _clean_dates(dates: Iterable[DateInput]) -> list[DateInput]:
    for item in dates:
        if item.kind not in DateKind.values:
            raise ValidationError({"dates": f"Unknown kind of date “{item.kind}”."})
        try:
            # 2000 is a leap year, so 29 February is accepted when the year is unknown.
            dt.date(item.year or 2000, item.month, item.day)
        except (ValueError, TypeError):
            raise ValidationError({"dates": f"{item.month}/{item.day} is not a date."}) from None
    return list(dates)


def _set_tags(contact: Contact, names: Iterable[str]) -> None:
    wanted = sorted({n.strip().lower()[:60] for n in names if n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(workspace=contact.workspace, name__in=wanted)}
    missing = [Tag(workspace=contact.workspace, name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            t.name: t for t in Tag.objects.filter(workspace=contact.workspace, name__in=wanted)
        }
    contact.tags.set(existing.values())


def search_text_for(contact: Contact) -> str:
    parts = [contact.first_name, contact.last_name, contact.title]
    if contact.organization_id:
        parts.append(contact.organization.name if contact.organization else "")
    parts += [e.email for e in contact.emails.all()]
    parts += [p.number for p in contact.phones.all()]
    parts += [t.name for t in contact.tags.all()]
    return " ".join(p for p in parts if p).lower()


def _refresh_search_text(contact: Contact) -> None:
    contact.search_text = search_text_for(contact)
    Contact.objects.filter(pk=contact.pk).update(search_text=contact.search_text)


CONTACT_FIELDS = frozenset(
    f.name
    for f in Contact._meta.get_fields()
    if getattr(f, "editable", False)
    and not f.is_relation
    and f.name
    not in {
        "id",
        "workspace",
        "search_text",
        "last_touched_at",
        "last_heard_at",
        "created_at",
        "updated_at",
    }
) | {"organization", "referred_by", "owner"}


def _apply_fields(contact: Contact, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(contact, name, value)
    _check_same_workspace(contact)


def _check_same_workspace(contact: Contact) -> None:
    errors = {}
    for name in ("organization", "referred_by", "owner"):
        related = getattr(contact, name)
        if related is not None and related.workspace_id != contact.workspace_id:
            errors[name] = "Not found in this workspace."
    if contact.referred_by_id and contact.referred_by_id == contact.pk:
        errors["referred_by"] = "A contact cannot refer themselves."
    if errors:
        raise ValidationError(errors)


def _validate_contact(contact: Contact) -> None:
    errors: dict[str, list[str]] = {}
    try:
        contact.full_clean(exclude=["tags"])
    except ValidationError as error:
        errors = error.message_dict
    if not (contact.first_name.strip() or contact.last_name.strip()):
        errors.setdefault("first_name", []).append("Give at least a first or a last name.")
    if (
        contact.best_hours_start
        and contact.best_hours_end
        and (contact.best_hours_start >= contact.best_hours_end)
    ):
        errors.setdefault("best_hours_end", []).append("Must be after the start of best hours.")
    days = contact.best_days
    if not isinstance(days, list) or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        errors.setdefault("best_days", []).append("Days are numbers 0 (Monday) to 6 (Sunday).")
    if contact.timezone and contact.timezone not in known_timezones():
        errors.setdefault("timezone", []).append(f"Unknown time zone “{contact.timezone}”.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_create(
    *,
    workspace: Workspace,
    by: User | None,
    fields: Mapping[str, Any],
    emails: Sequence[str] = (),
    phones: Sequence[PhoneInput] = (),
    tags: Sequence[str] = (),
    dates: Sequence[DateInput] = (),
) -> Contact:
    """A new contact with its emails, phones, tags and important dates. Raises ValidationError
    naming the field when anything is wrong; nothing is written in that case."""
    contact = Contact(workspace=workspace)
    if by is not None and "owner" not in fields:
        contact.owner = by
    _apply_fields(contact, fields)
    _validate_contact(contact)
    clean_emails = _clean_emails(emails)
    clean_phones = _clean_phones(phones, region=contact.country or workspace.default_region)
    clean_dates = _clean_dates(dates)
    contact.save()
    _replace_details(contact, clean_emails, clean_phones, clean_dates)
    _set_tags(contact, tags)
    _refresh_search_text(contact)
    return contact


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    fields: Mapping[str, Any],
    emails: Sequence[str] | None = None,
    phones: Sequence[PhoneInput] | None = None,
    tags: Sequence[str] | None = None,
    dates: Sequence[DateInput] | None = None,
) -> Contact:
    """Change the given fields; a list left as None keeps what the contact has. A change of
    stage stops the playbooks that stop on it."""
    stage_before = Contact.objects.filter(pk=contact.pk).values_list("stage", flat=True).first()
    _apply_fields(contact, fields)
    _validate_contact(contact)
    clean_emails = None if emails is None else _clean_emails(emails)
    region = contact.country or contact.workspace.default_region
    clean_phones = None if phones is None else _clean_phones(phones, region=region)
    clean_dates = None if dates is None else _clean_dates(dates)
    contact.save()
    _replace_details(contact, clean_emails, clean_phones, clean_dates)
    if tags is not None:
        _set_tags(contact, tags)
    _refresh_search_text(contact)
    if stage_before is not None and stage_before != contact.stage:
        runs_stop(contact=contact, reason="stage_changed")
    return contact


def _replace_details(
    contact: Contact,
    emails: list[str] | None,
    phones: list[PhoneInput] | None,
    dates: list[DateInput] | None,
) -> None:
    ws = contact.workspace_id
    if emails is not None:
        contact.emails.all().delete()
        ContactEmail.objects.bulk_create(
            ContactEmail(workspace_id=ws, contact=contact, email=e, is_primary=i == 0)
            for i, e in enumerate(emails)
        )
    if phones is not None:
        contact.phones.all().delete()
        ContactPhone.objects.bulk_create(
            ContactPhone(
                workspace_id=ws, contact=contact, number=p.number, label=p.label, is_primary=i == 0
            )
            for i, p in enumerate(phones)
        )
    if dates is not None:
        contact.dates.all().delete()
        ImportantDate.objects.bulk_create(
            ImportantDate(
                contact=contact, kind=d.kind, label=d.label, month=d.month, day=d.day, year=d.year
            )
            for d in dates
        )


def contact_set_review_flag(*, contact: Contact, flagged: bool) -> Contact:
    contact.review_flag = flagged
    contact.save(update_fields=["review_flag", "updated_at"])
    return contact


ORGANIZATION_FIELDS = frozenset(
    {
        "name",
        "website",
        "industry",
        "phone",
        "owner",
        "tier",
        "notes",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
    }
)


def _save_organization(organization: Organization, fields: Mapping[str, Any]) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(organization, name, value)
    if (
        organization.owner is not None
        and organization.owner.workspace_id != organization.workspace_id
    ):
        raise ValidationError({"owner": "Not found in this workspace."})
    if organization.phone:
        region = organization.country or organization.workspace.default_region
        try:
            organization.phone = phone_normalize(organization.phone, region=region)
        except ValueError as error:
            raise ValidationError({"phone": str(error)}) from None
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_create(*, workspace: Workspace, fields: Mapping[str, Any]) -> Organization:
    return _save_organization(Organization(workspace=workspace), fields)


@transaction.atomic
def organization_update(*, organization: Organization, fields: Mapping[str, Any]) -> Organization:
    renamed = "name" in fields and fields["name"] != organization.name
    _save_organization(organization, fields)
    if renamed:
        # The organization's name is part of each member's search text.
        for contact in organization.contacts.prefetch_related("emails", "phones", "tags"):
            _refresh_search_text(contact)
    return organization


@transaction.atomic
def contact_record_consent(
    *,
    contact: Contact,
    given: bool,
    at: datetime,
    method: str,
    wording: str,
    tags: Sequence[str] = (),
) -> Contact:
    """Record marketing consent with its evidence (when, how, the exact wording shown) when it
    was given, and add `tags` to the contact's interests. Not ticking the box never withdraws a
    consent given before."""
    if given:
        contact.marketing_consent = True
        contact.consent_at = at
        contact.consent_method = method
        contact.consent_wording = wording
        contact.save(
            update_fields=[
                "marketing_consent",
                "consent_at",
                "consent_method",
                "consent_wording",
                "updated_at",
            ]
        )
    if tags:
        _set_tags(contact, [*contact.tags.values_list("name", flat=True), *tags])
        _refresh_search_text(contact)
    return contact
