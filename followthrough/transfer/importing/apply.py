"""Writing a contacts plan: in bulk, chunk by chunk, with a record of every change so the
import can be undone.

contact_create per row would cost ~10 queries a person (100,000 rows: minutes); here a chunk of
a few thousand people is a few multi-row INSERTs per table. Each chunk is its own transaction: a
long import must not hold SQLite's write lock while the web app waits (its busy timeout is 20 s),
and what a failed import did write is in its change log, so undo still takes it all back.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.bulk import Table
from followthrough.people.models import (
    ConsentMethod,
    Contact,
    ContactEmail,
    ContactPhone,
    DateKind,
    ImportantDate,
    Organization,
    Source,
    Stage,
    Tag,
    Tier,
)
from followthrough.people.services import search_text_for
from followthrough.transfer.importing.plan import Person, Plan, Update
from followthrough.transfer.models import ImportChange, ImportCreated, ImportJob

CHUNK: Final = 2000
ContactTag = Contact.tags.through


@dataclass
class _Lookups:
    workspace: Workspace
    organizations: dict[str, int]  # lower-cased name → id
    organization_names: dict[int, str]
    tags: dict[str, int]
    owner_id: int | None
    writers: "_Writers"
    now: datetime


def plan_apply(*, job: ImportJob, plan: Plan, progress: Callable[[int], None]) -> None:
    """Write `plan` for `job`: new contacts, then additions to existing ones."""
    lookups = _lookups(job, plan)
    done = 0
    for start in range(0, len(plan.creates), CHUNK):
        chunk = plan.creates[start : start + CHUNK]
        with transaction.atomic():
            _create(job, chunk, lookups)
        done += len(chunk)
        progress(done)
    for start in range(0, len(plan.updates), CHUNK):
        updates = plan.updates[start : start + CHUNK]
        with transaction.atomic():
            _apply_updates(job, updates, lookups)
        done += len(updates)
        progress(done)


def _lookups(job: ImportJob, plan: Plan) -> _Lookups:
    ws = job.workspace
    with transaction.atomic():
        organizations = _organizations(ws, plan.organizations)
        tags = _tags(ws, {t for p in _people(plan) for t in p.tags})
    names = {pk: name for name, pk in organizations.items()}
    real_names = dict(Organization.objects.filter(pk__in=names).values_list("id", "name"))
    return _Lookups(
        ws, organizations, real_names, tags, job.created_by_id, _Writers.build(job), timezone.now()
    )


def _people(plan: Plan) -> Iterable[Person]:
    yield from plan.creates
    for update in plan.updates:
        yield update.person


def _organizations(workspace: Workspace, names: set[str]) -> dict[str, int]:
    """Each organization named in the file, found by name (any case) or created."""
    found: dict[str, int] = {}
    for pk, name in Organization.objects.filter(workspace=workspace).values_list("id", "name"):
        found.setdefault(name.lower(), pk)
    missing: dict[str, str] = {}
    for name in sorted(names):
        if name.lower() not in found:
            missing.setdefault(name.lower(), name)
    created = Organization.objects.bulk_create(
        Organization(workspace=workspace, name=name) for name in missing.values()
    )
    found.update({org.name.lower(): org.pk for org in created})
    return found


def _tags(workspace: Workspace, names: set[str]) -> dict[str, int]:
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=n) for n in sorted(names)], ignore_conflicts=True
    )
    found = Tag.objects.filter(workspace=workspace, name__in=names)
    return dict(found.values_list("name", "id"))


def _search_text(person: Person, organization: str) -> str:
    """What people.services.search_text_for would compute for the new contact."""
    f = person.fields
    parts = [f.get("first_name", ""), f.get("last_name", ""), f.get("title", ""), organization]
    parts += person.emails + [n for n, _ in person.phones] + person.tags
    return " ".join(p for p in parts if p).lower()


CONTACT_COLUMNS: Final = (
    "first_name", "last_name", "title", "street", "city", "region", "postal_code", "country",
    "external_id", "notes", "stage", "owner_id", "organization_id", "search_text",
    "last_touched_at", "source", "tier", "marketing_consent", "consent_at", "consent_method",
    "consent_wording",
)  # fmt: skip
CONSENT_WORDING: Final = "Marked as consenting to marketing email in an imported file."


@dataclass
class _Writers:
    """One Table per table, for one import (their SQL and defaults prepared once)."""

    contact: Table
    email: Table
    phone: Table
    tag: Table
    date: Table

    @classmethod
    def build(cls, job: ImportJob) -> "_Writers":
        now = timezone.now()
        ws = {"workspace_id": job.workspace_id}
        return cls(
            contact=Table(
                Contact, CONTACT_COLUMNS,
                fixed=ws | {"created_at": now, "updated_at": now},
            ),
            email=Table(ContactEmail, ("contact_id", "email", "is_primary"), fixed=ws),
            phone=Table(ContactPhone, ("contact_id", "number", "label", "is_primary"), fixed=ws),
            tag=Table(ContactTag, ("contact_id", "tag_id")),
            date=Table(ImportantDate, ("contact_id", "kind", "month", "day", "year")),
        )  # fmt: skip


def _contact_row(person: Person, lookups: _Lookups) -> tuple[Any, ...]:
    f = person.fields
    org_name = f.get("organization", "")
    org_id = lookups.organizations.get(org_name.lower()) if org_name else None
    text = _search_text(person, lookups.organization_names.get(org_id or 0, ""))
    return (
        *(f.get(name, "") for name in CONTACT_COLUMNS[:10]),
        f.get("stage", Stage.LEAD),
        f.get("owner_id", lookups.owner_id),
        org_id,
        text,
        person.last_contacted,
        f.get("source", Source.IMPORT),
        f.get("tier", Tier.NONE),
        *_consent(person, lookups.now),
    )


def _consent(person: Person, now: datetime) -> tuple[bool, datetime | None, str, str]:
    """(marketing_consent, consent_at, consent_method, consent_wording) for a new contact: a
    file that says yes is the evidence, so the import says so; a date in the file is when."""
    if not person.consent:
        return (False, None, "", "")
    return (True, person.consent_at or now, ConsentMethod.IMPORT, CONSENT_WORDING)


def _create(job: ImportJob, people: list[Person], lookups: _Lookups) -> None:
    writers = lookups.writers
    ids = writers.contact.insert([_contact_row(p, lookups) for p in people])
    emails, phones, tags, dates = [], [], [], []
    for person, pk in zip(people, ids, strict=True):
        emails += [(pk, e, i == 0) for i, e in enumerate(person.emails)]
        phones += [(pk, n, label, i == 0) for i, (n, label) in enumerate(person.phones)]
        tags += [(pk, lookups.tags[t]) for t in person.tags]
        if day := person.birthday:
            dates.append((pk, DateKind.BIRTHDAY, day.month, day.day, day.year))
        if since := person.client_since:
            dates.append((pk, DateKind.CLIENT_SINCE, since.month, since.day, since.year))
    writers.email.insert_many(emails)
    writers.phone.insert_many(phones)
    writers.tag.insert_many(tags)
    writers.date.insert_many(dates)
    ImportCreated.objects.bulk_create(
        ImportCreated(job=job, first_id=first, last_id=last) for first, last in _runs(ids)
    )


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """[5, 6, 7, 9] → [(5, 7), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if runs and runs[-1][1] == pk - 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def _birthday(contact_id: int, person: Person) -> ImportantDate:
    day = person.birthday
    assert day is not None  # noqa: S101  (callers check)
    return ImportantDate(
        contact_id=contact_id, kind=DateKind.BIRTHDAY, month=day.month, day=day.day, year=day.year
    )


def _apply_updates(job: ImportJob, updates: list[Update], lookups: _Lookups) -> None:
    ws = lookups.workspace
    changes = []
    for update in updates:
        contact_id = update.person.existing_id
        assert contact_id is not None  # noqa: S101  (an update is of an existing contact)
        change = ImportChange(job=job, contact_id=contact_id, fields=_fill(update, lookups))
        emails = ContactEmail.objects.bulk_create(
            ContactEmail(
                workspace=ws,
                contact_id=contact_id,
                email=e,
                is_primary=not update.had_email and i == 0,
            )
            for i, e in enumerate(update.emails)
        )
        phones = ContactPhone.objects.bulk_create(
            ContactPhone(
                workspace=ws,
                contact_id=contact_id,
                number=n,
                label=label,
                is_primary=not update.had_phone and i == 0,
            )
            for i, (n, label) in enumerate(update.phones)
        )
        ContactTag.objects.bulk_create(
            ContactTag(contact_id=contact_id, tag_id=lookups.tags[t]) for t in update.tags
        )
        if update.birthday:
            change.date_ids = [
                ImportantDate.objects.create(
                    contact_id=contact_id,
                    kind=DateKind.BIRTHDAY,
                    month=update.birthday.month,
                    day=update.birthday.day,
                    year=update.birthday.year,
                ).pk
            ]
        change.email_ids = [e.pk for e in emails]
        change.phone_ids = [p.pk for p in phones]
        change.tag_ids = [lookups.tags[t] for t in update.tags]
        changes.append(change)
    ImportChange.objects.bulk_create(changes)
    refresh_search_text([u.person.existing_id for u in updates])


def _fill(update: Update, lookups: _Lookups) -> dict[str, list[Any]]:
    """Fill the contact's empty fields; the values before and after, for undo."""
    values: dict[str, Any] = {}
    for name, value in update.fill.items():
        if name == "organization":
            values["organization_id"] = lookups.organizations[value.lower()]
        else:
            values[name] = value
    if not values:
        return {}
    contact = Contact.objects.filter(pk=update.person.existing_id or 0)
    before = contact.values(*values).get()
    contact.update(**values)
    return {name: [before[name], value] for name, value in values.items()}


def refresh_search_text(contact_ids: Iterable[int | None]) -> None:
    contacts = Contact.objects.filter(pk__in=[i for i in contact_ids if i])
    contacts = contacts.select_related("organization").prefetch_related("emails", "phones", "tags")
    for contact in contacts:
        text = search_text_for(contact)
        if text != contact.search_text:
            Contact.objects.filter(pk=contact.pk).update(search_text=text)
