"""What each customer bought over the years, as the shop's till (and its invoices) saw it.

The story's own sales come first (the bike of the first visit, an accessory now and then); on top
of them a customer may have a rhythm: the club racer who buys tubes and sealant every month, the
commuter's brake pads every quarter, an upgrade twice a year. Some regulars stopped recently (the
at-risk list and the missed-purchase rule find them), lapsed and former customers stopped long
ago. Buyers for a club, a team, a school or a business order on account and pay invoices, mostly
on time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from followthrough.core.facts import purchase_missed
from followthrough.demo import words
from followthrough.demo.profiles import Person, stream
from followthrough.demo.story import SHOP_TZ, Story
from followthrough.people.models import Stage, Tier

FORTNIGHTLY, MONTHLY, QUARTERLY, SEASONAL = "fortnightly", "monthly", "quarterly", "seasonal"
GAPS = {FORTNIGHTLY: 15, MONTHLY: 30, QUARTERLY: 91, SEASONAL: 182}
RHYTHMS = (FORTNIGHTLY, MONTHLY, QUARTERLY, SEASONAL, None)
# Weights of RHYTHMS by tier: the gold clients are the regulars.
RHYTHM_WEIGHTS: dict[str, tuple[int, ...]] = {
    Tier.GOLD: (25, 55, 12, 4, 4), Tier.SILVER: (15, 50, 20, 8, 7),
    Tier.BRONZE: (8, 40, 25, 12, 15), Tier.NONE: (5, 30, 20, 15, 30),
}
# Racers burn through tubes, sealant and gels every other week.
RACING = frozenset({"racing", "triathlon", "cyclocross", "group rides", "road cycling"})
INVOICE_DAYS = 30
LATE_ODDS = 0.06


@dataclass(frozen=True)
class Invoice:
    number: str
    due: date
    paid_at: datetime | None
    live: bool = False  # the payment is recorded through the engine (see morning.py)


@dataclass(frozen=True)
class Sale:
    """One purchase. `live`: recorded through the engine when the book is written."""

    at: datetime
    amount: Decimal
    items: tuple[str, ...]
    live: bool = False
    invoice: Invoice | None = None

    @property
    def day(self) -> date:
        return self.at.astimezone(SHOP_TZ).date()


@dataclass(frozen=True)
class Buying:
    sales: list[Sale]
    last_day: date | None  # the last day they may still buy (their rhythm stops there)


@dataclass(frozen=True)
class BuyerRole:
    """What the agenda needs from this customer's purchases (see plan.LIVE_KINDS)."""

    missed_today: bool = False  # a monthly regular whose rhythm is missed as of today
    late_payment: bool = False  # paid an invoice ten days late yesterday
    late_twice: bool = False  # paid late twice in the last twelve months


def buying_history(
    *, seed: int, person: Person, story: Story, today: date, org_kind: str | None,
    role: BuyerRole = BuyerRole(),  # noqa: B008 -- frozen, so one shared default is safe
) -> Buying:
    """Every purchase of the customer, oldest first; nothing on or after `today`."""
    sales = [Sale(p.at, p.amount, p.items, live=p.live) for p in story.purchases]
    if not sales:
        return Buying([], None)
    core = person.core
    rng = stream(seed, core.index, "buying")
    first = min(sale.day for sale in sales)
    rhythm = _rhythm(rng, person)
    last = _last_day(rng, person, rhythm, sales, today)
    if role.missed_today:
        sales += _missed_today(rng, sales, first, today)
    elif rhythm is not None:
        sales += _regular(rng, rhythm, first, last)
    if org_kind is not None and core.title in words.ORDER_TITLES:
        sales += _orders(rng, core.index, org_kind, first, last, today, role)
    return Buying(sorted(sales, key=lambda s: s.at), last)


def moment(rng: Random, day: date, hours: tuple[int, int] = (10, 18)) -> datetime:
    minute = rng.randrange(hours[0] * 60, hours[1] * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=SHOP_TZ).astimezone(UTC)


def _rhythm(rng: Random, person: Person) -> str | None:
    weights = RHYTHM_WEIGHTS[Tier.GOLD if person.core.influence else person.core.tier]
    rhythm = rng.choices(RHYTHMS, weights)[0]
    if rhythm == FORTNIGHTLY and not RACING & set(person.interests):
        return MONTHLY
    return rhythm


def _last_day(
    rng: Random, person: Person, rhythm: str | None, sales: list[Sale], today: date
) -> date:
    """Lapsed and former customers stopped when it went quiet; a few regular clients stopped
    a couple of their usual gaps ago (drifting away), more often the neglected ones."""
    core = person.core
    if core.stage == Stage.LAPSED and core.ended:
        return core.ended
    if core.stage == Stage.FORMER and core.ended:
        return core.ended - timedelta(days=1)
    yesterday = today - timedelta(days=1)
    odds = 0.35 if core.neglected else 0.15
    if rhythm not in (FORTNIGHTLY, MONTHLY, QUARTERLY) or rng.random() >= odds:
        return yesterday
    stop = today - timedelta(days=round(GAPS[rhythm] * rng.uniform(1.6, 3.0)))
    return stop if stop > max(sale.day for sale in sales) else yesterday


def _basket(rng: Random, rhythm: str) -> tuple[tuple[str, ...], Decimal]:
    if rhythm in (FORTNIGHTLY, MONTHLY):
        picked = rng.sample(words.CONSUMABLES, k=rng.choice((1, 1, 2, 2, 3)))
    elif rhythm == QUARTERLY or rng.random() < 0.5:
        picked = rng.sample(words.PARTS, k=rng.choice((1, 1, 2)))
    else:
        picked = [rng.choice(words.UPGRADES)]
    return tuple(item for item, _ in picked), Decimal(sum(price for _, price in picked))


def _regular(rng: Random, rhythm: str, first: date, last: date) -> list[Sale]:
    gap = GAPS[rhythm] * rng.uniform(0.85, 1.15)
    sales = []
    day = first + timedelta(days=max(7, round(gap * rng.uniform(0.7, 1.3))))
    while day <= last:
        items, amount = _basket(rng, rhythm)
        sales.append(Sale(moment(rng, day), amount, items))
        day += timedelta(days=max(7, round(gap * rng.uniform(0.7, 1.3))))
    return sales


def _missed_today(rng: Random, sales: list[Sale], first: date, today: date) -> list[Sale]:
    """A monthly regular who stopped so that today is the first day the missed-purchase rule
    (more than 1.5 x their usual gap since the last purchase) holds: the engine's tick finds
    them this morning."""
    gap = rng.randint(28, 33)
    story_days = [sale.day for sale in sales]
    for since in sorted(range(gap + gap // 2 - 4, gap + gap // 2 + 6), key=lambda s: abs(s - 47)):
        last = today - timedelta(days=since)
        days = [last - timedelta(days=gap * k) for k in range(40)]
        days = [d for d in days if d > first + timedelta(days=gap // 2)]
        every = story_days + days
        if purchase_missed(every, today=today) and not purchase_missed(
                every, today=today - timedelta(days=1)):
            return [_regular_sale(rng, day) for day in sorted(days)]
    return []


def _regular_sale(rng: Random, day: date) -> Sale:
    items, amount = _basket(rng, MONTHLY)
    return Sale(moment(rng, day), amount, items)


def _orders(
    rng: Random, index: int, kind: str, first: date, last: date, today: date, role: BuyerRole
) -> list[Sale]:
    """Orders on the organization's account every four to eight months, each invoiced with
    thirty days to pay; the agenda's roles force the payments their follow-ups are about."""
    forced = _forced_orders(today, role)
    until = min(last, today - timedelta(days=31), *(day for day, _ in forced))
    plan: list[tuple[date, int | None]] = []
    day = first + timedelta(days=rng.randint(20, 90))
    while day < until - timedelta(days=60):
        plan.append((day, None))
        day += timedelta(days=rng.randint(110, 250))
    plan += forced if last >= today - timedelta(days=1) else []
    on_time = role.late_payment or role.late_twice
    return [_order(rng, index, kind, number, day, late, today, on_time)
            for number, (day, late) in enumerate(plan, start=1)]


def _forced_orders(today: date, role: BuyerRole) -> list[tuple[date, int | None]]:
    """(issue day, days late) of the orders a role is about."""
    if role.late_payment:
        # Issued 41 days ago, due 11 days ago, paid yesterday: ten days late.
        return [(today - timedelta(days=INVOICE_DAYS + 11), 10)]
    if role.late_twice:
        return [(today - timedelta(days=300), 12), (today - timedelta(days=140), 9)]
    return []


def _order(
    rng: Random, index: int, kind: str, number: int, day: date, late: int | None, today: date,
    on_time: bool,
) -> Sale:
    what, low, high = rng.choice(words.ORDERS[kind])
    amount = Decimal(rng.randrange(low // 10, high // 10 + 1) * 10)
    due = day + timedelta(days=INVOICE_DAYS)
    yesterday = today - timedelta(days=1)
    if late is None:
        late = rng.randint(2, 20) if not on_time and rng.random() < LATE_ODDS else None
        # A late payment of the last few days would have had its conversation planned by
        # now: those are the agenda's, so the random ones stay further back.
        if late is not None and due + timedelta(days=late) >= today - timedelta(days=3):
            late = None
    paid = due + timedelta(days=late) if late is not None else due - timedelta(
        days=rng.randint(0, 20))
    paid = max(paid, day + timedelta(days=1))
    live = paid == yesterday and late is not None
    invoice = Invoice(f"SC-{index + 1}{number:02d}", due,
                      moment(rng, paid, (9, 15)) if paid <= yesterday else None, live)
    return Sale(moment(rng, day), amount, (what,), invoice=invoice)
