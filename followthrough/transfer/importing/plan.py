"""The dry run: what a contacts file would create, update, merge and reject, worked out before
anything is written (and the same plan is what the import then writes).

A row is one person. Rows that share a normalized email, phone or external id are merged into
the first of them; a person whose email, phone or external id is already in the workspace
updates that contact: empty fields are filled, new emails, phones, tags and a birthday added,
and a non-empty field is never overwritten (the plan says which were kept).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices
from django.utils import timezone

from followthrough.accounts.models import User, Workspace
from followthrough.core import tabular
from followthrough.insight.imports import MONTH_FIRST_REGIONS
from followthrough.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DateKind,
    ImportantDate,
    Source,
    Tier,
)
from followthrough.people.services import phone_normalize
from followthrough.transfer.importing.reading import Table, iter_nonblank

# Fields copied as text onto the contact, with the longest value the column holds.
TEXT_FIELDS: Final[dict[str, int]] = {
    "first_name": 100,
    "last_name": 100,
    "title": 100,
    "street": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "external_id": 100,
}
# Fields an update may fill on an existing contact (when empty there).
FILLABLE: Final = (*TEXT_FIELDS, "country", "stage", "owner_id", "organization", "notes")
SAMPLES: Final = 10
# Columns of dates, read together to tell 03/04 (day first) from 04/03 (month first).
DATE_FIELDS: Final = ("birthday", "last_contacted", "client_since", "consent_at")
ROW_PROBLEM: Final = "name, email, phone"


@dataclass(frozen=True)
class Problem:
    column: str
    message: str


@dataclass
class Person:
    """A contact to create or to add to, from one row or several merged rows."""

    rows: list[int]
    fields: dict[str, Any] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)  # (E.164, label)
    tags: list[str] = field(default_factory=list)
    birthday: tabular.Day | None = None
    # When we last spoke to them, if the sheet says: the keep-in-touch cadence counts from it.
    last_contacted: datetime | None = None
    # Only for people the import creates (someone already in the book keeps their own).
    client_since: date | None = None
    consent: bool | None = None
    consent_at: datetime | None = None
    existing_id: int | None = None

    @property
    def name(self) -> str:
        first, last = self.fields.get("first_name", ""), self.fields.get("last_name", "")
        return " ".join(p for p in (first, last) if p) or (self.emails or ["(no name)"])[0]

    def keys(self) -> list[str]:
        ext = self.fields.get("external_id")
        return [*self.emails, *(n for n, _ in self.phones), *([f"id:{ext}"] if ext else [])]

    def absorb(self, other: "Person") -> None:
        """Merge a later row of the same person: fill what is empty, add the rest."""
        self.rows += other.rows
        for name, value in other.fields.items():
            if not self.fields.get(name):
                self.fields[name] = value
            elif name == "notes" and value not in self.fields[name]:
                self.fields[name] += "\n" + value
        self.emails += [e for e in other.emails if e not in self.emails]
        known = {n for n, _ in self.phones}
        self.phones += [p for p in other.phones if p[0] not in known]
        self.tags += [t for t in other.tags if t not in self.tags]
        self.birthday = self.birthday or other.birthday
        self.client_since = self.client_since or other.client_since
        self.consent = other.consent if self.consent is None else self.consent
        self.consent_at = self.consent_at or other.consent_at
        if other.last_contacted and (
            self.last_contacted is None or other.last_contacted > self.last_contacted
        ):
            self.last_contacted = other.last_contacted


@dataclass
class Update:
    """What the import adds to one existing contact."""

    person: Person
    contact_name: str
    fill: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, tuple[str, str]] = field(default_factory=dict)  # field: (theirs, file's)
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    birthday: tabular.Day | None = None
    had_email: bool = False
    had_phone: bool = False

    @property
    def changes_anything(self) -> bool:
        return bool(self.fill or self.emails or self.phones or self.tags or self.birthday)


@dataclass
class Rejected:
    number: int
    values: list[str]
    problems: list[Problem]


@dataclass
class Plan:
    rows: int = 0
    creates: list[Person] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    merged: list[tuple[int, int]] = field(default_factory=list)  # (row, merged into row)
    rejected: list[Rejected] = field(default_factory=list)
    organizations: set[str] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Counts and a few examples of each, as JSON for the job and the page."""
        return {
            "rows": self.rows,
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "merged": len(self.merged),
            "rejected": len(self.rejected),
            "notices": self.notices[:SAMPLES],
            "samples": {
                "created": [_describe(p) for p in self.creates[:SAMPLES]],
                "updated": [_describe_update(u) for u in self.updates[:SAMPLES]],
                "merged": [{"row": r, "into": into} for r, into in self.merged[:SAMPLES]],
                "rejected": [
                    {"row": r.number, "column": p.column, "message": p.message}
                    for r in self.rejected[: SAMPLES * 2]
                    for p in r.problems
                ],
            },
        }


def _describe(person: Person) -> dict[str, Any]:
    return {
        "rows": person.rows,
        "name": person.name,
        "emails": person.emails,
        "phones": [n for n, _ in person.phones],
        "organization": person.fields.get("organization", ""),
        "tags": person.tags,
    }


def _describe_update(update: Update) -> dict[str, Any]:
    added = [*update.emails, *(n for n, _ in update.phones), *update.tags]
    if update.birthday:
        added.append("birthday")
    return {
        "rows": update.person.rows,
        "name": update.contact_name,
        "filled": sorted(k.removesuffix("_id") for k in update.fill),
        "added": added,
        "kept": [
            {"field": k, "theirs": theirs, "file": ours}
            for k, (theirs, ours) in sorted(update.kept.items())
        ],
    }


# ----------------------------------------------------------------------------- one row


@dataclass
class _Reader:
    """Reads rows of one file under one mapping for one workspace."""

    header: list[str]
    mapping: list[str]
    order: list[int]  # the columns in reading order: countries first
    region: str
    day_first: bool
    owners: dict[str, int]
    today: date  # the workspace's
    tz: ZoneInfo  # the workspace's
    now: datetime

    def columns(self, name: str) -> list[int]:
        return [i for i, f in enumerate(self.mapping) if f == name]

    def person(self, number: int, row: Sequence[str]) -> Person | list[Problem]:
        problems: list[Problem] = []
        width = len(self.header)
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            message = f"{len(row)} cells but the header has {width} columns (a stray delimiter?)"
            problems.append(Problem("(row)", message))
        person = Person(rows=[number])
        for index in self.order:
            name = self.mapping[index]
            value = row[index].strip() if index < len(row) else ""
            if name and value:
                self._read(person, name, self.header[index], value, problems)
        self._finish(person, problems)
        return problems or person

    def _read(self, p: Person, name: str, column: str, value: str, out: list[Problem]) -> None:
        handler = _HANDLERS.get(name)
        try:
            if handler is not None:
                handler(self, p, column, value)
            elif name in TEXT_FIELDS:
                if len(value) > TEXT_FIELDS[name]:
                    raise ValueError(f"longer than {TEXT_FIELDS[name]} characters")
                p.fields.setdefault(name, value)
        except (ValueError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            out.append(Problem(column, message))

    def _finish(self, person: Person, problems: list[Problem]) -> None:
        fields = person.fields
        full = fields.pop("full_name", "")
        if full and not (fields.get("first_name") or fields.get("last_name")):
            first, last = tabular.split_name(full)
            fields["first_name"], fields["last_name"] = first[:100], last[:100]
        if not (fields.get("first_name") or fields.get("last_name")):
            if not (person.emails or person.phones) and not problems:
                problems.append(Problem(ROW_PROBLEM, "no name, email or phone"))
            elif person.emails:
                # contact_create wants a name; the email's local part is the best guess.
                fields["first_name"] = person.emails[0].split("@")[0][:100]


def _email(reader: _Reader, person: Person, column: str, value: str) -> None:
    for raw in tabular.split_values(value):
        email = raw.lower()
        if len(email) > 254:
            raise ValueError("an email address is at most 254 characters")
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(f"“{raw}” is not a valid email address") from None
        if email not in person.emails:
            person.emails.append(email)


def _phone(reader: _Reader, person: Person, column: str, value: str) -> None:
    country = person.fields.get("country") or reader.region
    for raw in tabular.split_values(value):
        number = phone_normalize(raw, region=country)
        if number not in {n for n, _ in person.phones}:
            person.phones.append((number, tabular.phone_label(column)))


def _birthday(reader: _Reader, person: Person, column: str, value: str) -> None:
    try:
        person.birthday = person.birthday or tabular.parse_day(value, day_first=reader.day_first)
    except tabular.BadDate as error:
        raise ValueError(f"{error}: unknown date format") from None


def _last_contacted(reader: _Reader, person: Person, column: str, value: str) -> None:
    """A date, or a CRM's date and time ("2024-03-05 14:22", "2024-03-05T14:22:00Z"). A time
    with an offset is kept as that moment (our own export writes UTC, so a round trip keeps
    it)."""
    person.last_contacted = _past_moment(reader, value) or person.last_contacted


def _past_moment(reader: _Reader, value: str) -> datetime | None:
    """The moment a cell gives: an ISO time with an offset as it is; a date alone as noon that
    day in the workspace's time zone, or now if that is earlier, so something imported this
    morning is never in the future. None for an empty date; ValueError for a later day."""
    moment = _moment(value)
    if moment is None:
        written = _written_day(value, reader.day_first)
        if written is None:
            return None
        moment = datetime.combine(written, time(12), tzinfo=reader.tz)
    # A day after today is a mistake in the sheet; later today is only the clocks disagreeing.
    if moment.astimezone(reader.tz).date() > reader.today:
        raise ValueError(f"“{value}” is in the future")
    return min(moment, reader.now)


def _client_since(reader: _Reader, person: Person, column: str, value: str) -> None:
    day = _written_day(value, reader.day_first)
    if day is not None and day > reader.today:
        raise ValueError(f"“{value}” is in the future")
    person.client_since = person.client_since or day


def _marketing_consent(reader: _Reader, person: Person, column: str, value: str) -> None:
    consent = tabular.parse_yes_no(value)
    if consent is None:
        raise ValueError(f"“{value}”: write yes or no")
    person.consent = consent


def _consent_at(reader: _Reader, person: Person, column: str, value: str) -> None:
    """When they agreed: the evidence kept with the consent."""
    person.consent_at = _past_moment(reader, value) or person.consent_at


def _choice(choices: type[TextChoices], value: str) -> str | None:
    """The choice a cell names by its value ("walk_in") or its label ("Walk-in")."""
    wanted = tabular.normal_header(value)
    return next(
        (c.value for c in choices if wanted in (c.value, tabular.normal_header(c.label))), None
    )


def _source(reader: _Reader, person: Person, column: str, value: str) -> None:
    source = _choice(Source, value)
    if source is None:
        _append_note(person, f"Source: {value}")  # kept, not lost
    else:
        person.fields.setdefault("source", source)


def _tier(reader: _Reader, person: Person, column: str, value: str) -> None:
    tier = _choice(Tier, value)
    if not tier:
        raise ValueError(f"unknown tier “{value}” (use gold, silver or bronze)")
    person.fields.setdefault("tier", tier)


def _moment(value: str) -> datetime | None:
    """An ISO 8601 time with an offset ("…T03:00:00+00:00", "…Z"); None for anything else
    (left to _written_day and its checks). Its day is the workspace's day at that moment:
    taking the UTC day would put a touch at 22:00 in New York, 03:00 UTC, on the next day,
    "in the future" when imported that evening."""
    try:
        moment = datetime.fromisoformat(value) if ":" in value else None
        return moment if moment and moment.tzinfo else None
    except ValueError:
        return None


def _written_day(value: str, day_first: bool) -> date | None:
    """The day of a date as people write it, alone or before a local time."""
    try:
        day = tabular.parse_day(value, day_first=day_first)
    except tabular.BadDate:
        try:
            day = tabular.parse_day(value.split("T")[0].split(" ")[0], day_first=day_first)
        except tabular.BadDate:
            raise ValueError(f"“{value}”: unknown date format") from None
    if day is None:
        return None
    if day.year is None:
        raise ValueError(f"“{value}”: write the year too")
    try:
        return date(day.year, day.month, day.day)
    except ValueError:
        raise ValueError(f"“{value}”: no such day") from None


def _tags(reader: _Reader, person: Person, column: str, value: str) -> None:
    person.tags += [t for t in tabular.split_tags(value) if t not in person.tags]


def _stage(reader: _Reader, person: Person, column: str, value: str) -> None:
    stage = tabular.parse_stage(value)
    if stage is None:
        raise ValueError(f"unknown stage “{value}” (use {', '.join(tabular.STAGES)})")
    person.fields.setdefault("stage", stage)


def _country(reader: _Reader, person: Person, column: str, value: str) -> None:
    code = tabular.parse_country(value)
    if code is None:
        _append_note(person, f"Country: {value}")  # kept, not lost
    else:
        person.fields.setdefault("country", code)


def _organization(reader: _Reader, person: Person, column: str, value: str) -> None:
    if len(value) > 200:
        raise ValueError("longer than 200 characters")
    person.fields.setdefault("organization", " ".join(value.split()))


def _owner(reader: _Reader, person: Person, column: str, value: str) -> None:
    owner = reader.owners.get(value.strip().lower())
    if owner is None:
        _append_note(person, f"Owner in the file: {value}")
    else:
        person.fields.setdefault("owner_id", owner)


def _notes(reader: _Reader, person: Person, column: str, value: str) -> None:
    _append_note(person, value)


def _append_note(person: Person, text: str) -> None:
    notes = person.fields.get("notes", "")
    person.fields["notes"] = f"{notes}\n{text}" if notes else text


def _full_name(reader: _Reader, person: Person, column: str, value: str) -> None:
    person.fields.setdefault("full_name", value)


_HANDLERS: Final[dict[str, Callable[[_Reader, Person, str, str], None]]] = {
    "email": _email,
    "phone": _phone,
    "birthday": _birthday,
    "last_contacted": _last_contacted,
    "tags": _tags,
    "stage": _stage,
    "country": _country,
    "organization": _organization,
    "owner": _owner,
    "notes": _notes,
    "full_name": _full_name,
    "client_since": _client_since,
    "marketing_consent": _marketing_consent,
    "consent_at": _consent_at,
    "source": _source,
    "tier": _tier,
}


# ----------------------------------------------------------------------------- the plan


def _owners(workspace: Workspace) -> dict[str, int]:
    """Users by lower-cased email and full name, for an "owner" column."""
    owners: dict[str, int] = {}
    for user in User.objects.filter(workspace=workspace, is_active=True):
        owners[user.email.lower()] = user.pk
        if user.get_full_name():
            owners.setdefault(user.get_full_name().lower(), user.pk)
    return owners


def _reader(workspace: Workspace, table: Table, mapping: list[str]) -> _Reader:
    birthdays = [
        row[i]
        for i in [n for n, f in enumerate(mapping) if f in DATE_FIELDS]
        for row in table.rows
        if i < len(row)
    ]
    month_first = workspace.default_region.upper() in MONTH_FIRST_REGIONS
    tz, now = ZoneInfo(workspace.timezone), timezone.now()
    # Countries are read before phones so a row's own country decides how its phone reads.
    return _Reader(
        table.header,
        mapping,
        _ordered(mapping),
        workspace.default_region,
        tabular.day_first_for(birthdays, month_first_region=month_first),
        _owners(workspace),
        now.astimezone(tz).date(),
        tz,
        now,
    )


def _ordered(mapping: list[str]) -> list[int]:
    return sorted(range(len(mapping)), key=lambda i: mapping[i] != "country")


def check_mapping(header: Sequence[str], mapping: Sequence[str]) -> list[str]:
    """The mapping, checked: one known field (or "") per column."""
    if len(mapping) != len(header):
        raise ValidationError({"mapping": [f"Give a field for each of the {len(header)} columns."]})
    unknown = sorted({m for m in mapping if m and m not in tabular.FIELDS})
    if unknown:
        raise ValidationError({"mapping": [f"Unknown field {', '.join(unknown)}."]})
    if not any(m in ("first_name", "last_name", "full_name", "email", "phone") for m in mapping):
        raise ValidationError(
            {"mapping": ["Map at least one column to a name, an email or a phone."]}
        )
    return list(mapping)


def plan_contacts(
    *,
    workspace: Workspace,
    table: Table,
    mapping: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> Plan:
    """What importing `table` under `mapping` would do. Reads the database, writes nothing."""
    mapping = check_mapping(table.header, mapping)
    reader = _reader(workspace, table, mapping)
    plan = Plan()
    people: list[Person] = []
    by_key: dict[str, Person] = {}
    for count, (number, row) in enumerate(iter_nonblank(table), start=1):
        plan.rows += 1
        unreadable = table.problems.get(number)
        found = [Problem("(row)", unreadable)] if unreadable else reader.person(number, row)
        if isinstance(found, list):
            plan.rejected.append(Rejected(number, list(row), found))
        else:
            _merge_or_add(found, by_key, people, plan)
        if progress and count % 5000 == 0:
            progress(count)
    _match_existing(workspace, people, plan)
    plan.organizations = {p.fields["organization"] for p in people if "organization" in p.fields}
    return plan


def _merge_or_add(
    person: Person, by_key: dict[str, Person], people: list[Person], plan: Plan
) -> None:
    first = next((by_key[k] for k in person.keys() if k in by_key), None)
    if first is None:
        people.append(person)
        first = person
    else:
        plan.merged.append((person.rows[0], first.rows[0]))
        first.absorb(person)
    for key in person.keys():
        by_key.setdefault(key, first)


def _match_existing(workspace: Workspace, people: list[Person], plan: Plan) -> None:
    """Split the people into contacts to create and updates of contacts the workspace has."""
    known = _known_keys(workspace)
    for person in people:
        person.existing_id = next((known[k] for k in person.keys() if k in known), None)
    matched = [p for p in people if p.existing_id is not None]
    plan.creates = [p for p in people if p.existing_id is None]
    for start in range(0, len(matched), 2000):
        for update in _updates(matched[start : start + 2000]):
            if update.changes_anything:
                plan.updates.append(update)
            else:
                plan.unchanged += 1
            if update.kept:
                kept = ", ".join(sorted(update.kept))
                plan.notices.append(
                    f"Rows {_rows(update.person)}: kept {update.contact_name}’s {kept} "
                    "(the file has another value)."
                )


def _rows(person: Person) -> str:
    return ", ".join(str(r) for r in person.rows)


def _known_keys(workspace: Workspace) -> dict[str, int]:
    """Every email, phone and external id of the workspace → its contact's id."""
    known: dict[str, int] = {}
    emails = ContactEmail.objects.filter(workspace=workspace).order_by("-is_primary", "id")
    for email, pk in emails.values_list("email", "contact_id").iterator(chunk_size=10000):
        known.setdefault(email, pk)
    phones = ContactPhone.objects.filter(workspace=workspace).order_by("-is_primary", "id")
    for number, pk in phones.values_list("number", "contact_id").iterator(chunk_size=10000):
        known.setdefault(number, pk)
    ids = Contact.objects.filter(workspace=workspace).exclude(external_id="")
    for external_id, pk in ids.values_list("external_id", "id").iterator(chunk_size=10000):
        known.setdefault(f"id:{external_id}", pk)
    return known


_LOADED: Final = (*TEXT_FIELDS, "country", "notes", "owner_id")


@dataclass
class _Existing:
    """What the workspace already knows of a matched contact, as plain values."""

    name: str
    values: dict[str, str]
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    has_birthday: bool = False


def _existing(ids: list[int]) -> dict[int, _Existing]:
    """One query per table for a chunk of matched contacts (no model instances: a re-import of
    a whole book matches every row)."""
    found: dict[int, _Existing] = {}
    for row in Contact.objects.filter(pk__in=ids).values("id", *_LOADED, "organization__name"):
        values = {k: "" if row[k] is None else str(row[k]) for k in _LOADED}
        values["organization"] = row["organization__name"] or ""
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or "(no name)"
        found[row["id"]] = _Existing(name, values)
    emails = ContactEmail.objects.filter(contact_id__in=ids).values_list("contact_id", "email")
    for pk, email in emails:
        found[pk].emails.add(email)
    for pk, number in ContactPhone.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "number"
    ):
        found[pk].phones.add(number)
    tags = Contact.tags.through.objects.filter(contact_id__in=ids)
    for pk, tag in tags.values_list("contact_id", "tag__name"):
        found[pk].tags.add(tag)
    birthdays = ImportantDate.objects.filter(contact_id__in=ids, kind=DateKind.BIRTHDAY)
    for pk in birthdays.values_list("contact_id", flat=True):
        found[pk].has_birthday = True
    return found


def _updates(people: list[Person]) -> list[Update]:
    existing = _existing([p.existing_id for p in people if p.existing_id])
    return [_update(p, existing[p.existing_id]) for p in people if p.existing_id in existing]


def _update(person: Person, contact: _Existing) -> Update:
    update = Update(person, contact.name)
    for name, value in person.fields.items():
        if name == "stage":
            continue  # every contact has a stage; an import never changes it
        theirs = contact.values.get(name, "")
        if not theirs:
            update.fill[name] = value
        elif name == "notes" and value not in theirs:
            update.fill[name] = f"{theirs}\n{value}"  # added to, never replaced
        elif name not in ("notes", "owner_id") and theirs.lower() != str(value).lower():
            update.kept[name] = (theirs, str(value))
    update.had_email, update.had_phone = bool(contact.emails), bool(contact.phones)
    update.emails = [e for e in person.emails if e not in contact.emails]
    update.phones = [p for p in person.phones if p[0] not in contact.phones]
    update.tags = [t for t in person.tags if t not in contact.tags]
    if person.birthday and not contact.has_birthday:
        update.birthday = person.birthday
    return update
