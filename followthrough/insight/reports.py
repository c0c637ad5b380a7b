"""The figures behind the reports page's charts, aggregated in SQL (GROUP BY per quarter, per
tier, per channel) so a book of 100,000 customers returns a few hundred rows, not millions."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncQuarter

from followthrough.accounts.models import Workspace
from followthrough.activity.models import Direction, FollowUp, Interaction, Status
from followthrough.core.channels import TOUCH_LABELS, TouchChannel
from followthrough.core.facts import PURCHASE
from followthrough.events.models import Event
from followthrough.insight.models import PlanTier
from followthrough.people.models import Contact, Stage, Tier

QUARTERS = 8
ACQUISITION_STAGES = (Stage.LEAD, Stage.PROSPECT)
RESPONSE_DAYS = 14


def quarter_index(moment: datetime) -> int:
    return moment.year * 4 + (moment.month - 1) // 3


def quarter_label(index: int) -> str:
    return f"{index // 4} Q{index % 4 + 1}"


# ----------------------------------------------------------------------------- tiers


@dataclass(frozen=True)
class TierBar:
    tier: str
    label: str
    contacts: int
    value: float  # predicted 12-month value of the tier's customers


def tier_summary(*, workspace: Workspace) -> list[TierBar]:
    """Contacts and predicted 12-month value per tier (gold, silver, bronze, then no tier)."""
    rows = (
        Contact.objects.filter(workspace=workspace)
        .values("tier")
        .annotate(n=Count("id"), value=Sum("customer_score__predicted_value"))
        .values_list("tier", "n", "value")
    )
    found = {tier: (n, value or 0.0) for tier, n, value in rows}
    tiers = [*PlanTier.values, Tier.NONE]
    return [
        TierBar(t, str(Tier(t).label), found.get(t, (0, 0.0))[0], float(found.get(t, (0, 0.0))[1]))
        for t in tiers
    ]


# ----------------------------------------------------------------------------- purchases


def _purchase_quarters(workspace: Workspace, now: datetime) -> list[tuple[int, int, float]]:
    """(contact id, local quarter index, spend) for each quarter a contact bought in."""
    tz = ZoneInfo(workspace.timezone)
    amount = Cast(KeyTextTransform("amount", "data"), FloatField())
    rows = (
        Event.objects.filter(workspace=workspace, type=PURCHASE, occurred_at__lte=now)
        .annotate(quarter=TruncQuarter("occurred_at", tzinfo=tz))
        .values("contact_id", "quarter")
        .annotate(spend=Sum(amount))
        .values_list("contact_id", "quarter", "spend")
        .order_by()
    )
    return [(cid, quarter_index(q.astimezone(tz)), spend or 0.0) for cid, q, spend in rows]


@dataclass(frozen=True)
class Cohort:
    """Customers who first bought in one quarter; shares[k] is the share of them who bought
    k quarters later (shares[0] is 1), None for quarters still to come."""

    label: str
    customers: int
    shares: list[float | None]


def retention_cohorts(
    *, workspace: Workspace, now: datetime, quarters: int = QUARTERS
) -> list[Cohort]:
    """The last `quarters` acquisition quarters (oldest first), each with its retention row."""
    rows = _purchase_quarters(workspace, now)
    first: dict[int, int] = {}
    for cid, quarter, _ in rows:
        first[cid] = min(quarter, first.get(cid, quarter))
    sizes = Counter(first.values())
    active = Counter((first[cid], quarter - first[cid]) for cid, quarter, _ in rows)
    current = quarter_index(now.astimezone(ZoneInfo(workspace.timezone)))
    cohorts = []
    for start in range(current - quarters + 1, current + 1):
        if not sizes[start]:
            continue
        shares: list[float | None] = [
            active[(start, k)] / sizes[start] if start + k <= current else None
            for k in range(quarters)
        ]
        cohorts.append(Cohort(quarter_label(start), sizes[start], shares))
    return cohorts


@dataclass(frozen=True)
class QuarterMoney:
    """One quarter: logged costs on leads and prospects (acquisition) and on everyone else
    (retention), and revenue from customers buying for the first time that quarter (new) or
    who bought in an earlier quarter (returning)."""

    label: str
    acquisition_spend: float
    retention_spend: float
    new_revenue: float
    returning_revenue: float


def spend_and_revenue(
    *, workspace: Workspace, now: datetime, quarters: int = QUARTERS
) -> list[QuarterMoney]:
    """The last `quarters` quarters, oldest first. Spend is split by each contact's stage now,
    so a lead won this year counts as retention for the whole year: the log keeps no stage
    history, and the split answers "what do we spend on the people we already have"."""
    tz = ZoneInfo(workspace.timezone)
    current = quarter_index(now.astimezone(tz))
    shown = range(current - quarters + 1, current + 1)
    spend: dict[tuple[int, bool], float] = defaultdict(float)
    cost_rows = (
        Interaction.objects.filter(workspace=workspace, cost__isnull=False, occurred_at__lte=now)
        .annotate(quarter=TruncQuarter("occurred_at", tzinfo=tz))
        .values("quarter", "contact__stage")
        .annotate(total=Sum("cost"))
        .values_list("quarter", "contact__stage", "total")
        .order_by()
    )
    for quarter, stage, total in cost_rows:
        spend[(quarter_index(quarter.astimezone(tz)), stage in ACQUISITION_STAGES)] += float(total)
    revenue: dict[tuple[int, bool], float] = defaultdict(float)
    rows = _purchase_quarters(workspace, now)
    first: dict[int, int] = {}
    for cid, quarter, _ in rows:
        first[cid] = min(quarter, first.get(cid, quarter))
    for cid, quarter, total in rows:
        revenue[(quarter, quarter == first[cid])] += total
    return [
        QuarterMoney(
            quarter_label(q),
            spend[(q, True)],
            spend[(q, False)],
            revenue[(q, True)],
            revenue[(q, False)],
        )
        for q in shown
    ]


# ----------------------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class ChannelFollowUps:
    """Follow-ups closed on one channel: done, skipped, and done ones that got a response (an
    inbound touch or a purchase within RESPONSE_DAYS)."""

    channel: str
    label: str
    completed: int
    skipped: int
    responded: int

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.completed if self.completed else None


def followups_by_channel(
    *, workspace: Workspace, now: datetime, days: int = 365
) -> list[ChannelFollowUps]:
    """Follow-ups closed in the `days` before `now`, by the channel the touch was made on,
    in the order of core.channels.TouchChannel; channels with none are left out."""
    window = timedelta(days=RESPONSE_DAYS)
    after = {
        "contact_id": OuterRef("contact_id"),
        "occurred_at__gt": OuterRef("completed_at"),
        "occurred_at__lte": OuterRef("completed_at") + window,
    }
    inbound = Interaction.objects.filter(direction=Direction.INBOUND, **after)
    bought = Event.objects.filter(type=PURCHASE, **after)
    responded = Q(status=Status.DONE) & (Exists(inbound) | Exists(bought))
    rows = (
        FollowUp.objects.filter(
            workspace=workspace,
            status__in=(Status.DONE, Status.SKIPPED),
            completed_at__gt=now - timedelta(days=days),
            completed_at__lte=now,
        )
        .annotate(touch=Coalesce(F("interaction__channel"), F("channel")))
        .values("touch")
        .annotate(
            done=Count("id", filter=Q(status=Status.DONE)),
            skipped=Count("id", filter=Q(status=Status.SKIPPED)),
            responded=Count("id", filter=responded),
        )
        .values_list("touch", "done", "skipped", "responded")
        .order_by()
    )
    found = {touch: (done, skipped, responded) for touch, done, skipped, responded in rows}
    return [
        ChannelFollowUps(channel.value, TOUCH_LABELS[channel], *found[channel.value])
        for channel in TouchChannel
        if channel.value in found
    ]
