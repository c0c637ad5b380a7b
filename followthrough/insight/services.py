"""Writes for rhythm and value: the nightly scores and tiers, pins, tier rules and plans."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from followthrough.accounts.models import User, Workspace
from followthrough.core.channels import TouchChannel
from followthrough.events.models import Event
from followthrough.insight.models import (
    CustomerScore,
    ModelUsed,
    PlanTier,
    RhythmFit,
    TierPin,
    TierPlan,
    TierSettings,
)
from followthrough.insight.purchases import Histories, purchase_histories
from followthrough.insight.scoring import Scores, score_customers
from followthrough.insight.selectors import (
    local_today,
    purchase_arrays,
    tier_pins_get,
    tier_plans_get,
    tier_settings_get,
)
from followthrough.people.models import Contact

BATCH: Final = 2000
UPDATE_BATCH: Final = 500  # ids per UPDATE ... WHERE id IN (...): under SQLite's variable limit
TIER_EVENT: Final = "tier.changed"
INSIGHT_SOURCE: Final = "insight"
TOUCHES: Final = frozenset(c.value for c in TouchChannel)


# ----------------------------------------------------------------------------- rhythm


def rhythm_refresh(*, workspace: Workspace, now: datetime) -> RhythmFit:
    """Fit the workspace's models on every customer (a contact with at least one purchase up to
    `now`) and rewrite one CustomerScore per customer. Too little data is not an error: the fit
    row then carries the reason and the scores the fallback figures."""
    today = local_today(workspace, now).toordinal()
    contacts, days, amounts = purchase_arrays(workspace=workspace, now=now)
    histories = purchase_histories(contacts, days, amounts, today=today)
    scores = score_customers(histories, today=today)
    with transaction.atomic():
        fit = _save_fit(workspace, now, histories, scores)
        _save_scores(workspace, now, histories, scores)
    return fit


def _save_fit(workspace: Workspace, now: datetime, h: Histories, s: Scores) -> RhythmFit:
    model, spend = s.model, s.spend_model
    values: dict[str, Any] = {
        "fitted_at": now,
        "customers": int(h.contact_ids.size),
        "repeat_customers": int((h.purchase_days > 1).sum()),
        "reason": s.reason[:300],
        "r": model.r if model else None,
        "alpha": model.alpha if model else None,
        "a": model.a if model else None,
        "b": model.b if model else None,
        "log_likelihood": model.log_likelihood if model else None,
        "spend_p": spend.p if spend else None,
        "spend_q": spend.q if spend else None,
        "spend_v": spend.v if spend else None,
        "spend_log_likelihood": spend.log_likelihood if spend else None,
        "spend_reason": s.spend_reason[:300],
    }
    fit, _ = RhythmFit.objects.update_or_create(workspace=workspace, defaults=values)
    return fit


# CustomerScore columns in the order _score_columns produces them.
_SCORE_FIELDS: Final = (
    "workspace", "contact", "computed_at", "model_used", "purchases", "purchase_days",
    "first_purchase_on", "last_purchase_on", "typical_interval_days", "lifetime_spend",
    "spend_12m", "mean_repeat_spend", "p_alive", "expected_30", "expected_365",
    "predicted_value",
)  # fmt: skip


def _score_columns(workspace: Workspace, now: datetime, h: Histories, s: Scores) -> list[Any]:
    """The columns of _SCORE_FIELDS as lists of database values, one element per customer."""
    ops = connection.ops
    n = int(h.contact_ids.size)

    def days(values: Any) -> list[Any]:
        return [ops.adapt_datefield_value(date.fromordinal(d)) for d in values.tolist()]

    def nullable(values: Any) -> list[Any]:
        # NaN (no interval yet, no repeat purchase, no model) is stored as NULL.
        if values is None:
            return [None] * n
        return [None if math.isnan(v) else v for v in values.tolist()]

    used = ModelUsed.BGNBD if s.model else ModelUsed.FALLBACK
    return [
        [workspace.pk] * n, h.contact_ids.tolist(), [ops.adapt_datetimefield_value(now)] * n,
        [used] * n, h.purchases.tolist(), h.purchase_days.tolist(), days(h.first_day),
        days(h.last_day), nullable(h.typical_interval), h.lifetime_spend.round(2).tolist(),
        h.spend_12m.round(2).tolist(), nullable(h.mean_repeat_spend), nullable(s.p_alive),
        nullable(s.expected_30), nullable(s.expected_365), s.predicted_value.round(2).tolist(),
    ]  # fmt: skip


def _save_scores(workspace: Workspace, now: datetime, h: Histories, s: Scores) -> None:
    """Replace the workspace's scores with one DELETE and batched INSERTs.

    A plain executemany rather than bulk_create: the ORM's per-field preparation took 15 s of
    the 17 s that 100,000 scores took to save on SQLite. The values are plain numbers, text and
    dates adapted by the backend, so nothing is lost by skipping it.
    """
    CustomerScore.objects.filter(workspace=workspace).delete()
    meta = CustomerScore._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in _SCORE_FIELDS]
    columns = ", ".join(quote(f.column) for f in fields if isinstance(f, Field) and f.column)
    marks = ", ".join(["%s"] * len(_SCORE_FIELDS))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = zip(*_score_columns(workspace, now, h, s), strict=True)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, BATCH)):
            cursor.executemany(sql, batch)


# ----------------------------------------------------------------------------- tiers


@dataclass(frozen=True)
class TierChange:
    contact_id: int
    before: str
    after: str
    reason: str  # "value", "influence" or "pin"
    note: str


@dataclass
class TierReport:
    """What tiers_assign did: the changes it made and how many customers each tier got by
    value (before pins and the influence rule)."""

    changes: list[TierChange] = field(default_factory=list)
    by_value: dict[str, int] = field(default_factory=dict)


def _cut(n: int, percent: int) -> int:
    """How many of n customers the top `percent` are (half rounds up: 15% of 10 is 2)."""
    return math.floor(n * percent / 100 + 0.5)


def _value_tiers(workspace: Workspace) -> tuple[dict[int, tuple[str, str]], dict[str, int]]:
    """Tier and note by value for every scored customer: top gold_percent gold, next
    silver_percent silver, the rest bronze; a customer predicted to spend nothing is bronze."""
    settings = tier_settings_get(workspace=workspace)
    ranked = (
        CustomerScore.objects.filter(workspace=workspace)
        .order_by("-predicted_value", "-lifetime_spend", "contact_id")
        .values_list("contact_id", "predicted_value")
    )
    ranked_list = list(ranked)
    gold_end = _cut(len(ranked_list), settings.gold_percent)
    silver_end = _cut(len(ranked_list), settings.gold_percent + settings.silver_percent)
    notes = {
        PlanTier.GOLD: f"top {settings.gold_percent}% by predicted 12-month value",
        PlanTier.SILVER: f"next {settings.silver_percent}% by predicted 12-month value",
        PlanTier.BRONZE: "below the top tiers by predicted 12-month value",
    }
    tiers: dict[int, tuple[str, str]] = {}
    counts = dict.fromkeys(PlanTier.values, 0)
    for rank, (contact_id, value) in enumerate(ranked_list):
        tier = PlanTier.GOLD if rank < gold_end else PlanTier.SILVER
        if rank >= silver_end or value <= 0:
            tier = PlanTier.BRONZE
        tiers[contact_id] = (tier, notes[tier])
        counts[tier] += 1
    return tiers, counts


def _target(
    current: str, influence: bool, pinned: str | None, by_value: tuple[str, str] | None
) -> tuple[str, str, str]:
    """(tier, reason, note) for one contact: a pin wins; else value (a contact without
    purchases keeps their tier); an opinion leader is then raised to silver."""
    if pinned:
        return pinned, "pin", "pinned by a person"
    tier, reason, note = current, "", ""
    if by_value is not None:
        tier, reason, note = by_value[0], "value", by_value[1]
    if influence and tier in ("", PlanTier.BRONZE):
        return PlanTier.SILVER, "influence", "opinion leader: kept at silver or above"
    return tier, reason, note


@transaction.atomic
def tiers_assign(*, workspace: Workspace, now: datetime) -> TierReport:
    """Set every contact's tier from value, pins and the influence flag (see _target), write
    the changes with a few bulk UPDATEs, and put each change on the contact's timeline as a
    "tier.changed" event. Run after rhythm_refresh, which computes the values."""
    by_value, counts = _value_tiers(workspace)
    pins = tier_pins_get(workspace=workspace)
    report = TierReport(by_value=counts)
    contacts = Contact.objects.filter(workspace=workspace).values_list("id", "tier", "influence")
    for contact_id, current, influence in contacts.iterator(chunk_size=10_000):
        tier, reason, note = _target(
            current, influence, pins.get(contact_id), by_value.get(contact_id)
        )
        if tier != current:
            report.changes.append(TierChange(contact_id, current, tier, reason, note))
    _apply_changes(workspace, report.changes, now)
    return report


def _apply_changes(workspace: Workspace, changes: Sequence[TierChange], now: datetime) -> None:
    for tier in {c.after for c in changes}:
        ids = [c.contact_id for c in changes if c.after == tier]
        for start in range(0, len(ids), UPDATE_BATCH):
            Contact.objects.filter(pk__in=ids[start : start + UPDATE_BATCH]).update(
                tier=tier, updated_at=now
            )
    _record_changes(workspace, changes, now)


def _record_changes(workspace: Workspace, changes: Sequence[TierChange], now: datetime) -> None:
    """One "tier.changed" event per change, for the timeline. Marked processed: a nightly
    re-ranking that moves hundreds of people must not start playbooks by itself (a business
    that wants a "welcome to gold" touch can pin, or we can lift this later)."""
    day = local_today(workspace, now).isoformat()
    events = [
        Event(
            workspace=workspace,
            contact_id=c.contact_id,
            type=TIER_EVENT,
            source=INSIGHT_SOURCE,
            external_id=f"tier:{c.contact_id}:{day}:{c.after or 'none'}",
            occurred_at=now,
            processed_at=now,
            data={"from": c.before, "to": c.after, "reason": c.reason, "note": c.note},
        )
        for c in changes
    ]
    Event.objects.bulk_create(events, batch_size=BATCH, ignore_conflicts=True)


def insight_refresh(*, workspace: Workspace, now: datetime) -> tuple[RhythmFit, TierReport]:
    """Scores, then tiers from them: the nightly job, and what an import of purchase history
    runs so a new workspace has rhythms and tiers at once."""
    fit = rhythm_refresh(workspace=workspace, now=now)
    return fit, tiers_assign(workspace=workspace, now=now)


def _check_tier(tier: str) -> None:
    if tier not in PlanTier.values:
        raise ValidationError({"tier": [f"One of {', '.join(PlanTier.values)}."]})


@transaction.atomic
def tier_pin_set(
    *, contact: Contact, tier: str, by: User | None, now: datetime | None = None
) -> TierPin:
    """Pin a contact's tier: it applies now and the nightly assignment keeps it."""
    _check_tier(tier)
    now = now or timezone.now()
    pin, _ = TierPin.objects.update_or_create(
        contact=contact,
        defaults={
            "workspace_id": contact.workspace_id,
            "tier": tier,
            "pinned_by": by,
            "pinned_at": now,
        },
    )
    if contact.tier != tier:
        change = TierChange(contact.pk, contact.tier, tier, "pin", "pinned by a person")
        _apply_changes(contact.workspace, [change], now)
        contact.tier = tier
    return pin


def tier_pin_clear(*, contact: Contact) -> bool:
    """Remove the pin; the tier stays until the next assignment. Returns whether one existed."""
    deleted, _ = TierPin.objects.filter(contact=contact).delete()
    return deleted > 0


def tier_settings_update(
    *, workspace: Workspace, gold_percent: int, silver_percent: int
) -> TierSettings:
    """Change the cut-offs (applied at the next assignment)."""
    errors: dict[str, list[str]] = {}
    for name, value in (("gold_percent", gold_percent), ("silver_percent", silver_percent)):
        if not 0 <= value <= 100:
            errors[name] = ["Between 0 and 100."]
    if not errors and gold_percent + silver_percent > 100:
        errors["silver_percent"] = ["Gold and silver together cannot exceed 100%."]
    if errors:
        raise ValidationError(errors)
    settings, _ = TierSettings.objects.update_or_create(
        workspace=workspace,
        defaults={"gold_percent": gold_percent, "silver_percent": silver_percent},
    )
    return settings


def _plan_errors(
    cadence_days: int | None, allowed_touches: Sequence[str] | None, yearly_budget: object
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if cadence_days is not None and not 1 <= cadence_days <= 3650:
        errors["cadence_days"] = ["Between 1 and 3650 days."]
    unknown = [t for t in allowed_touches or () if t not in TOUCHES]
    if unknown:
        errors["allowed_touches"] = [f"Unknown kind of touch “{unknown[0]}”."]
    if yearly_budget is not None:
        try:
            budget = Decimal(str(yearly_budget))
        except InvalidOperation:
            budget = Decimal(-1)
        if not budget.is_finite() or budget < 0:
            errors["yearly_budget"] = ["An amount of 0 or more."]
    return errors


@transaction.atomic
def tier_plan_update(
    *,
    workspace: Workspace,
    tier: str,
    cadence_days: int | None = None,
    allowed_touches: Sequence[str] | None = None,
    yearly_budget: Decimal | str | int | None = None,
) -> TierPlan:
    """Change a tier's plan; None keeps a value. The cadence is written through to the
    workspace's cadence field for that tier, the one the agenda and the engine read."""
    _check_tier(tier)
    errors = _plan_errors(cadence_days, allowed_touches, yearly_budget)
    if errors:
        raise ValidationError(errors)
    current = tier_plans_get(workspace=workspace)[tier]
    plan, _ = TierPlan.objects.update_or_create(
        workspace=workspace,
        tier=tier,
        defaults={
            "allowed_touches": list(
                allowed_touches if allowed_touches is not None else current.allowed_touches
            ),
            "yearly_budget": Decimal(str(yearly_budget))
            if yearly_budget is not None
            else current.yearly_budget,
        },
    )
    if cadence_days is not None:
        name = f"cadence_{tier}_days"
        setattr(workspace, name, cadence_days)
        workspace.save(update_fields=[name])
    return plan
