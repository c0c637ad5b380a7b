"""Erasing one person (DESIGN C7, the right to erasure): their contact row and everything that
points at it, and every copy of their addresses and name in other rows of the workspace; only a
suppression digest stays, so a re-import or a lead form cannot put them back into campaigns.

Nothing here lists tables by hand. Rows that point at the contact are found through
Contact._meta.related_objects (cascades, and the rare protected key that must be deleted first);
copies elsewhere (an outbox row that kept the address, an event of someone else that named them,
a rate-limit key) are found by scanning every text and JSON column of every Followthrough model
in the workspace. A table added later is covered without a change here.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from followthrough.accounts.models import RateLimit, User, Workspace
from followthrough.outreach.models import Suppression, SuppressionReason, address_digest
from followthrough.people.models import Contact
from followthrough.transfer.importing.jobs import import_traces_erase
from followthrough.transfer.workspace_json import model_of, workspace_lookup

ERASED = "[erased]"
# A name shorter than this is too common to hunt for in other people's notes ("Al Li").
MIN_NAME_LENGTH = 6
MIN_PHONE_DIGITS = 7
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
# Columns never rewritten: a user's own login, and the digests we are about to keep.
NOT_SCRUBBED = frozenset({User, Suppression})
# Another contact who shares the name is another person: their own name stays.
OWN_NAME_COLUMNS = frozenset({"first_name", "last_name", "search_text"})


@dataclass
class ErasureReport:
    """What erasing did, without naming the person (the report may be shown or logged)."""

    suppressed: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)


def contact_traces(contact: Contact) -> list[str]:
    """The strings that identify the person: emails, phones (as stored and as digits only) and
    their full name when it is distinctive enough to search for."""
    traces = list(contact.emails.values_list("email", flat=True))
    for number in contact.phones.values_list("number", flat=True):
        traces += [number, number.lstrip("+")]
    if contact.first_name and contact.last_name and len(contact.name) >= MIN_NAME_LENGTH:
        traces.append(contact.name)
    return [t for t in dict.fromkeys(traces) if t]


def phone_digits(contact: Contact) -> list[str]:
    """Each phone's national digits ("4155550177" for +14155550177), to find it however a person
    typed it in a note. Numbers under 7 digits are left out: too many things look like them."""
    found = []
    for number in contact.phones.values_list("number", flat=True):
        try:
            digits = str(phonenumbers.parse(number).national_number)
        except phonenumbers.NumberParseException:
            digits = "".join(c for c in number if c.isdigit())
        if len(digits) >= MIN_PHONE_DIGITS:
            found.append(digits)
    return found


def _phone_shape(digits: str) -> str:
    """A pattern for a number as typed: "(415) 555-0177", "415.555.0177", "+1 415 555 0177"
    (up to three other characters between any two digits, and no digit right before or after,
    so a longer number that contains it is left alone)."""
    return r"(?<!\d)" + r"\D{0,3}".join(digits) + r"(?!\d)"


@transaction.atomic
def contact_erase(*, contact: Contact, by: User) -> ErasureReport:
    """Erase the contact and every trace of them in the workspace. `by` must be an owner or an
    admin of the contact's workspace (checked here too: it cannot be undone)."""
    if by.workspace_id != contact.workspace_id or not by.is_admin:
        raise PermissionError("Only the workspace's owner or an admin can erase a person.")
    workspace = contact.workspace
    traces, phones = contact_traces(contact), phone_digits(contact)
    report = ErasureReport(suppressed=_suppress(workspace, contact))
    _delete_protected(contact, report)
    _, deleted = contact.delete()
    report.deleted.update({k: v for k, v in deleted.items() if v})
    # Uploaded files are kept as bytes, which the text scan below cannot read: the importer
    # forgets the files and rejected rows that mention the person.
    report.scrubbed["transfer.ImportJob"] = import_traces_erase(workspace=workspace, needles=traces)
    _scrub(workspace, traces, phones, report)
    return report


def _suppress(workspace: Workspace, contact: Contact) -> int:
    """One suppression per address, kept as a digest. An address suppressed before (say,
    unsubscribed) keeps its reason."""
    addresses = [
        *contact.emails.values_list("email", flat=True),
        *contact.phones.values_list("number", flat=True),
    ]
    rows = [
        Suppression(workspace=workspace, digest=address_digest(a), reason=SuppressionReason.ERASED)
        for a in addresses
    ]
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _delete_protected(contact: Contact, report: ErasureReport) -> None:
    """Rows whose key to the contact would stop or survive its deletion (PROTECT, RESTRICT,
    DO_NOTHING) are deleted first; cascades and SET_NULL are left to contact.delete()."""
    for relation in Contact._meta.related_objects:
        if relation.on_delete in (models.CASCADE, models.SET_NULL):
            continue
        related = model_of(relation)._base_manager.filter(**{relation.field.name: contact})
        _, deleted = related.delete()
        report.deleted.update({k: v for k, v in deleted.items() if v})


def _scrubbed_models() -> Iterable[type[models.Model]]:
    for model in apps.get_models():
        if model.__module__.startswith("followthrough.") and model not in NOT_SCRUBBED:
            yield model


def _free_text_columns(model: type[models.Model]) -> list["models.Field[Any, Any]"]:
    """Columns that can hold a copy of an address or a name (not choice lists or keys)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS)
        and not f.choices
        and not f.primary_key
        and not (model is Contact and f.name in OWN_NAME_COLUMNS)
    ]


def _needles(traces: list[str]) -> list[str]:
    """The traces, plus the form JSON columns store non-ASCII text in ("Zo\\u00eb")."""
    escaped = [json.dumps(t)[1:-1] for t in traces]
    return list(dict.fromkeys([*traces, *escaped]))


def _scrub(
    workspace: Workspace, traces: list[str], phones: list[str], report: ErasureReport
) -> None:
    """Rewrite every row that holds a trace or one of the phones as typed. The database finds
    the rows by plain substrings (for a phone, its last four digits, which people rarely split);
    Python then replaces what really matches."""
    if not traces:
        return
    needles = _needles(traces) + [digits[-4:] for digits in phones]
    pattern = re.compile(
        "|".join(
            [
                *(re.escape(t) for t in sorted(traces, key=len, reverse=True)),
                *(_phone_shape(digits) for digits in phones),
            ]
        ),
        re.IGNORECASE,
    )
    for model in _scrubbed_models():
        columns = _free_text_columns(model)
        if not columns:
            continue
        matching = Q()
        for column in columns:
            for needle in needles:
                matching |= Q(**{f"{column.name}__icontains": needle})
        rows = _in_workspace(model, workspace).filter(matching)
        if model is RateLimit:
            # A counter keyed by the address is worth nothing once the person is gone.
            named = [r.pk for r in rows.iterator() if _replace(r.key, pattern) != r.key]
            count, _ = model._base_manager.filter(pk__in=named).delete()
        else:
            count = sum(_rewrite(row, columns, pattern) for row in rows.iterator())
        if count:
            report.scrubbed[model._meta.label] = count


def _in_workspace(model: type[models.Model], workspace: Workspace) -> "models.QuerySet[Any]":
    """The model's rows of this workspace; all of them for tables that belong to none."""
    manager = model._base_manager
    if model is Workspace:
        return manager.filter(pk=workspace.pk)
    lookup = workspace_lookup(model)
    return manager.filter(**{lookup: workspace}) if lookup else manager.all()


def _rewrite(
    row: models.Model, columns: list["models.Field[Any, Any]"], pattern: re.Pattern[str]
) -> int:
    changed = []
    for column in columns:
        before = getattr(row, column.attname)
        after = _replace(before, pattern)
        if after != before:
            setattr(row, column.attname, after)
            changed.append(column.attname)
    if changed:
        # A plain UPDATE of the changed columns: no save() signals or auto timestamps, so
        # erasing leaves no "updated just now" mark either.
        type(row)._base_manager.filter(pk=row.pk).update(
            **{name: getattr(row, name) for name in changed}
        )
    return 1 if changed else 0


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    """`value` with every trace replaced, inside JSON too (keys and strings)."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_replace(k, pattern): _replace(v, pattern) for k, v in value.items()}
    return value
