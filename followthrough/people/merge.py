"""Merging two records of the same person (DESIGN C1 "duplicate detection and merge").

The person chooses, field by field, which record's value to keep; emails, phones, tags and
important dates are the union of both; notes are joined. Every row that points at the duplicate
moves to the kept contact. Those rows are found through Contact._meta (every reverse foreign key,
including hidden ones such as the tag links), so a table added later moves too; only the few
with a unique rule that a merge can break get explicit handling:

- an open follow-up whose purpose the kept contact already has open would break "one pending
  follow-up per purpose": it is skipped, with a reason that says so, and moved (not deleted);
- an email, phone or date both records have is kept once;
- one-to-one rows (the computed score, a tier pin) stay with the kept contact when it has its
  own, since the nightly run recomputes scores from the merged history.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.models import PENDING, FollowUp, Status
from followthrough.events.models import Event
from followthrough.people.models import Contact, ContactEmail, ContactPhone, ImportantDate
from followthrough.people.services import search_text_for

MERGE_EVENT: Final = "contact.merged"
KEEP, OTHER = "keep", "other"

# What the merge screen asks, one radio per group: fields that only make sense together (an
# address, the consent and its evidence) are chosen together.
FIELD_GROUPS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "name": ("Name", ("first_name", "last_name")),
    "title": ("Job title", ("title",)),
    "organization": ("Organization", ("organization",)),
    "stage": ("Stage", ("stage",)),
    "tier": ("Tier", ("tier",)),
    "source": ("Source", ("source",)),
    "owner": ("Owner", ("owner",)),
    "referred_by": ("Referred by", ("referred_by",)),
    "influence": ("Opinion leader", ("influence",)),
    "external_id": ("External id", ("external_id",)),
    "address": ("Postal address", ("street", "city", "region", "postal_code", "country")),
    "preferences": (
        "How they like to be reached",
        (
            "pref_phone",
            "pref_text",
            "pref_email",
            "pref_mail",
            "pref_in_person",
            "pref_social",
            "best_days",
            "best_hours_start",
            "best_hours_end",
            "timezone",
            "max_touches_per_month",
        ),
    ),
    "cadence_days": ("Keep-in-touch cadence", ("cadence_days",)),
    "consent": (
        "Marketing consent",
        (
            "marketing_consent",
            "consent_at",
            "consent_method",
            "consent_wording",
        ),
    ),
}


@dataclass
class MergeReport:
    contact: Contact  # the merged contact, as saved
    moved: dict[str, int] = field(default_factory=dict)
    skipped_followups: int = 0
    dropped: dict[str, int] = field(default_factory=dict)


def _empty(contact: Contact, group: str) -> bool:
    return not any(getattr(contact, name) for name in FIELD_GROUPS[group][1])


def merge_suggested_choices(*, keep: Contact, other: Contact) -> dict[str, str]:
    """The choice the screen starts with: the kept record's value, unless it has none and the
    other record does."""
    return {
        group: OTHER if _empty(keep, group) and not _empty(other, group) else KEEP
        for group in FIELD_GROUPS
    }


def _check(keep: Contact, other: Contact, choices: Mapping[str, str], by: User) -> None:
    if keep.pk == other.pk:
        raise ValidationError({"other": "A contact cannot be merged with itself."})
    if keep.workspace_id != other.workspace_id or by.workspace_id != keep.workspace_id:
        raise ValidationError({"other": "Not found in this workspace."})
    errors = {
        g: "Choose keep or other."
        for g, v in choices.items()
        if g not in FIELD_GROUPS or v not in (KEEP, OTHER)
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_merge(
    *, keep: Contact, other: Contact, choices: Mapping[str, str], by: User
) -> MergeReport:
    """Merge `other` into `keep` and delete `other`. `choices` maps a FIELD_GROUPS key to
    "keep" or "other" (missing groups keep `keep`'s values). Nothing of either record is lost:
    the merge is on the kept contact's timeline."""
    _check(keep, other, choices, by)
    # Lock both rows in id order, so two people merging the same pair cannot interleave.
    locked = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(pk__in=[keep.pk, other.pk])
        .order_by("pk")
    }
    keep, other = locked[keep.pk], locked[other.pk]
    report = MergeReport(contact=keep)
    _take_fields(keep, other, choices)
    _dedupe_details(keep, other)
    report.skipped_followups = _skip_clashing_followups(keep, other)
    _move_related(keep, other, report)
    _record(keep, other, report, by)
    other.delete()
    keep.search_text = search_text_for(keep)
    Contact.objects.filter(pk=keep.pk).update(search_text=keep.search_text)
    return report


def _take_fields(keep: Contact, other: Contact, choices: Mapping[str, str]) -> None:
    for group, choice in choices.items():
        if choice == OTHER:
            for name in FIELD_GROUPS[group][1]:
                setattr(keep, name, getattr(other, name))
    if keep.referred_by_id in (keep.pk, other.pk):
        keep.referred_by = None
    if other.notes.strip() and other.notes.strip() not in keep.notes:
        keep.notes = "\n\n".join(n for n in (keep.notes.strip(), other.notes.strip()) if n)
    keep.review_flag = keep.review_flag or other.review_flag
    keep.last_touched_at = _latest(keep.last_touched_at, other.last_touched_at)
    keep.last_heard_at = _latest(keep.last_heard_at, other.last_heard_at)
    keep.save()
    # The person has been known to us since the earlier of the two records.
    Contact.objects.filter(pk=keep.pk).update(created_at=min(keep.created_at, other.created_at))


def _latest(a: Any, b: Any) -> Any:
    return max((v for v in (a, b) if v is not None), default=None)


def _dedupe_details(keep: Contact, other: Contact) -> None:
    """An email, phone or date both records have stays once (the kept contact's row); the
    other record's rows move as secondary entries."""
    emails = set(keep.emails.values_list("email", flat=True))
    ContactEmail.objects.filter(contact=other, email__in=emails).delete()
    if emails:
        ContactEmail.objects.filter(contact=other).update(is_primary=False)
    phones = set(keep.phones.values_list("number", flat=True))
    ContactPhone.objects.filter(contact=other, number__in=phones).delete()
    if phones:
        ContactPhone.objects.filter(contact=other).update(is_primary=False)
    for kind, month, day, year in keep.dates.values_list("kind", "month", "day", "year"):
        ImportantDate.objects.filter(
            contact=other, kind=kind, month=month, day=day, year=year
        ).delete()


def _skip_clashing_followups(keep: Contact, other: Contact) -> int:
    purposes = keep.followups.filter(status__in=PENDING).values_list("purpose", flat=True)
    clashing = FollowUp.objects.filter(contact=other, status__in=PENDING, purpose__in=purposes)
    return clashing.update(
        status=Status.SKIPPED,
        completed_at=timezone.now(),
        skip_reason=f"Merged into {keep.name}, who already had this follow-up open.",
    )


def _reverse_keys() -> list["models.ForeignKey[Any, Any]"]:
    """Every foreign key to Contact in the project, including the hidden ones of many-to-many
    link tables."""
    return [
        rel.field
        for rel in Contact._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ManyToOneRel) and rel.field.concrete
    ]


def _move_related(keep: Contact, other: Contact, report: MergeReport) -> None:
    for key in _reverse_keys():
        model = key.model
        rows = model._base_manager.filter(**{key.name: other})
        if key.model is Contact:  # people the duplicate referred
            rows = rows.exclude(pk=keep.pk)
        label = model._meta.label
        if key.unique and model._base_manager.filter(**{key.name: keep}).exists():
            dropped, _ = rows.delete()
            if dropped:
                report.dropped[label] = dropped
            continue
        moved = _move(rows, key, keep)
        if moved:
            report.moved[label] = report.moved.get(label, 0) + moved
    Contact.objects.filter(pk=keep.pk, referred_by=other).update(referred_by=None)


def _move(rows: "models.QuerySet[Any]", key: "models.ForeignKey[Any, Any]", keep: Contact) -> int:
    """Point `rows` at `keep` in one UPDATE; when a unique rule refuses (a tag both had), row by
    row, dropping only the rows that duplicate one the kept contact already has."""
    try:
        with transaction.atomic():
            return int(rows.update(**{key.name: keep}))
    except IntegrityError:
        pass
    moved = 0
    for row in list(rows):
        try:
            with transaction.atomic():
                moved += type(row)._base_manager.filter(pk=row.pk).update(**{key.name: keep})
        except IntegrityError:
            row.delete()
    return moved


def _record(keep: Contact, other: Contact, report: MergeReport, by: User) -> None:
    """The merge on the kept contact's timeline. Marked processed: merging is bookkeeping, not
    something that happened with the person, so no playbook starts from it."""
    now = timezone.now()
    Event.objects.create(
        workspace_id=keep.workspace_id,
        contact=keep,
        type=MERGE_EVENT,
        source="ui",
        occurred_at=now,
        processed_at=now,
        data={
            "merged_id": other.pk,
            "merged_name": other.name,
            "by": by.email,
            "moved": report.moved,
            "skipped_followups": report.skipped_followups,
        },
    )
