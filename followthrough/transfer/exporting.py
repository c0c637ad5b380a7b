"""Contacts out as CSV, XLSX and vCard 4.0 (DESIGN C7), for the contacts page and the CLI.

Every format is produced row by row from a chunked query, so exporting 100,000 contacts never
holds them all in memory: CSV and vCard are generators of text for a StreamingHttpResponse or a
file; XLSX goes through openpyxl's write-only mode into a file.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

import vobject
from django.db import models
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from followthrough.core.spreadsheet_safety import cell_escape
from followthrough.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DateKind,
    ImportantDate,
)
from followthrough.transfer.workspace_json import model_of, plain_value

# Five queries per chunk of contacts (the contacts, then their emails, phones, tags and dates):
# big enough to be quick, small enough that a chunk is a few megabytes at most.
CHUNK = 2000
LIST_SEPARATOR = "; "


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    VCF = "vcf"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.VCF: "text/vcard; charset=utf-8",
}


@dataclass(frozen=True)
class Day:
    kind: str
    month: int
    day: int
    year: int | None


@dataclass
class Details:
    """A contact's emails, phones, tags and dates, read for a whole chunk of contacts at once
    (Django's prefetch_related costs a queryset clone per contact: 3× slower at 100,000)."""

    emails: list[tuple[str, bool]] = field(default_factory=list)  # (email, is_primary)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, label)
    tags: list[str] = field(default_factory=list)
    dates: list[Day] = field(default_factory=list)

    def first_date(self, kind: str) -> Day | None:
        return next((d for d in self.dates if d.kind == kind), None)


Row = tuple[Contact, Details]


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Contact, Details], str]


def _day(item: Day | None) -> str:
    """A yearly date as YYYY-MM-DD, or --MM-DD when the year is unknown (ISO 8601 / vCard)."""
    if item is None:
        return ""
    if item.year:
        return f"{item.year:04d}-{item.month:02d}-{item.day:02d}"
    return f"--{item.month:02d}-{item.day:02d}"


def _moment(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(values)


# The headers read like a spreadsheet someone would make by hand; the contact importer
# recognizes them (a round trip gives the same contacts).
COLUMNS: tuple[Column, ...] = (
    Column("First name", lambda c, d: c.first_name),
    Column("Last name", lambda c, d: c.last_name),
    Column("Title", lambda c, d: c.title),
    Column("Organization", lambda c, d: c.organization.name if c.organization else ""),
    Column("Email", lambda c, d: _joined(email for email, _ in d.emails)),
    Column("Phone", lambda c, d: _joined(number for number, _ in d.phones)),
    Column("Stage", lambda c, d: c.stage),
    Column("Tier", lambda c, d: c.tier),
    Column("Source", lambda c, d: c.source),
    Column("Owner", lambda c, d: c.owner.email if c.owner else ""),
    Column("Tags", lambda c, d: _joined(d.tags)),
    Column("Birthday", lambda c, d: _day(d.first_date(DateKind.BIRTHDAY))),
    Column("Client since", lambda c, d: _day(d.first_date(DateKind.CLIENT_SINCE))),
    Column("Street", lambda c, d: c.street),
    Column("City", lambda c, d: c.city),
    Column("Region", lambda c, d: c.region),
    Column("Postal code", lambda c, d: c.postal_code),
    Column("Country", lambda c, d: c.country),
    Column("Marketing consent", lambda c, d: "yes" if c.marketing_consent else "no"),
    Column("Consent at", lambda c, d: _moment(c.consent_at)),
    Column("Notes", lambda c, d: c.notes),
    Column("Last touched", lambda c, d: _moment(c.last_touched_at)),
    Column("Created", lambda c, d: _moment(c.created_at)),
    Column("External id", lambda c, d: c.external_id),
    Column("Followthrough id", lambda c, d: str(c.pk)),
)


def contacts_for_export(contacts: QuerySet[Contact]) -> Iterator[Row]:
    """`contacts` in their order, each with its details, fetched CHUNK contacts at a time."""
    batch: list[Contact] = []
    for contact in contacts.select_related("organization", "owner").iterator(chunk_size=CHUNK):
        batch.append(contact)
        if len(batch) == CHUNK:
            yield from _with_details(batch)
            batch = []
    yield from _with_details(batch)


def _with_details(batch: list[Contact]) -> Iterator[Row]:
    if not batch:
        return
    ids = [c.pk for c in batch]
    found = {pk: Details() for pk in ids}
    emails = ContactEmail.objects.filter(contact_id__in=ids).order_by("-is_primary", "id")
    for pk, email, primary in emails.values_list("contact_id", "email", "is_primary"):
        found[pk].emails.append((email, primary))
    phones = ContactPhone.objects.filter(contact_id__in=ids).order_by("-is_primary", "id")
    for pk, number, label in phones.values_list("contact_id", "number", "label"):
        found[pk].phones.append((number, label))
    links = Contact.tags.through.objects.filter(contact_id__in=ids).order_by("tag__name")
    for pk, name in links.values_list("contact_id", "tag__name"):
        found[pk].tags.append(name)
    dates = ImportantDate.objects.filter(contact_id__in=ids).order_by("month", "day", "id")
    for pk, kind, month, day, year in dates.values_list(
        "contact_id", "kind", "month", "day", "year"
    ):
        found[pk].dates.append(Day(kind, month, day, year))
    for contact in batch:
        yield contact, found[contact.pk]


def contact_row(contact: Contact, details: Details) -> list[str]:
    return [str(column.value(contact, details) or "") for column in COLUMNS]


class _Echo:
    """A file-like object whose write returns what it was given: csv.writer then hands us each
    line as a string, to stream."""

    def write(self, value: str) -> str:
        return value


def contacts_csv(contacts: QuerySet[Contact]) -> Iterator[str]:
    """The contacts as CSV lines (header first), every cell escaped against formulas. Starts
    with a BOM so Excel reads the file as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.header for c in COLUMNS])
    for contact, details in contacts_for_export(contacts):
        yield writer.writerow([cell_escape(value) for value in contact_row(contact, details)])


def _text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    # A typed string cell is never evaluated, so no quote is needed here; openpyxl would
    # otherwise store "=…" as a formula. Control characters are not allowed in XLSX.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def contacts_xlsx(contacts: QuerySet[Contact], file: IO[bytes]) -> None:
    """Write the contacts to `file` as one XLSX sheet (write-only mode: rows go straight to a
    temporary file instead of a tree in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append([_text_cell(sheet, c.header) for c in COLUMNS])
    for contact, details in contacts_for_export(contacts):
        sheet.append([_text_cell(sheet, value) for value in contact_row(contact, details)])
    workbook.save(file)


PHONE_TYPES = {"mobile": "cell", "cell": "cell", "work": "work", "home": "home", "fax": "fax"}


def contact_vcard(contact: Contact, details: Details) -> str:
    """One vCard 4.0 (RFC 6350) for the contact."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("uid").value = f"urn:followthrough:contact:{contact.pk}"
    card.add("fn").value = contact.name
    card.add("n").value = vobject.vcard.Name(family=contact.last_name, given=contact.first_name)
    _vcard_reach(card, contact, details)
    _vcard_about(card, contact, details)
    return str(card.serialize())


def _vcard_reach(card: Any, contact: Contact, details: Details) -> None:
    for address, primary in details.emails:
        email = card.add("email")
        email.value = address
        if primary:
            email.params["PREF"] = ["1"]
    for number, label in details.phones:
        tel = card.add("tel")
        tel.value = f"tel:{number}"
        tel.params["VALUE"] = ["uri"]
        if kind := PHONE_TYPES.get(label.lower()):
            tel.params["TYPE"] = [kind]
    if contact.address_lines:
        card.add("adr").value = vobject.vcard.Address(
            street=contact.street,
            city=contact.city,
            region=contact.region,
            code=contact.postal_code,
            country=contact.country,
        )


def _vcard_about(card: Any, contact: Contact, details: Details) -> None:
    if contact.organization:
        card.add("org").value = [contact.organization.name]
    if contact.title:
        card.add("title").value = contact.title
    if birthday := details.first_date(DateKind.BIRTHDAY):
        card.add("bday").value = _vcard_date(birthday)
    if since := details.first_date(DateKind.CLIENT_SINCE):
        card.add("anniversary").value = _vcard_date(since)
    if details.tags:
        card.add("categories").value = details.tags
    if contact.notes:
        card.add("note").value = contact.notes


def _vcard_date(item: Day) -> str:
    """vCard 4.0 dates are in basic format: 19800512, or --0512 without a year."""
    if item.year:
        return f"{item.year:04d}{item.month:02d}{item.day:02d}"
    return f"--{item.month:02d}{item.day:02d}"


def contacts_vcf(contacts: QuerySet[Contact]) -> Iterator[str]:
    """The contacts as a vCard file, one card at a time."""
    for contact, details in contacts_for_export(contacts):
        yield contact_vcard(contact, details)


def contacts_export_to(contacts: QuerySet[Contact], fmt: ExportFormat, file: IO[bytes]) -> int:
    """Write the contacts in `fmt` to a binary `file`; returns how many were written."""
    if fmt is ExportFormat.XLSX:
        contacts_xlsx(contacts, file)
        return contacts.count()
    count = 0
    text = io.TextIOWrapper(file, encoding="utf-8", newline="", write_through=True)
    try:
        chunks = contacts_csv(contacts) if fmt is ExportFormat.CSV else contacts_vcf(contacts)
        for chunk in chunks:
            text.write(chunk)
            count += 1
    finally:
        text.detach()  # leave the caller's file open
    return count - 1 if fmt is ExportFormat.CSV else count


# ---------------------------------------------------------------- one person's data (C7)


def _person_row(row: models.Model) -> dict[str, Any]:
    return {
        f.attname: plain_value(f.value_from_object(row))
        for f in row._meta.concrete_fields
        if f.name != "search_text"
    }


def contact_export_data(*, contact: Contact, now: datetime) -> dict[str, Any]:
    """Everything stored about one person, for a subject access request: the contact row with
    its tags, and every row of every table that points at them (found through Contact._meta,
    so tables added later are included). Other people they referred are not theirs to get."""
    data: dict[str, Any] = {
        "format": "followthrough-person",
        "exported_at": now.isoformat(),
        "contact": {
            **_person_row(contact),
            "name": contact.name,
            "organization_name": contact.organization.name if contact.organization else "",
            "tags": [t.name for t in contact.tags.all()],
        },
    }
    for relation in Contact._meta.related_objects:
        model = model_of(relation)
        if model is Contact or not isinstance(relation, models.ManyToOneRel):
            continue
        rows = model._base_manager.filter(**{relation.field.name: contact})
        data[model._meta.label_lower] = [_person_row(row) for row in rows.order_by("pk")]
    return data
