"""Reads for contacts: the list with search and filters, duplicates, review buckets, neglect."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations, groupby

from django.db.models import Count, F, Q, QuerySet

from followthrough.accounts.models import User, Workspace
from followthrough.core.cadence import BUCKET_DAYS, ReviewBucket
from followthrough.core.duplicates import blocks, name_key, names_alike
from followthrough.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    Stage,
    Tag,
    Tier,
)

# Review buckets and neglect cover the book we still work; former clients are left alone.
ACTIVE_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT, Stage.LAPSED)


def contact_list(
    *,
    workspace: Workspace,
    query: str = "",
    stage: str = "",
    tier: str | None = None,
    owner: User | None = None,
    tag: str = "",
    touched: str = "",
    flagged: bool = False,
    now: datetime,
) -> QuerySet[Contact]:
    """Contacts matching the search box (name, email, phone, organization, tag) and filters.
    `touched` is a review bucket value ("0-30", "31-60", "61-90", "90+", "never")."""
    contacts = Contact.objects.filter(workspace=workspace)
    for word in query.lower().split():
        contacts = contacts.filter(search_text__contains=_searchable(word))
    if stage:
        contacts = contacts.filter(stage=stage)
    if tier is not None:
        contacts = contacts.filter(tier=tier)
    if owner is not None:
        contacts = contacts.filter(owner=owner)
    if tag:
        contacts = contacts.filter(tags__name=tag.lower())
    if touched:
        contacts = contacts.filter(stage__in=ACTIVE_STAGES).filter(
            _bucket_filter(ReviewBucket(touched), now=now)
        )
    if flagged:
        contacts = contacts.filter(review_flag=True)
    return contacts.select_related("organization", "owner").order_by(
        "last_name", "first_name", "id"
    )


def _searchable(word: str) -> str:
    """Phone digits typed as "(415) 555" should still find "+1415555…"."""
    digits = "".join(c for c in word if c.isdigit())
    if digits and len(digits) >= 3 and not any(c.isalpha() for c in word) and "@" not in word:
        return digits
    return word


def _bucket_filter(bucket: ReviewBucket, *, now: datetime) -> Q:
    if bucket is ReviewBucket.NEVER:
        return Q(last_touched_at__isnull=True)
    low, high = BUCKET_DAYS[bucket]
    condition = Q(last_touched_at__lte=now - timedelta(days=low))
    if high is not None:
        condition &= Q(last_touched_at__gt=now - timedelta(days=high + 1))
    return condition


def review_bucket_counts(*, workspace: Workspace, now: datetime) -> dict[ReviewBucket, int]:
    active = Contact.objects.filter(workspace=workspace, stage__in=ACTIVE_STAGES)
    return {
        bucket: active.filter(_bucket_filter(bucket, now=now)).count() for bucket in ReviewBucket
    }


def contact_duplicates(
    *, workspace: Workspace, emails: list[str], phones: list[str], exclude_id: int | None = None
) -> list[Contact]:
    """Contacts of the workspace that already have one of these emails or (E.164) phones."""
    ids = set(
        ContactEmail.objects.filter(
            workspace=workspace, email__in=[e.lower() for e in emails]
        ).values_list("contact_id", flat=True)
    ) | set(
        ContactPhone.objects.filter(workspace=workspace, number__in=phones).values_list(
            "contact_id", flat=True
        )
    )
    if exclude_id is not None:
        ids.discard(exclude_id)
    return list(Contact.objects.filter(pk__in=ids).select_related("organization"))


@dataclass(frozen=True)
class NeglectReport:
    clients: int
    neglected: QuerySet[Contact]
    count: int

    @property
    def share(self) -> float:
        return self.count / self.clients if self.clients else 0.0


def neglected_report(*, workspace: Workspace, now: datetime) -> NeglectReport:
    """Clients untouched for longer than their cadence (their own, else their tier's default)."""
    clients = Contact.objects.filter(workspace=workspace, stage=Stage.CLIENT)
    neglected = contacts_past_cadence(contacts=clients, workspace=workspace, now=now)
    return NeglectReport(
        clients=clients.count(),
        # Never touched first, then the longest untouched (NULLs sort last on PostgreSQL).
        neglected=neglected.select_related("organization", "owner").order_by(
            F("last_touched_at").asc(nulls_first=True), "created_at", "id"
        ),
        count=neglected.count(),
    )


def contacts_past_cadence(
    *, contacts: QuerySet[Contact], workspace: Workspace, now: datetime
) -> QuerySet[Contact]:
    """Those of `contacts` untouched for longer than their cadence.

    Cadence is per row, so instead of date arithmetic in SQL (which differs between SQLite and
    PostgreSQL) the condition is an OR over the few distinct cadences in use; each branch can use
    the (workspace, stage, last_touched_at) index.
    """
    condition = Q()
    for tier in Tier:
        cutoff = now - timedelta(days=workspace.cadence_days(tier.value))
        condition |= Q(cadence_days__isnull=True, tier=tier.value) & _untouched_since(cutoff)
    overrides = (
        contacts.filter(cadence_days__isnull=False)
        .values_list("cadence_days", flat=True)
        .distinct()
        .order_by()
    )
    for days in {d for d in overrides if d is not None}:
        condition |= Q(cadence_days=days) & _untouched_since(now - timedelta(days=days))
    return contacts.filter(condition)


def _untouched_since(cutoff: datetime) -> Q:
    return Q(last_touched_at__lt=cutoff) | Q(last_touched_at__isnull=True, created_at__lt=cutoff)


def organization_list(*, workspace: Workspace, query: str = "") -> QuerySet[Organization]:
    """Organizations of the workspace whose name contains every word of `query`, by name."""
    organizations = Organization.objects.filter(workspace=workspace)
    for word in query.split():
        organizations = organizations.filter(name__icontains=word)
    return organizations.order_by("name", "id")


def organization_contacts(*, organization: Organization) -> QuerySet[Contact]:
    """The organization's people, the longest untouched first (never touched before anyone)."""
    return organization.contacts.select_related("owner").order_by(
        F("last_touched_at").asc(nulls_first=True), "last_name", "first_name"
    )


def tag_list(*, workspace: Workspace) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=workspace).order_by("name")


def contacts_by_id(*, workspace: Workspace, contact_ids: list[int]) -> dict[int, Contact]:
    """These contacts of the workspace by id, with their owner and organization: one query for
    a list that got its ids elsewhere (the at-risk list). Ids of other workspaces are left out."""
    found = Contact.objects.filter(workspace=workspace, pk__in=contact_ids).select_related(
        "owner", "organization"
    )
    return {contact.pk: contact for contact in found}


@dataclass
class MergeCandidate:
    """Two contacts that are probably one person, and why we think so."""

    first: Contact
    second: Contact
    reasons: list[str] = field(default_factory=list)


def contact_merge_candidates(*, workspace: Workspace, limit: int = 200) -> list[MergeCandidate]:
    """Pairs for the merge review: the same email or phone (exact), then near-identical names
    within one organization. Oldest records first; at most `limit` pairs."""
    reasons = _candidate_pairs(workspace)
    chosen = sorted(reasons)[:limit]
    found = contacts_by_id(workspace=workspace, contact_ids=sorted({i for p in chosen for i in p}))
    return [
        MergeCandidate(found[a], found[b], reasons[(a, b)])
        for a, b in chosen
        if a in found and b in found
    ]


def contact_merge_candidates_among(*, workspace: Workspace, contact_ids: set[int]) -> int:
    """How many pairs of the merge review involve one of `contact_ids` (e.g. the people an
    import just created, so its summary can point at the review)."""
    return sum(1 for a, b in _candidate_pairs(workspace) if a in contact_ids or b in contact_ids)


def _candidate_pairs(workspace: Workspace) -> dict[tuple[int, int], list[str]]:
    """{(lower id, higher id): reasons} for every pair that is probably one person."""
    reasons: dict[tuple[int, int], list[str]] = {}
    for model, column, label in (
        (ContactEmail, "email", "Same email"),
        (ContactPhone, "number", "Same phone"),
    ):
        for value, ids in _shared_values(workspace, model, column):
            for pair in combinations(sorted(ids), 2):
                reasons.setdefault(pair, []).append(f"{label} {value}")
    for pair in _alike_names(workspace):
        reasons.setdefault(pair, []).append("Similar names in the same organization")
    return reasons


def _shared_values(
    workspace: Workspace, model: type[ContactEmail] | type[ContactPhone], column: str
) -> list[tuple[str, set[int]]]:
    """(value, contact ids) for each email or phone that more than one contact has."""
    shared = (
        model.objects.filter(workspace=workspace)
        .values(column)
        .annotate(people=Count("contact", distinct=True))
        .filter(people__gt=1)
        .values_list(column, flat=True)
    )
    by_value: dict[str, set[int]] = {}
    rows = model.objects.filter(workspace=workspace, **{f"{column}__in": list(shared)})
    for value, contact_id in rows.values_list(column, "contact_id"):
        by_value.setdefault(value, set()).add(contact_id)
    return sorted(by_value.items())


def _alike_names(workspace: Workspace) -> set[tuple[int, int]]:
    """Pairs of contacts of one organization whose names are alike (core.duplicates). Only
    names sharing a block (last name, first name, or all words) are compared, so a big
    organization costs about as many comparisons as it has namesakes, not n²."""
    rows = (
        Contact.objects.filter(workspace=workspace, organization__isnull=False)
        .order_by("organization_id", "id")
        .values_list("organization_id", "id", "first_name", "last_name")
    )
    pairs: set[tuple[int, int]] = set()
    for _, members in groupby(rows.iterator(chunk_size=5000), key=lambda r: r[0]):
        by_block: dict[str, list[tuple[int, str]]] = {}
        for _, pk, first, last in members:
            key = name_key(first, last)
            for block in blocks(key):
                by_block.setdefault(block, []).append((pk, key))
        for group in by_block.values():
            pairs.update(
                (a, b)
                for (a, key_a), (b, key_b) in combinations(group, 2)
                if (a, b) not in pairs and names_alike(key_a, key_b)
            )
    return pairs
