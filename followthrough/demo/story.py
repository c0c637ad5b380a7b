"""A contact's years with the shop: the touches we logged and the follow-ups we planned.

Stories follow the field notes: a lead gets a reply the same day and is nurtured at three and six
months instead of being dropped; a bike sale is followed by a handwritten note after a week and a
call after two; clients come in for tune-ups, ask questions, ride with the shop; gold clients get
birthday cards; some clients are quietly forgotten. Nothing happens on or after the demo's "today":
the morning starts with the log up to yesterday evening and the follow-ups the agenda shows.

A story also records what the contact bought at the counter and their service visits (the events
of ledger.py), and the events of the last days that the engine itself evaluates (morning.py):
the agenda follow-ups about those are the engine's, not the story's.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followthrough.activity.models import Direction, Origin, Status
from followthrough.core.cadence import DEFAULT_CADENCE_DAYS
from followthrough.core.channels import TouchChannel
from followthrough.core.scheduling import choose_channel, next_slot
from followthrough.demo import words
from followthrough.demo.plan import BIRTHDAY_LEAD_DAYS, Role, slot_on
from followthrough.demo.profiles import HISTORY_DAYS, SALES, SERVICE, ImportantDay, Person, stream
from followthrough.people.models import DateKind, Source, Stage, Tier

if TYPE_CHECKING:
    from followthrough.demo.buying import Sale

T = TouchChannel
OUT, IN = Direction.OUTBOUND, Direction.INBOUND
SHOP_TZ = ZoneInfo(words.SHOP_TIMEZONE)
# Mean days between keep-in-touch moments, by tier: gold clients hear from us about monthly.
INTERVAL: dict[str, int] = {Tier.GOLD: 16, Tier.SILVER: 38, Tier.BRONZE: 75, Tier.NONE: 150}
NOTE_COST, CARD_COST = Decimal("2.50"), Decimal("3.75")
# Coffee and snacks per rider at a shop ride or clinic: what keeping in touch at events costs.
EVENT_COST = Decimal("6.00")
PAID_CHANNELS = (T.NOTE, T.CARD, T.GIFT, T.LETTER)


@dataclass(frozen=True)
class FollowUpPlan:
    due_at: datetime
    purpose: str
    channel: str
    origin: str
    status: str
    created_at: datetime
    by: str
    completed_at: datetime | None = None
    skip_reason: str = ""
    snooze_count: int = 0
    # Planned by the engine: the run (and so the event) and the playbook step behind it.
    run: "RunPlan | None" = None
    step_index: int | None = None


@dataclass(frozen=True, eq=False)  # compared by identity: rows are matched to their ids
class RunPlan:
    """A playbook run started by one of the customer's purchases."""

    trigger: "Sale"
    started_at: datetime
    held_out: bool


@dataclass(frozen=True)
class TouchPlan:
    at: datetime
    channel: str
    direction: str
    summary: str
    by: str
    needs: str = ""
    next_approach: str = ""
    cost: Decimal | None = None
    followup: FollowUpPlan | None = None  # the planned follow-up this touch completed


@dataclass(frozen=True)
class PurchasePlan:
    """Something they bought at the counter (a bike, an accessory). `live`: the purchase is
    recorded through the engine when the book is written (a sale of the last few days)."""

    at: datetime
    amount: Decimal
    items: tuple[str, ...]
    live: bool = False


@dataclass(frozen=True)
class ServicePlan:
    at: datetime
    note: str
    amount: Decimal


@dataclass(frozen=True)
class LivePlan:
    """An event of the last weeks recorded through the engine, which plans its follow-ups."""

    at: datetime
    type: str
    data: dict[str, str]


@dataclass
class Story:
    touches: list[TouchPlan] = field(default_factory=list)
    # Skipped and still pending follow-ups; the done ones hang off the touch that completed them.
    followups: list[FollowUpPlan] = field(default_factory=list)
    purchases: list[PurchasePlan] = field(default_factory=list)
    services: list[ServicePlan] = field(default_factory=list)
    live: list[LivePlan] = field(default_factory=list)
    # The last day of the history the shop wrote on its own initiative: a playbook touch after
    # it would break what the agenda follow-up is about (a neglected client, a cadence running
    # out today), so later playbook follow-ups are skipped instead.
    touch_limit: date | None = None


class _Writer:
    """Writes one story on the contact's calendar: nothing after `limit`, never on `today`."""

    def __init__(self, rng: random.Random, person: Person, today: date) -> None:
        self.rng, self.person, self.core = rng, person, person.core
        self.today = today
        self.today_start = datetime.combine(today, time(0), tzinfo=SHOP_TZ).astimezone(UTC)
        self.first_day = today - timedelta(days=HISTORY_DAYS)
        self.limit = today - timedelta(days=1)
        self.joined = person.core.joined
        self.until: date | None = None  # set by a scene that needs the history to stop early
        self.first_buy: date | None = None  # set by a scene about their first purchase
        self.live_sale: date | None = None  # the day of a sale recorded through the engine
        self.story = Story()

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def moment(self, day: date, hours: tuple[int, int] = (10, 18)) -> datetime:
        minute = self.rng.randrange(hours[0] * 60, hours[1] * 60)
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=SHOP_TZ)
        return local.astimezone(UTC)

    def writable(self, day: date) -> bool:
        return self.first_day <= day <= self.limit and day < self.today

    def channel(self, requested: TouchChannel) -> TouchChannel | None:
        return choose_channel(requested, self.core.prefs)

    @property
    def bike(self) -> str:
        return self.rng.choice(words.BIKES[self.person.interest])

    @property
    def cadence(self) -> int:
        return self.person.cadence_days or DEFAULT_CADENCE_DAYS[self.core.tier]

    def latest(self) -> datetime | None:
        return max((t.at for t in self.story.touches), default=None)

    def log(self, day: date, channel: TouchChannel, summary: str, *, direction: str = OUT,
            by: str | None = None, needs: str = "", next_approach: str = "",
            cost: Decimal | None = None, hours: tuple[int, int] = (10, 18)) -> datetime | None:
        if not self.writable(day):
            return None
        at = self.moment(day, hours)
        self.story.touches.append(TouchPlan(
            at=at, channel=channel, direction=direction, summary=summary,
            by=by or self.core.owner, needs=needs, next_approach=next_approach, cost=cost,
        ))
        return at

    def reach_out(self, day: date, requested: TouchChannel, summary: str, *,
                  purpose: str = "", origin: str = Origin.MANUAL, by: str | None = None,
                  needs: str = "", next_approach: str = "", cost: Decimal | None = None,
                  after: datetime | None = None) -> None:
        """An outbound touch on a channel the contact accepts. With a purpose, it completed a
        follow-up planned for `day` (at the contact's first acceptable slot that day, or after
        `after`)."""
        channel = self.channel(requested)
        if channel is None or not self.writable(day):
            return
        cost = cost if channel in PAID_CHANNELS else None
        if not purpose:
            self.log(day, channel, summary, by=by, needs=needs, next_approach=next_approach,
                     cost=cost)
            return
        due_at = slot_on(day, self.core) if after is None else next_slot(
            after=after, prefs=self.core.prefs)
        if due_at >= self.today_start:
            return
        at = due_at + timedelta(minutes=self.rng.randint(0, 240))
        at = at if at < self.today_start else due_at
        staff = by or self.core.owner
        planned = FollowUpPlan(
            due_at=due_at, purpose=purpose, channel=channel, origin=origin, status=Status.DONE,
            created_at=self.planned_at(due_at), by=staff, completed_at=at,
        )
        self.story.touches.append(TouchPlan(
            at=at, channel=channel, direction=OUT, summary=summary, by=staff, needs=needs,
            next_approach=next_approach, cost=cost, followup=planned,
        ))

    def skip(self, day: date, requested: TouchChannel, purpose: str, *,
             origin: str = Origin.PLAYBOOK, reason: str = "") -> None:
        channel = self.channel(requested)
        if channel is None or not self.writable(day):
            return
        due_at = slot_on(day, self.core)
        if due_at >= self.today_start:
            return
        self.story.followups.append(FollowUpPlan(
            due_at=due_at, purpose=purpose, channel=channel, origin=origin,
            status=Status.SKIPPED, created_at=self.planned_at(due_at), by=self.core.owner,
            completed_at=min(due_at + self.days(0, 3), self.today_start - timedelta(hours=1)),
            skip_reason=reason or self.rng.choice(words.SKIP_REASONS),
        ))

    def pending(self, due_at: datetime, requested: TouchChannel, purpose: str, *,
                origin: str, status: str = Status.OPEN, snooze_count: int = 0) -> None:
        channel = self.channel(requested)
        if channel is None:
            return
        self.story.followups.append(FollowUpPlan(
            due_at=due_at, purpose=purpose, channel=channel, origin=origin, status=status,
            created_at=self.planned_at(due_at), by=self.core.owner, snooze_count=snooze_count,
        ))

    def planned_at(self, due_at: datetime) -> datetime:
        """Follow-ups are planned a few days to weeks ahead, and never after this morning."""
        planned = due_at - self.days(2, 20)
        return min(planned, self.today_start - timedelta(minutes=self.rng.randint(30, 600)))


Step = Callable[[_Writer, Role], None]


def build_story(*, seed: int, person: Person, role: Role | None, today: date) -> Story:
    """The contact's log and follow-ups. `role` is the agenda follow-up planned for them, if any;
    the history leads up to it (and may move when they joined, or their birthday)."""
    w = _Writer(stream(seed, person.core.index, "story"), person, today)
    if role is not None and role.kind in _SETUPS:
        _SETUPS[role.kind](w, role)
    w.limit = _history_until(w, role)
    w.story.touch_limit = w.limit
    _HISTORIES[person.core.stage](w)
    w.limit = today - timedelta(days=1)
    if person.core.stage in _EPILOGUES:
        _EPILOGUES[person.core.stage](w)
    if role is not None:
        _SCENES[role.kind](w, role)
    else:
        _later(w)
    return w.story


def _history_until(w: _Writer, role: Role | None) -> date:
    core = w.core
    until = core.ended or w.today - timedelta(days=1)
    if w.until is not None:
        until = min(until, w.until)
    if core.neglected:
        until = min(until, w.today - timedelta(days=w.cadence + w.rng.randint(8, 160)))
    if role is not None:
        until = min(until, role.day - timedelta(days=_QUIET_BEFORE.get(role.kind, 1)))
        if role.kind == "checkin" and not core.neglected:
            # The check-in is due because their cadence runs out on that day.
            until = min(until, role.day - timedelta(days=w.cadence - w.rng.randint(0, 4)))
    return until


# Days without any touch before the follow-up is due, so that the story leads up to it.
_QUIET_BEFORE = {"call_14d": 15, "note_7d": 8, "web_form_reply": 2,
                 "quote_followup": 20, "test_ride_followup": 20}


# -- the first contact ---------------------------------------------------------------------
def _first_contact(w: _Writer, day: date) -> None:
    interest, source = w.person.interest, w.core.source
    if source == Source.IMPORT or not w.writable(day):
        return
    openings: dict[str, tuple[str, TouchChannel, str]] = {
        Source.WALK_IN: (f"Walked in asking about {interest}; test-rode a {w.bike}", T.MEETING, IN),
        Source.WEB_FORM: (f"Web form: asked about {interest} options and prices", T.EMAIL, IN),
        Source.REFERRAL: (f"Called on a friend's recommendation, interested in {interest}",
                          T.CALL, IN),
        Source.EVENT: (f"Met at the {w.rng.choice(words.EVENTS)}; talked {interest}", T.EVENT, OUT),
        Source.CALL: (f"Called to ask about {interest} bikes in stock", T.CALL, IN),
        Source.EMAIL: (f"Emailed asking about {interest}", T.EMAIL, IN),
    }
    text, channel, direction = openings.get(
        source, (f"Stopped by to ask about {interest}", T.MEETING, IN))
    hours = (9, 21) if channel == T.EMAIL else (10, 18)
    at = w.log(day, channel, text, direction=direction, hours=hours)
    if at is not None and direction == IN and channel != T.MEETING:
        # The new-lead playbook: a reply the same business day, in a slot they accept.
        w.reach_out(day, T.EMAIL if channel == T.EMAIL else T.CALL,
                    f"Replied with two {interest} options and test-ride times",
                    purpose="Same-day reply to a new lead", origin=Origin.PLAYBOOK, by=SALES,
                    after=at)


# -- leads and prospects -------------------------------------------------------------------
def _lead_history(w: _Writer) -> None:
    if w.core.source == Source.IMPORT:
        return
    _first_contact(w, w.joined)
    for months, day in ((3, w.joined + timedelta(days=91)), (6, w.joined + timedelta(days=182))):
        if day > w.limit:
            return
        _nurture(w, day, months)
    day = w.joined + timedelta(days=182)
    while (day := day + w.days(90, 200)) <= w.limit:
        event = w.rng.choice(words.EVENTS)
        w.reach_out(day, T.EMAIL, f"Invited to the {event}", purpose="Keep in touch: invite",
                    origin=Origin.CADENCE)


def _nurture(w: _Writer, day: date, months: int) -> None:
    purpose = f"{months}-month check-in (not ready then; never drop a lead)"
    if w.rng.random() < 0.15:
        w.skip(day, T.CALL, purpose, reason="Left a voicemail; will try again next season.")
        return
    w.reach_out(
        day, T.CALL, f"Checked in: still thinking about a {w.bike}; wants to wait for spring",
        purpose=purpose, origin=Origin.PLAYBOOK, needs=f"Budget and {w.person.interest} use",
        next_approach="Send the new model-year lineup; offer a weekend test ride",
    )


def _test_ride(w: _Writer, day: date, bike: str) -> None:
    w.log(day, T.MEETING, f"Test ride on a {bike}; measured for fit", direction=IN, by=SALES,
          needs=f"Rides {w.person.interest}; {w.rng.choice(words.NEEDS)}",
          next_approach="Send a written quote with the fit notes")


def _prospect_history(w: _Writer) -> None:
    ride, bike = w.joined + w.days(1, 6), w.bike
    _first_contact(w, w.joined)
    _test_ride(w, ride, bike)
    w.reach_out(ride + timedelta(days=2), T.EMAIL, f"Sent the quote for the {bike}",
                purpose="Send the quote", by=SALES)
    w.reach_out(ride + timedelta(days=9), T.CALL, "Not ready this month; revisit in 3 months",
                purpose="Follow up on the quote", next_approach="Revisit in three months")
    day = ride + timedelta(days=9)
    while (day := day + w.days(80, 100)) <= w.limit:
        w.reach_out(day, T.CALL, "Revisit: still deciding, asked about financing",
                    purpose="Revisit (not ready then)", origin=Origin.PLAYBOOK)


# -- clients -------------------------------------------------------------------------------
def _client_history(w: _Writer) -> None:
    first_buy = w.joined if w.core.source == Source.WALK_IN else w.joined + w.days(2, 20)
    first_buy = w.first_buy or first_buy
    _first_contact(w, w.joined)
    if first_buy > w.limit:
        return
    _purchase(w, first_buy, first=True)
    day = first_buy + timedelta(days=30)
    interval = INTERVAL[w.core.tier] * (0.6 if w.core.influence else 1.0)
    while (day := day + timedelta(days=int(w.rng.expovariate(1 / interval)) + 7)) <= w.limit:
        _keep_in_touch(w, day)
    _birthday_cards(w, first_buy)
    if w.core.stage == Stage.CLIENT and not w.core.neglected:
        _touch_within_cadence(w)


def _sale(w: _Writer, day: date, bike: str, *, first: bool) -> None:
    fit = w.rng.choice(("saddle height set", "full fit session", "swapped the stem",
                        "fitted pedals and cages"))
    at = w.log(day, T.MEETING, f"{'Bought' if first else 'Bought another bike:'} a {bike}; {fit}",
               direction=IN, by=w.rng.choice((w.core.owner, SALES)),
               needs=f"Rides mostly {w.person.interest}",
               next_approach="Note after a week, call after two")
    if at is not None:
        w.story.purchases.append(PurchasePlan(at, _price(w, w.person.interest), (bike,),
                                              live=day == w.live_sale))


def _price(w: _Writer, interest: str) -> Decimal:
    """A shop price: $2,899, $1,449."""
    low, high = words.BIKE_PRICES[interest]
    return Decimal(w.rng.randrange(low // 50, high // 50 + 1) * 50 - 1)


def _thank_you_note(w: _Writer, day: date, bike: str) -> None:
    w.reach_out(day, T.NOTE, f"Handwritten thank-you note for the {bike}",
                purpose="Handwritten thank-you note a week after the sale",
                origin=Origin.PLAYBOOK, cost=NOTE_COST)


def _purchase(w: _Writer, day: date, *, first: bool) -> None:
    """A bike sale and the after-sale playbook of the field notes: note at +7 days, call at
    +14, and for a first bike a check-in after three months."""
    bike = w.bike
    _sale(w, day, bike, first=first)
    if w.rng.random() < 0.85:
        _thank_you_note(w, day + timedelta(days=7), bike)
    else:
        w.skip(day + timedelta(days=7), T.NOTE, "Handwritten thank-you note a week after the sale")
    w.reach_out(day + timedelta(days=14), T.CALL,
                f"Two-week check-in: loves the {bike}; {w.rng.choice(words.AFTER_SALE)}",
                purpose="Two-week check-in: how is the new bike riding?", origin=Origin.PLAYBOOK)
    if first:
        share = w.rng.choice(words.SHARES[w.person.interest])
        w.reach_out(day + timedelta(days=91), T.EMAIL, f"Three-month check-in; shared {share}",
                    purpose="Three-month check-in", origin=Origin.PLAYBOOK)


def _keep_in_touch(w: _Writer, day: date) -> None:
    roll = w.rng.random()
    if roll < 0.24:
        job, price = w.rng.choice(words.SERVICE_JOBS)
        at = w.log(day, T.MEETING, job, direction=IN, by=SERVICE)
        if at is not None:
            w.story.services.append(ServicePlan(at, job, Decimal(price)))
    elif roll < 0.42:
        w.log(day, w.rng.choice((T.TEXT, T.EMAIL, T.CALL)), w.rng.choice(words.INBOUND_QUESTIONS),
              direction=IN, hours=(8, 21))
    elif roll < 0.62:
        share = _something_to_share(w)
        purpose = f"Share {share}" if w.rng.random() < 0.3 else ""
        w.reach_out(day, T.EMAIL, f"Shared {share}", purpose=purpose)
    elif roll < 0.74:
        w.log(day, T.EVENT, f"Came to the {w.rng.choice(words.EVENTS)}", direction=IN,
              cost=EVENT_COST)
    elif roll < 0.86:
        w.reach_out(day, T.CALL, w.rng.choice(words.CHECKINS), purpose="Keep in touch",
                    origin=Origin.CADENCE)
    elif roll < 0.95:
        item, low, high = w.rng.choice(words.ACCESSORIES)
        at = w.log(day, T.MEETING, f"Bought {item}", direction=IN)
        if at is not None:
            amount = Decimal(w.rng.randrange(low // 5, high // 5 + 1) * 5 - 1)
            w.story.purchases.append(PurchasePlan(at, amount, (item,)))
    elif roll < 0.98 or w.core.tier != Tier.GOLD:
        _purchase(w, day, first=False)
    else:
        w.reach_out(day, T.GIFT, "Sent a Spoke & Chain jersey as a thank-you",
                    cost=Decimal(w.rng.choice(("35.00", "48.00", "60.00"))))


def _something_to_share(w: _Writer) -> str:
    """Value in every touch: mostly something for one of their interests."""
    if w.rng.random() < 0.25:
        return w.rng.choice(words.GENERAL_SHARES)
    return w.rng.choice(words.SHARES[w.rng.choice(w.person.interests)])


def _birthday_cards(w: _Writer, since: date) -> None:
    birthday = w.person.birthday
    if birthday is None or not (w.core.tier in (Tier.GOLD, Tier.SILVER) or w.core.influence):
        return
    for year in range(since.year, w.limit.year + 1):
        day = date(year, birthday.month, birthday.day) - timedelta(days=5)
        # Cards for the birthdays of the coming days are the engine's (date.upcoming).
        if since <= day and day + timedelta(days=5) < w.today:
            w.reach_out(day, T.CARD, "Birthday card, signed by the whole shop",
                        purpose="Birthday card", origin=Origin.DATE, cost=CARD_COST)


def _touch_within_cadence(w: _Writer) -> None:
    """Most clients were touched within their cadence; the neglected ones are chosen apart, and
    some bronze and untiered clients slip by themselves."""
    if w.core.tier in (Tier.BRONZE, Tier.NONE) and w.rng.random() < 0.45:
        return
    latest = w.latest()
    if latest is None or latest < w.today_start - timedelta(days=int(w.cadence * 0.8)):
        _keep_in_touch(w, w.today - timedelta(days=w.rng.randint(1, int(w.cadence * 0.7))))


def _lapsed_epilogue(w: _Writer) -> None:
    ended = w.core.ended or w.limit
    w.skip(ended + w.days(60, 120), T.CALL, "Keep in touch", origin=Origin.CADENCE,
           reason="Left two voicemails; no reply.")


def _former_history(w: _Writer) -> None:
    w.limit -= timedelta(days=1)
    _client_history(w)
    w.limit += timedelta(days=1)
    why, answer = w.rng.choice(words.LEFT_REASONS)
    w.log(w.limit, T.CALL, f"{why}.", direction=IN)
    w.reach_out(w.limit, T.NOTE, answer, cost=NOTE_COST)


_HISTORIES: dict[str, Callable[[_Writer], None]] = {
    Stage.LEAD: _lead_history, Stage.PROSPECT: _prospect_history, Stage.CLIENT: _client_history,
    Stage.LAPSED: _client_history, Stage.FORMER: _former_history,
}
_EPILOGUES: dict[str, Callable[[_Writer], None]] = {Stage.LAPSED: _lapsed_epilogue}


# -- setting the scene for an agenda follow-up ---------------------------------------------
def _joined_before(days: int) -> Step:
    def setup(w: _Writer, role: Role) -> None:
        w.joined = role.day - timedelta(days=days)
    return setup


def _recent_sale(days: int) -> Step:
    def setup(w: _Writer, role: Role) -> None:
        # A new client: the follow-up is about their first sale (a repeat sale would start
        # the repeat-purchase playbook, whose touches are others).
        w.joined = role.day - timedelta(days=days)
    return setup


def _new_buyer_setup(w: _Writer, role: Role) -> None:
    """A first bike bought in the last days: the engine plans the note a week after it."""
    sale = role.day - timedelta(days=7)
    w.first_buy = w.live_sale = sale
    w.joined = sale if w.core.source == Source.WALK_IN else sale - w.days(2, 12)


def _live_birthday_setup(w: _Writer, role: Role) -> None:
    birthday = role.day + timedelta(days=BIRTHDAY_LEAD_DAYS)
    year = w.person.birthday.year if w.person.birthday else None
    w.person.birthday = ImportantDay(DateKind.BIRTHDAY, birthday.month, birthday.day, year)


def _missed_setup(w: _Writer, role: Role) -> None:
    # A regular drifting away; the shop has not been in touch for a few weeks either.
    w.until = w.today - timedelta(days=20)


def _on_hold_setup(w: _Writer, role: Role) -> None:
    w.joined = role.day - timedelta(days=w.rng.randint(120, 300))
    # After the first quote they said "not now": no revisits until the date they named.
    w.until = w.joined + timedelta(days=16)


_SETUPS: dict[str, Step] = {
    "call_14d": _recent_sale(14), "note_7d": _recent_sale(7), "nurture_3m": _joined_before(91),
    "nurture_6m": _joined_before(182), "web_form_reply": _joined_before(1),
    "quote_followup": _joined_before(12), "test_ride_followup": _joined_before(4),
    "on_hold_revisit": _on_hold_setup,
    "new_buyer": _new_buyer_setup, "on_hold_live": _on_hold_setup,
    "birthday_live": _live_birthday_setup, "missed_live": _missed_setup,
}


# -- the agenda follow-ups themselves ------------------------------------------------------
def _pend(w: _Writer, role: Role, channel: TouchChannel, purpose: str, origin: str) -> None:
    w.pending(role.due_at, channel, purpose, origin=origin, status=role.status,
              snooze_count=role.snooze_count)


def _after_sale(days: int, channel: TouchChannel, purpose: str) -> Step:
    def scene(w: _Writer, role: Role) -> None:
        sale, bike = role.day - timedelta(days=days), w.bike
        first = w.joined == sale
        if first:
            _first_contact(w, sale)
        _sale(w, sale, bike, first=first)
        if days == 14:
            _thank_you_note(w, sale + timedelta(days=7), bike)
        _pend(w, role, channel, purpose.format(bike=bike), Origin.PLAYBOOK)
    return scene


def _checkin_scene(w: _Writer, role: Role) -> None:
    # No tier in the purpose: the nightly job may move them to another tier by value.
    _pend(w, role, T.CALL, "Keep in touch: ask how the riding is going",
          Origin.CADENCE)


def _tuneup_scene(w: _Writer, role: Role) -> None:
    services = [t.at for t in w.story.touches if t.by == SERVICE and t.channel == T.MEETING]
    last = max(services, default=None)
    if last is not None and last < w.today_start - timedelta(days=300):
        purpose = f"Yearly tune-up is due (last one {last:%B %Y}): offer a slot"
    else:
        purpose = "Offer a tune-up slot before the spring rush"
    _pend(w, role, T.TEXT, purpose, Origin.RHYTHM)


def _review_scene(w: _Writer, role: Role) -> None:
    _pend(w, role, T.EMAIL, f"Happy client since {w.joined:%B %Y}: ask for a review or a referral",
          Origin.PLAYBOOK)


def _share_scene(w: _Writer, role: Role) -> None:
    share = w.rng.choice(words.SHARES[w.person.interest])
    _pend(w, role, T.EMAIL, f"Share {share} (they're into {w.person.interest})", Origin.MANUAL)


def _simple(purpose: str, channel: TouchChannel, origin: str = Origin.PLAYBOOK) -> Step:
    def scene(w: _Writer, role: Role) -> None:
        text = purpose.format(bike=w.bike, interest=w.person.interest,
                              event=w.rng.choice(words.EVENTS))
        _pend(w, role, channel, text, origin)
    return scene


def _web_form_scene(w: _Writer, role: Role) -> None:
    """The form arrives as a lead.created event: the new-lead playbook plans the reply."""
    question = f"asked about {w.person.interest} bikes for this season"
    at = w.log(role.day - timedelta(days=1), T.EMAIL, f"Web form: {question}", direction=IN,
               hours=(19, 22))
    if at is not None:
        w.story.live.append(LivePlan(at + timedelta(minutes=1), "lead.created", {
            "channel": "web_form", "message": f"Hi, I {question.replace('asked', 'am asking')}"
                                              ". When could I come in?"}))


def _quote_scene(w: _Writer, role: Role) -> None:
    bike = w.bike
    _first_contact(w, w.joined)
    _test_ride(w, role.day - timedelta(days=9), bike)
    w.reach_out(role.day - timedelta(days=5), T.EMAIL, f"Sent the quote for the {bike}",
                purpose="Send the quote", by=SALES)
    _pend(w, role, T.CALL, f"Follow up on the quote for the {bike}", Origin.MANUAL)


def _test_ride_scene(w: _Writer, role: Role) -> None:
    bike = w.bike
    _first_contact(w, w.joined)
    _test_ride(w, role.day - timedelta(days=2), bike)
    _pend(w, role, T.CALL, f"Follow up on the test ride of the {bike}; send the quote",
          Origin.MANUAL)


def _on_hold_scene(w: _Writer, role: Role) -> None:
    whose = "the club's" if w.core.organization is not None else "their"
    w.log(w.joined + timedelta(days=20), T.CALL,
          f"Order on hold until {role.day:%B}; said to call back then", direction=IN,
          next_approach=f"Revisit in {role.day:%B}: they will buy then, from whoever is there")
    _pend(w, role, T.CALL, f"Revisit: {whose} order was on hold until {role.day:%B}",
          Origin.PLAYBOOK)


def _on_hold_live_scene(w: _Writer, role: Role) -> None:
    """The same project on hold, recorded as a need.expected event: the engine's playbook
    plans the revisit on the date they gave."""
    whose = "the club's" if w.core.organization is not None else "their"
    bike = w.bike
    at = w.log(w.joined + timedelta(days=20), T.CALL,
               f"The {bike} is on hold until {_day(role.day)}: {w.rng.choice(_ON_HOLD_WHY)}",
               direction=IN, next_approach=f"Call back on {_day(role.day)}")
    if at is not None:
        note = f"{whose} {bike} was on hold until {_day(role.day)}; they asked us to call back"
        w.story.live.append(LivePlan(at + timedelta(minutes=4), "need.expected",
                                     {"revisit_on": role.day.isoformat(), "note": note}))


def _day(day: date) -> str:
    return f"{day:%B} {day.day}"


_ON_HOLD_WHY = ("waiting for the year-end bonus", "the club votes on its budget first",
                "moving house this month", "wants to sell the old bike first")


def _missed_scene(w: _Writer, role: Role) -> None:
    """Still around (at the group ride three weeks ago), just not buying: the missed purchase
    is the news, not a lapse in keeping in touch."""
    w.log(w.today - w.days(18, 25), T.EVENT, f"Came to the {words.EVENTS[0]}", direction=IN,
          cost=EVENT_COST)


def _engine_plans_it(w: _Writer, role: Role) -> None:
    """The follow-up comes from the engine (see morning.py), not from the story."""


def _lapsed_scene(purpose: str, origin: str) -> Step:
    def scene(w: _Writer, role: Role) -> None:
        latest = w.latest()
        since = f"{latest:%B %Y}" if latest else "a long time"
        _pend(w, role, T.CALL, purpose.format(since=since), origin)
    return scene


_SCENES: dict[str, Step] = {
    "call_14d": _after_sale(14, T.CALL, "Two-week check-in: how is the new {bike} riding?"),
    "note_7d": _after_sale(7, T.NOTE, "Handwritten thank-you note for the new {bike}"),
    "checkin": _checkin_scene, "tuneup": _tuneup_scene, "review_ask": _review_scene,
    "share": _share_scene,
    "nurture_3m": _simple("3-month check-in: still thinking about a {bike}?", T.CALL),
    "nurture_6m": _simple("6-month check-in: this season's {bike} models are in", T.EMAIL),
    "web_form_reply": _web_form_scene,
    "event_invite": _simple("Invite to the {event}", T.EMAIL, Origin.MANUAL),
    "quote_followup": _quote_scene, "test_ride_followup": _test_ride_scene,
    "on_hold_revisit": _on_hold_scene,
    "new_buyer": _engine_plans_it, "late_payment": _engine_plans_it,
    "birthday_live": _engine_plans_it, "missed_live": _missed_scene,
    "on_hold_live": _on_hold_live_scene,
    "winback": _lapsed_scene(
        "We haven't seen them since {since}: invite to the free safety check", Origin.CADENCE),
    "missed_tuneup": _lapsed_scene(
        "Came in every spring for a tune-up and missed this year: check all is well",
        Origin.RHYTHM),
}


# -- follow-ups planned further ahead ------------------------------------------------------
Later = tuple[date, str, TouchChannel, str]


def _later(w: _Writer) -> None:
    """A pending follow-up beyond the coming week for some active contacts (nurture dates,
    birthday cards, revisits). Never inside the agenda's window: that one is planned apart."""
    horizon = w.today + timedelta(days=10)
    planner = _LATER.get(w.core.stage)
    planned = planner(w, horizon) if planner else None
    if planned is not None:
        day, purpose, channel, origin = planned
        w.pending(slot_on(day, w.core), channel, purpose, origin=origin)


def _later_lead(w: _Writer, horizon: date) -> Later | None:
    for months, due in ((3, w.joined + timedelta(days=91)), (6, w.joined + timedelta(days=182))):
        if due >= horizon:
            return due, f"{months}-month check-in", T.CALL, Origin.PLAYBOOK
    if w.rng.random() < 0.4:
        day = horizon + w.days(0, 120)
        return day, "Yearly check-in: the new season's bikes", T.EMAIL, Origin.CADENCE
    return None


def _later_prospect(w: _Writer, horizon: date) -> Later | None:
    if w.rng.random() < 0.6:
        return horizon + w.days(0, 80), "Revisit: not ready last time", T.CALL, Origin.PLAYBOOK
    return None


def _later_client(w: _Writer, horizon: date) -> Later | None:
    if w.rng.random() >= 0.4:
        return None
    # Birthday cards are no longer planned by hand: the engine plans one five days ahead.
    day = horizon + w.days(0, 40)
    return day, "Keep in touch: share something they'd enjoy", T.EMAIL, Origin.CADENCE


def _later_lapsed(w: _Writer, horizon: date) -> Later | None:
    if w.rng.random() < 0.2:
        return horizon + w.days(0, 60), "Invite back: free safety check", T.CALL, Origin.CADENCE
    return None


_LATER: dict[str, Callable[[_Writer, date], Later | None]] = {
    Stage.LEAD: _later_lead, Stage.PROSPECT: _later_prospect, Stage.CLIENT: _later_client,
    Stage.LAPSED: _later_lapsed,
}
