"""Reads for rhythm and value: purchases as arrays, scores, the missed-purchase candidates, the
at-risk list, tier plans and the budget report."""

import math
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Count, FloatField, Func, Max, Sum
from django.db.models.fields.json import KeyTextTransform

from followthrough.accounts.models import Workspace
from followthrough.activity.models import Interaction
from followthrough.core.channels import TouchChannel
from followthrough.core.facts import PURCHASE, purchase_missed
from followthrough.core.rhythm import BgNbdParams, CustomerRhythm, bgnbd_probability_alive
from followthrough.core.rhythm import customer_rhythm as own_rhythm
from followthrough.events.models import Event
from followthrough.insight.models import (
    CustomerScore,
    PlanTier,
    RhythmFit,
    TierPin,
    TierPlan,
    TierSettings,
)
from followthrough.insight.purchases import local_day_numbers
from followthrough.insight.scoring import finite
from followthrough.people.models import Contact, Stage

FloatArray = npt.NDArray[np.float64]

# The simple rule's factor, also used with the model: more than 1.5 x their usual gap is late
# enough that a person would notice, and not so early that one slow month raises an alarm.
LATE_FACTOR: Final = 1.5
# With the model, a customer with a single gap (too little history for a rhythm of their own)
# counts as missed once they are more likely gone than not.
MISSED_P_ALIVE: Final = 0.5
# Lost rather than late: silent for over a year, or with the model under a 5% chance of still
# being active, or without it more than 4 times their usual gap. A lost customer is a win-back,
# not a missed purchase or an at-risk call; without this limit the first night after importing
# five years of history would put everyone who ever left on the agenda.
LOST_AFTER_DAYS: Final = 365
LOST_P_ALIVE: Final = 0.05
LOST_FACTOR: Final = 4.0


def local_today(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(ZoneInfo(workspace.timezone)).date()


def lost(since: Any, typical: Any, p_alive: Any = None) -> npt.NDArray[np.bool_]:
    """Which customers are lost rather than late (see LOST_AFTER_DAYS), elementwise."""
    days = np.asarray(since, dtype=np.float64)
    gone = days > LOST_AFTER_DAYS
    if p_alive is not None:
        return np.asarray(gone | (np.asarray(p_alive) < LOST_P_ALIVE))
    return np.asarray(gone | (days > LOST_FACTOR * np.asarray(typical, dtype=np.float64)))


# ----------------------------------------------------------------------------- purchases


def _amount(value: object) -> float:
    """An event's amount as a float; NaN when absent or unreadable (it then adds no spend)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value)) if value not in (None, "") else math.nan
    except ValueError:
        return math.nan


class EpochSeconds(Func):
    """Seconds since 1970 (UTC) of a datetime column, computed by the database, so reading two
    million purchases builds no datetime objects in Python. SQLite and PostgreSQL only, the
    two databases Followthrough runs on."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
        return self.as_sql(compiler, connection, template=template, **extra)


def _amounts(values: Sequence[object]) -> FloatArray:
    """Amounts as floats, NaN where absent or unreadable; numpy parses a clean chunk at once."""
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        return np.array([_amount(v) for v in values], dtype=np.float64)


def purchase_arrays(
    *, workspace: Workspace, now: datetime
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Every purchase up to `now` as (contact id, local day number, amount or NaN) arrays.

    Read with a plain cursor in chunks: the ORM's per-row conversions cost more than the
    query itself on two million rows, and compact arrays take a fraction of the memory of
    Python tuples.
    """
    query = (
        Event.objects.filter(workspace=workspace, type=PURCHASE, occurred_at__lte=now)
        .order_by()
        .values_list("contact_id", EpochSeconds("occurred_at"), KeyTextTransform("amount", "data"))
    )
    sql, params = query.query.sql_with_params()
    contacts, seconds, amounts = array("q"), array("d"), []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50_000):
            ids, moments, values = zip(*chunk, strict=True)
            contacts.extend(ids)
            seconds.extend(moments)
            amounts.append(_amounts(values))
    return (
        np.frombuffer(contacts, dtype=np.int64),
        local_day_numbers(np.frombuffer(seconds, dtype=np.float64), ZoneInfo(workspace.timezone)),
        np.concatenate(amounts) if amounts else np.zeros(0),
    )


def contact_purchases(*, contact: Contact, now: datetime) -> list[tuple[date, float]]:
    """One contact's purchases up to `now`: (local day, amount, 0 when unknown), oldest first."""
    tz = ZoneInfo(contact.workspace.timezone)
    rows = (
        Event.objects.filter(contact=contact, type=PURCHASE, occurred_at__lte=now)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "data__amount")
    )
    purchases = []
    for at, amount in rows:
        value = _amount(amount)
        purchases.append((at.astimezone(tz).date(), 0.0 if math.isnan(value) else value))
    return purchases


# ----------------------------------------------------------------------------- the model


def rhythm_fit_get(*, workspace: Workspace) -> RhythmFit | None:
    """The last fit (or the reason there is none); None before the first nightly run."""
    return RhythmFit.objects.filter(workspace=workspace).first()


def fit_params(fit: RhythmFit | None) -> BgNbdParams | None:
    if fit is None or not fit.fitted:
        return None
    assert fit.alpha is not None and fit.a is not None and fit.b is not None  # noqa: S101
    return BgNbdParams(
        r=float(fit.r or 0),
        alpha=fit.alpha,
        a=fit.a,
        b=fit.b,
        log_likelihood=fit.log_likelihood or 0.0,
    )


def p_alive_now(
    params: BgNbdParams, *, purchase_days: Any, first: Any, last: Any, today: int
) -> FloatArray:
    """P(alive) as of `today` (day number) from stored purchase days: it keeps falling every day
    without a purchase, so it is recomputed rather than read from last night's score."""
    first_day = np.asarray(first, dtype=np.float64)
    return finite(
        bgnbd_probability_alive(
            params,
            np.asarray(purchase_days, dtype=np.float64) - 1.0,
            np.asarray(last, dtype=np.float64) - first_day,
            np.maximum(float(today) - first_day, np.asarray(last, dtype=np.float64) - first_day),
        ),
        high=1.0,
    )


@dataclass(frozen=True)
class ContactRhythm:
    """One contact's purchases and rhythm for the contact page (and its chart)."""

    purchases: list[tuple[date, float]]
    rhythm: CustomerRhythm | None
    expected_next: date | None
    p_alive: float | None
    score: CustomerScore | None


def contact_rhythm(*, contact: Contact, now: datetime) -> ContactRhythm:
    """Purchases, their own typical interval, the day the next purchase is due by that
    interval, and the model's P(alive) today (None without a fitted model)."""
    purchases = contact_purchases(contact=contact, now=now)
    if not purchases:
        return ContactRhythm([], None, None, None, None)
    today = local_today(contact.workspace, now)
    rhythm = own_rhythm([day for day, _ in purchases], today=today)
    expected = None
    if rhythm.typical_interval_days is not None:
        expected = purchases[-1][0] + timedelta(days=round(rhythm.typical_interval_days))
    params = fit_params(rhythm_fit_get(workspace=contact.workspace))
    alive = None
    if params is not None:
        days = sorted({day.toordinal() for day, _ in purchases})
        alive = float(
            p_alive_now(
                params,
                purchase_days=len(days),
                first=days[0],
                last=days[-1],
                today=today.toordinal(),
            )
        )
    score = CustomerScore.objects.filter(contact=contact).first()
    return ContactRhythm(purchases, rhythm, expected, alive, score)


# ----------------------------------------------------------------------------- missed purchases


class MissedPurchase(NamedTuple):
    """A regular buyer who missed their rhythm. The last purchase was on local today minus
    `days_since` days. `reason`: "rhythm" (their own rhythm, model fitted), "model" (a short
    history and P(alive) below one half) or "simple_rule" (no model: the fallback)."""

    contact_id: int
    typical_days: float
    days_since: int
    p_alive: float | None
    reason: str


def missed_purchase_candidates(*, workspace: Workspace, now: datetime) -> list[MissedPurchase]:
    """Customers who missed their usual purchase as of `now`, by contact id; former contacts
    and customers already lost (see LOST_AFTER_DAYS) are left out.

    With a fitted model (see RhythmFit): three or more purchase days and more than 1.5 x
    their median gap since the last ("rhythm"), or two purchase days, P(alive) under one half
    and more than their one gap since ("model"). Without one: the simple rule of
    core.facts.purchase_missed on the purchase events themselves ("simple_rule").
    """
    params = fit_params(rhythm_fit_get(workspace=workspace))
    if params is None:
        return _missed_by_simple_rule(workspace, now)
    return _missed_by_model(workspace, now, params)


def _missed_by_simple_rule(workspace: Workspace, now: datetime) -> list[MissedPurchase]:
    tz = ZoneInfo(workspace.timezone)
    today = now.astimezone(tz).date()
    purchases = Event.objects.filter(workspace=workspace, type=PURCHASE, occurred_at__lte=now)
    frequent = (
        purchases.values("contact_id")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .values_list("contact_id", flat=True)
    )
    rows = (
        purchases.filter(contact_id__in=frequent)
        .exclude(contact__stage=Stage.FORMER)
        .values_list("contact_id", "occurred_at")
    )
    days: dict[int, list[date]] = defaultdict(list)
    for contact_id, at in rows.iterator(chunk_size=5000):
        days[contact_id].append(at.astimezone(tz).date())
    found = []
    for contact_id in sorted(days):
        missed = purchase_missed(days[contact_id], today=today, factor=LATE_FACTOR)
        if missed and not lost(missed[1], missed[0]):
            typical, since = missed
            found.append(MissedPurchase(contact_id, typical, since, None, "simple_rule"))
    return found


@dataclass(frozen=True)
class _Scored:
    """Last night's scores of repeat buyers (two purchase days or more) as arrays, with the
    days since the last purchase as of today."""

    ids: npt.NDArray[np.int64]
    purchase_days: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]
    gap: FloatArray
    spend: FloatArray
    since: npt.NDArray[np.int64]

    def p_alive(self, params: BgNbdParams, today: int) -> FloatArray:
        return p_alive_now(
            params,
            purchase_days=self.purchase_days,
            first=self.first,
            last=self.last,
            today=today,
        )


def _scored(workspace: Workspace, today: int) -> _Scored | None:
    rows = list(
        CustomerScore.objects.filter(workspace=workspace, purchase_days__gte=2)
        .exclude(contact__stage=Stage.FORMER)
        .order_by("contact_id")
        .values_list(
            "contact_id",
            "purchase_days",
            "first_purchase_on",
            "last_purchase_on",
            "typical_interval_days",
            "lifetime_spend",
        )
    )
    if not rows:
        return None
    ids, n_days, first, last, typical, spend = zip(*rows, strict=True)
    last_n = np.array([d.toordinal() for d in last], dtype=np.int64)
    return _Scored(
        ids=np.array(ids, dtype=np.int64),
        purchase_days=np.array(n_days, dtype=np.int64),
        first=np.array([d.toordinal() for d in first], dtype=np.int64),
        last=last_n,
        gap=np.array(typical, dtype=np.float64),
        spend=np.array(spend, dtype=np.float64),
        since=today - last_n,
    )


def _bought_since(workspace: Workspace, now: datetime, last_day: dict[int, int]) -> set[int]:
    """Of these contacts (id -> last purchase day in the scores), those who bought after it:
    the scores are last night's, a purchase this morning is not in them."""
    tz = ZoneInfo(workspace.timezone)
    newer: set[int] = set()
    ids = list(last_day)
    for start in range(0, len(ids), 500):
        rows = (
            Event.objects.filter(
                contact_id__in=ids[start : start + 500], type=PURCHASE, occurred_at__lte=now
            )
            .values("contact_id")
            .annotate(last=Max("occurred_at"))
            .values_list("contact_id", "last")
        )
        newer |= {cid for cid, at in rows if at.astimezone(tz).toordinal() > last_day[cid]}
    return newer


def _missed_by_model(
    workspace: Workspace, now: datetime, params: BgNbdParams
) -> list[MissedPurchase]:
    today = local_today(workspace, now).toordinal()
    s = _scored(workspace, today)
    if s is None:
        return []
    alive = s.p_alive(params, today)
    late = ~lost(s.since, s.gap, alive)
    own = late & (s.purchase_days >= 3) & (s.since > LATE_FACTOR * s.gap)
    short = late & (s.purchase_days == 2) & (alive < MISSED_P_ALIVE) & (s.since > s.gap)
    picked = np.flatnonzero(own | short).tolist()
    stale = _bought_since(workspace, now, {int(s.ids[i]): int(s.last[i]) for i in picked})
    return [
        MissedPurchase(
            int(s.ids[i]),
            float(s.gap[i]),
            int(s.since[i]),
            float(alive[i]),
            "rhythm" if own[i] else "model",
        )
        for i in picked
        if int(s.ids[i]) not in stale
    ]


# ----------------------------------------------------------------------------- at risk


@dataclass(frozen=True)
class AtRisk:
    """A customer drifting away. `value_at_risk` = yearly value × risk, where risk is
    1 − P(alive) with the model, else 1 − usual gap / days since (own rhythm only)."""

    contact_id: int
    name: str
    tier: str
    yearly_value: float
    value_at_risk: float
    typical_days: float
    days_since: int
    p_alive: float | None
    sentence: str

    @property
    def purpose(self) -> str:
        """The purpose of the one-click follow-up (origin "rhythm")."""
        return f"Check in with {self.name}: {self.sentence}"[:300]


def _percent(share: float) -> str:
    if 0 < share < 0.01:
        return "less than 1%"
    return f"{round(share * 100)}%"


def _days(value: float) -> str:
    days = round(value)
    return "1 day" if days == 1 else f"{days} days"


def at_risk_sentence(
    *, purchase_days: int, typical_days: float, days_since: int, p_alive: float | None
) -> str:
    """ "usually buys every 31 days; 58 days since the last purchase; 34% chance still active"."""
    if purchase_days >= 3:
        rhythm = f"usually buys every {_days(typical_days)}"
    else:
        rhythm = f"bought twice, {_days(typical_days)} apart"
    parts = [rhythm, f"{_days(days_since)} since the last purchase"]
    if p_alive is not None:
        parts.append(f"{_percent(p_alive)} chance still active")
    elif typical_days > 0:
        parts.append(f"{days_since / typical_days:.1f} times their usual gap")
    return "; ".join(parts)


def at_risk_list(*, workspace: Workspace, now: datetime, limit: int = 50) -> list[AtRisk]:
    """Customers past their usual gap and not yet lost (see LOST_AFTER_DAYS), most value at
    risk first; former contacts are left out.

    Yearly value is lifetime spend per year since the first purchase (a customer of a few
    months is not extrapolated to a year). Reads last night's scores for the history and
    recomputes the days since and P(alive) as of `now`.
    """
    today = local_today(workspace, now).toordinal()
    s = _scored(workspace, today)
    if s is None:
        return []
    yearly = s.spend * 365.0 / np.maximum(today - s.first, 365)
    params = fit_params(rhythm_fit_get(workspace=workspace))
    alive = s.p_alive(params, today) if params is not None else None
    risk = 1.0 - (alive if alive is not None else s.gap / np.maximum(s.since, 1))
    drifting = (s.since > s.gap) & ~lost(s.since, s.gap, alive) & (risk > 0)
    value = np.where(drifting, yearly * risk, -1.0)
    # A few spare places for those who bought since the scores were computed.
    order = [
        i for i in np.argsort(-value, kind="stable")[: 2 * limit + 20].tolist() if value[i] >= 0
    ]
    stale = _bought_since(workspace, now, {int(s.ids[i]): int(s.last[i]) for i in order})
    top = [i for i in order if int(s.ids[i]) not in stale][:limit]
    people = Contact.objects.in_bulk([int(s.ids[i]) for i in top])
    return [
        AtRisk(
            contact_id=int(s.ids[i]),
            name=people[int(s.ids[i])].name,
            tier=people[int(s.ids[i])].tier,
            yearly_value=float(yearly[i]),
            value_at_risk=float(value[i]),
            typical_days=float(s.gap[i]),
            days_since=int(s.since[i]),
            p_alive=None if alive is None else float(alive[i]),
            sentence=at_risk_sentence(
                purchase_days=int(s.purchase_days[i]),
                typical_days=float(s.gap[i]),
                days_since=int(s.since[i]),
                p_alive=None if alive is None else float(alive[i]),
            ),
        )
        for i in top
        if int(s.ids[i]) in people
    ]


# ----------------------------------------------------------------------------- tiers and plans

DEFAULT_PLANS: Final[dict[str, tuple[tuple[TouchChannel, ...], Decimal]]] = {
    # Placeholders a business edits: the sources ask for a plan and a budget per tier, and
    # for personal touches (calls, notes, lunches) where the value justifies them.
    PlanTier.GOLD: (
        (
            TouchChannel.CALL,
            TouchChannel.MEETING,
            TouchChannel.NOTE,
            TouchChannel.CARD,
            TouchChannel.GIFT,
            TouchChannel.EVENT,
            TouchChannel.EMAIL,
            TouchChannel.LETTER,
        ),
        Decimal(300),
    ),
    PlanTier.SILVER: (
        (
            TouchChannel.CALL,
            TouchChannel.NOTE,
            TouchChannel.CARD,
            TouchChannel.EMAIL,
            TouchChannel.LETTER,
        ),
        Decimal(100),
    ),
    PlanTier.BRONZE: ((TouchChannel.EMAIL, TouchChannel.CARD), Decimal(25)),
}


@dataclass(frozen=True)
class PlanView:
    """A tier's plan: cadence (from the Workspace fields), allowed touches, yearly budget."""

    tier: str
    cadence_days: int
    allowed_touches: tuple[str, ...]
    yearly_budget: Decimal


def tier_settings_get(*, workspace: Workspace) -> TierSettings:
    """The workspace's tier cut-offs; an unsaved default (10% gold, 30% silver) without a row."""
    return TierSettings.objects.filter(workspace=workspace).first() or TierSettings(
        workspace=workspace
    )


def tier_plans_get(*, workspace: Workspace) -> dict[str, PlanView]:
    """The plan of each tier (gold, silver, bronze), defaults where none was saved."""
    saved = {p.tier: p for p in TierPlan.objects.filter(workspace=workspace)}
    plans = {}
    for tier in PlanTier.values:
        touches, budget = DEFAULT_PLANS[tier]
        plan = saved.get(tier)
        plans[tier] = PlanView(
            tier=tier,
            cadence_days=workspace.cadence_days(tier),
            allowed_touches=tuple(plan.allowed_touches) if plan else tuple(touches),
            yearly_budget=plan.yearly_budget if plan else budget,
        )
    return plans


def tier_pins_get(*, workspace: Workspace) -> dict[int, str]:
    """Pinned tiers by contact id."""
    return dict(TierPin.objects.filter(workspace=workspace).values_list("contact_id", "tier"))


@dataclass(frozen=True)
class OverBudget:
    contact_id: int
    name: str
    spend: Decimal
    budget: Decimal


@dataclass(frozen=True)
class TierBudget:
    """One tier's year: its contacts now, their budget, what was spent on them (logged costs)."""

    tier: str
    contacts: int
    budget_per_contact: Decimal
    budget: Decimal
    spend: Decimal
    over_budget: list[OverBudget]


@dataclass(frozen=True)
class BudgetReport:
    year: int
    tiers: list[TierBudget]
    untiered_spend: Decimal


def _year_bounds(workspace: Workspace, year: int) -> tuple[datetime, datetime]:
    tz = ZoneInfo(workspace.timezone)
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def plan_budget_report(*, workspace: Workspace, year: int) -> BudgetReport:
    """Budget against actual spend per tier for a calendar year in the workspace's time zone.

    Contacts count in their tier as it is now (a contact promoted in June counts as gold for
    the whole year). Spend is the sum of Interaction.cost; a contact is over budget when their
    own spend exceeds their tier's yearly budget.
    """
    start, end = _year_bounds(workspace, year)
    spend_rows = (
        Interaction.objects.filter(
            workspace=workspace, occurred_at__gte=start, occurred_at__lt=end, cost__isnull=False
        )
        .values("contact_id", "contact__tier")
        .annotate(spend=Sum("cost"))
        .values_list("contact_id", "contact__tier", "spend")
    )
    by_tier: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for contact_id, tier, spend in spend_rows:
        by_tier[tier].append((contact_id, spend))
    counts = dict(
        Contact.objects.filter(workspace=workspace)
        .values("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    plans = tier_plans_get(workspace=workspace)
    tiers = [_tier_budget(plans[t], counts.get(t, 0), by_tier.get(t, [])) for t in PlanTier.values]
    untiered = sum(
        (s for tier, rows in by_tier.items() if tier not in PlanTier.values for _, s in rows),
        Decimal(0),
    )
    return BudgetReport(year=year, tiers=tiers, untiered_spend=untiered)


def _tier_budget(plan: PlanView, contacts: int, spends: list[tuple[int, Decimal]]) -> TierBudget:
    over = sorted(((cid, s) for cid, s in spends if s > plan.yearly_budget), key=lambda r: -r[1])
    names = Contact.objects.in_bulk([cid for cid, _ in over])
    return TierBudget(
        tier=plan.tier,
        contacts=contacts,
        budget_per_contact=plan.yearly_budget,
        budget=plan.yearly_budget * contacts,
        spend=sum((s for _, s in spends), Decimal(0)),
        over_budget=[OverBudget(cid, names[cid].name, s, plan.yearly_budget) for cid, s in over],
    )


TIER_CHANGED: Final = "tier.changed"  # services.TIER_EVENT (services import this module)


@dataclass(frozen=True)
class TierDecision:
    """How a contact's tier was decided, for the contact page. `how`: "pin" (a person pinned
    it; `pin` is set while the pin holds), "value" or "influence" (the nightly assignment;
    `note` says which share or rule), or "" (set on the contact by hand, or no tier)."""

    how: str
    note: str
    pin: TierPin | None
    decided_at: datetime | None


def _value_note(workspace: Workspace, tier: str) -> str:
    """Why value gives `tier`, in the words of services._value_tiers."""
    settings = tier_settings_get(workspace=workspace)
    notes: dict[str, str] = {
        PlanTier.GOLD: f"top {settings.gold_percent}% by predicted 12-month value",
        PlanTier.SILVER: f"next {settings.silver_percent}% by predicted 12-month value",
        PlanTier.BRONZE: "below the top tiers by predicted 12-month value",
    }
    return notes.get(tier, "")


def tier_decision_get(*, contact: Contact) -> TierDecision:
    """The pin if there is one; else the last tier change when it led to the tier they have;
    else, for a scored customer, value: the assignment found their tier right and changed
    nothing (so left no event)."""
    pin = TierPin.objects.filter(contact=contact).select_related("pinned_by").first()
    if pin is not None:
        return TierDecision("pin", "pinned by a person", pin, pin.pinned_at)
    last = (
        Event.objects.filter(contact=contact, type=TIER_CHANGED)
        .order_by("-occurred_at", "-id")
        .first()
    )
    if last is not None and last.data.get("to") == contact.tier:
        data = last.data
        return TierDecision(str(data.get("reason") or ""), str(data.get("note") or ""), None,
                            last.occurred_at)  # fmt: skip
    score = CustomerScore.objects.filter(contact=contact).only("computed_at").first()
    if score is not None and contact.influence and contact.tier == PlanTier.SILVER:
        # Silver by value or raised to it: either way the rule keeps them there.
        return TierDecision("influence", "opinion leader: kept at silver or above", None,
                            score.computed_at)  # fmt: skip
    if score is not None and contact.tier:
        note = _value_note(contact.workspace, contact.tier)
        return TierDecision("value", note, None, score.computed_at)
    return TierDecision("", "", None, None)
