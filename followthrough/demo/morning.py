"""The last days and this morning, through the real engine.

The book's history is written as rows (book.py); what the agenda shows this morning is made by the
product itself:

1. Events of the last days are recorded with the ingestion service (event_record_batch, as the
   API does) and evaluated by the engine (events_process): three first bikes (the thank-you note
   a week later, the call after two), an invoice paid ten days late yesterday, a project on hold
   with a revisit date next week, web-form questions of the last evenings, and a web-form lead
   last night from someone new, who becomes a lead.
2. The nightly job (insight.services.insight_refresh) fits the rhythm model and sets tiers from
   predicted value.
3. What the engine's tick would have derived on earlier days (birthdays coming up, missed
   purchases, contacts past their cadence) is stored as it would have been then, evaluated at
   that moment, and its follow-ups done or skipped since. Without this, the first tick after the
   demo is created would find three years of it at once and flood the agenda.
4. This morning's tick (engine_tick) then derives only what is new today (a birthday in five
   days, a regular who has just missed their usual purchase, a few more) and plans it.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery

from followthrough.activity.models import PENDING, Direction, FollowUp, Interaction, Status
from followthrough.bulk import Table
from followthrough.core.channels import TouchChannel
from followthrough.demo import words
from followthrough.demo.ledger import PROCESSING_DELAY, SOURCE, LiveEvent
from followthrough.demo.profiles import OWNER
from followthrough.demo.story import CARD_COST, NOTE_COST, PAID_CHANNELS, SHOP_TZ
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record_batch
from followthrough.insight.models import RhythmFit
from followthrough.insight.services import TierReport, insight_refresh, tier_pin_set
from followthrough.people.models import Contact, ImportantDate, Stage, Tier
from followthrough.people.selectors import contacts_past_cadence
from followthrough.playbooks.engine import (
    CADENCE_STAGES,
    ENGINE_SOURCE,
    TickReport,
    engine_tick,
    events_process,
)
from followthrough.playbooks.models import PlaybookRun

if TYPE_CHECKING:
    from followthrough.demo.book import Book

# The worker ticks every five minutes: the first tick of a day, in the shop's zone, is when
# day-based facts (a date coming up, a rhythm missed) are derived.
DAILY_TICK: Final = time(0, 5)
NIGHTLY: Final = time(0, 1)  # the rhythm and tier job, just before this morning's tick
NEGLECT_SKIPS: Final = (
    "Busy week in the shop; didn't get to it.",
    "Meant to call; the spring rush got in the way.",
    "Saw them at the group ride instead (didn't log it).",
)
NO_ANSWER: Final = "Left a voicemail; no reply."
SETTLE_BATCH: Final = 500
DATE_KINDS: Final = ("birthday", "client_since")  # the dates engine._derive_dates looks at
PINNED: Final = 2
INTERACTION_COLUMNS: Final = (
    "workspace", "contact", "user", "occurred_at", "channel", "direction", "summary", "needs",
    "next_approach", "cost", "created_at",
)


@dataclass(frozen=True)
class MorningReport:
    live: int  # events of the last days recorded through the engine
    settled: int  # derived events stored as the engine's ticks had stored them
    tick: TickReport
    fit: RhythmFit
    tiers: TierReport


@dataclass(frozen=True)
class _Derived:
    contact_id: int
    type: str
    key: str
    day: date  # derived by the first tick of that day
    data: dict[str, Any]


class Morning:
    """The engine's part of the demo, run once the book is written (inside its transaction)."""

    def __init__(self, book: "Book") -> None:
        self.book = book
        self.workspace = book.workspace
        self.today = book.today
        self.today_start = book.morning
        self.tick_at = min(self._at(self.today, DAILY_TICK), book.now)
        self.nightly = min(self._at(self.today, NIGHTLY), self.tick_at)
        self.index_of = {contact_id: i for i, contact_id in enumerate(book.contact_ids)}
        self.live_ids: list[int] = []

    @staticmethod
    def _at(day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=SHOP_TZ).astimezone(UTC)

    def run(self) -> MorningReport:
        live = self._live()
        self._pins()
        fit, tiers = insight_refresh(workspace=self.workspace, now=self.nightly)
        settled = self._settle([*self._dates(), *self._missed()])
        self._touches_refresh()
        settled += self._settle(self._neglected())
        tick = engine_tick(now=self.tick_at, workspace=self.workspace)
        self._timestamps()
        return MorningReport(live, settled, tick, fit, tiers)

    # -- 1. the last days ------------------------------------------------------------------
    def _live(self) -> int:
        """Record the events of the last days as the API would, then evaluate them day by day
        as of the day's last one (their follow-ups fall on later days, or, for a lead in the
        evening, on the next morning, either way), stamped afterwards with their own time."""
        lives = sorted([*self.book.live, self._web_lead()], key=lambda e: e.at)
        results = event_record_batch(workspace=self.workspace, items=[
            EventInput(type=live.type, occurred_at=live.at, source=SOURCE,
                       contact=ContactRef(id=live.contact_id or None, email=live.email,
                                          name=live.name),
                       external_id=live.external_id, data=live.data)
            for live in lives
        ])
        events = [result.event for result in results if result.event is not None]
        if len(events) != len(lives):
            raise ValueError(f"A demo event was refused: {results}")
        days: dict[date, list[Event]] = {}
        for event in events:
            days.setdefault(event.occurred_at.astimezone(SHOP_TZ).date(), []).append(event)
        for day_events in days.values():
            events_process(event_ids=[e.pk for e in day_events],
                           now=day_events[-1].occurred_at + PROCESSING_DELAY)
        self.live_ids = [e.pk for e in events]
        for live, event in zip(lives, events, strict=True):
            if not live.contact_id:  # a new lead: created when they wrote, not now
                Contact.objects.filter(pk=event.contact_id).update(created_at=live.at,
                                                                   updated_at=live.at)
        return len(events)

    def _web_lead(self) -> LiveEvent:
        """Someone new asks through the website's form last night: an unknown person becomes
        a lead, and the new-lead playbook plans the reply for this morning."""
        rng = random.Random(f"{self.book.seed}:web-lead")
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        interest = rng.choice(words.INTERESTS)
        bike = rng.choice(words.BIKES[interest])
        message = (f"Hi! I'm looking at a {bike} for {interest}, budget around "
                   f"${rng.randrange(15, 45) * 100:,}. Could I test ride one this weekend?")
        yesterday = self.today - timedelta(days=1)
        at = datetime.combine(yesterday, time(rng.randint(19, 22), rng.randrange(60)),
                              tzinfo=SHOP_TZ).astimezone(UTC)
        return LiveEvent(0, at, "lead.created", {"channel": "web_form", "message": message},
                         f"{SOURCE}:web-form:{yesterday}",
                         email=f"{self.book.new_local_part(first, last)}@example.com",
                         name=f"{first} {last}")

    # -- 2. tiers -----------------------------------------------------------------------------
    def _pins(self) -> None:
        """Sam keeps two opinion leaders at gold whatever they spend (the influence rule alone
        guarantees silver): a pin is a person's decision, and the nightly job keeps it."""
        leaders = (Contact.objects
                   .filter(workspace=self.workspace, stage=Stage.CLIENT, tier=Tier.GOLD,
                           influence=True, owner=self.book.users[OWNER])
                   .order_by("id")[:PINNED])
        for contact in leaders:
            tier_pin_set(contact=contact, tier=Tier.GOLD, by=self.book.users[OWNER],
                         now=self.nightly - timedelta(days=40))

    # -- 3. what earlier ticks derived -----------------------------------------------------
    def _dates(self) -> list[_Derived]:
        """Birthdays and client anniversaries that entered the lead window on an earlier day
        (engine._derive_dates then): the cards went out, as the playbook planned."""
        lead = self.workspace.date_lead_days
        found = []
        for ahead in range(lead):
            on = self.today + timedelta(days=ahead)
            rows = (ImportantDate.objects
                    .filter(contact__workspace=self.workspace, kind__in=DATE_KINDS,
                            month=on.month, day=on.day)
                    .exclude(contact__stage=Stage.FORMER)
                    .values_list("id", "contact_id", "kind", "year"))
            for date_id, contact_id, kind, year in rows:
                data: dict[str, Any] = {"kind": kind, "date": on.isoformat()}
                if kind == "client_since" and year:
                    if on.year - year < 1:
                        continue
                    data["years"] = on.year - year
                found.append(_Derived(contact_id, "date.upcoming", f"{date_id}:{on.year}",
                                      on - timedelta(days=lead), data))
        return found

    def _missed(self) -> list[_Derived]:
        """Regulars the simple rule caught on an earlier day (engine._derive_missed then)."""
        return [
            _Derived(m.contact_id, "purchase.missed", m.last_purchase.isoformat(), m.since_day,
                     {"typical_days": round(m.typical_days),
                      "days_since": (m.since_day - m.last_purchase).days,
                      "last_purchase": m.last_purchase.isoformat()})
            for m in self.book.missed if m.since_day < self.today
        ]

    def _neglected(self) -> list[_Derived]:
        """Contacts past their cadence with nothing planned whose cadence ran out before
        yesterday (engine._derive_neglected then): the check-in was planned and skipped, which
        is how they stay neglected."""
        pending = FollowUp.objects.filter(contact=OuterRef("pk"), status__in=PENDING)
        book = Contact.objects.filter(workspace=self.workspace, stage__in=CADENCE_STAGES)
        rows = (contacts_past_cadence(contacts=book, workspace=self.workspace, now=self.tick_at)
                .filter(~Exists(pending))
                .values_list("id", "last_touched_at", "created_at", "tier", "cadence_days"))
        found = []
        for contact_id, touched, created, tier, own_cadence in rows:
            since = touched or created
            cadence = own_cadence or self.workspace.cadence_days(tier)
            day = (since + timedelta(days=cadence)).astimezone(SHOP_TZ).date() + timedelta(days=1)
            if day < self.today:
                derived_at = self._at(day, DAILY_TICK)
                found.append(_Derived(contact_id, "contact.neglected", since.date().isoformat(),
                                      day, {"days_untouched": (derived_at - since).days}))
        return found

    def _settle(self, derived: list[_Derived]) -> int:
        """Store the derived events with the engine's external ids, evaluate them as the tick
        of their day did, then close the follow-ups that fell due before today.

        They are evaluated oldest first in batches, each as of its oldest event's tick rather
        than one tick per day (a thousand days of history): the derived playbooks plan every
        step on or after the event's own day, in the contact's first good slot from that day's
        start, so the follow-ups come out the same. Only the moments the engine stamps (when it
        processed the event and started the run) are then set to the event's own tick."""
        events = [
            Event(workspace=self.workspace, contact_id=d.contact_id, type=d.type,
                  source=ENGINE_SOURCE, external_id=f"{d.type}:{d.contact_id}:{d.key}",
                  occurred_at=self._at(d.day, DAILY_TICK), data=d.data)
            for d in sorted(derived, key=lambda d: (d.day, d.contact_id, d.type))
        ]
        Event.objects.bulk_create(events, batch_size=500)
        for start in range(0, len(events), SETTLE_BATCH):
            batch = events[start:start + SETTLE_BATCH]
            events_process(event_ids=[e.pk for e in batch], now=batch[0].occurred_at)
        self._close()
        return len(events)

    def _close(self) -> None:
        """The derived events' follow-ups due before today: the cards and notes went out, the
        missed-purchase calls were made or not, the cadence check-ins were let go."""
        due = (FollowUp.objects
               .filter(workspace=self.workspace, status__in=PENDING, due_at__lt=self.today_start,
                       event__source=ENGINE_SOURCE)
               .select_related("run__playbook", "contact")
               .order_by("due_at", "id"))
        touches: list[tuple[Any, ...]] = []
        done: list[FollowUp] = []
        skipped: list[tuple[Any, ...]] = []
        for followup in due:
            rng = random.Random(f"{self.book.seed}:close:{self._key(followup)}")
            summary, reason = self._outcome(rng, followup)
            if summary:
                at = min(followup.due_at + timedelta(minutes=rng.randint(0, 180)),
                         self.today_start - timedelta(minutes=30))
                cost = self._cost(followup.channel)
                touches.append((self.workspace.pk, followup.contact_id, followup.assignee_id, at,
                                followup.channel, Direction.OUTBOUND, summary, "", "", cost, at))
                done.append(followup)
            else:
                closed = min(followup.due_at + timedelta(days=rng.randint(0, 3)),
                             self.today_start - timedelta(hours=1))
                skipped.append((Status.SKIPPED, closed, None, reason, followup.pk))
        ids = Table(Interaction, INTERACTION_COLUMNS).insert(touches)
        closed_rows = [(Status.DONE, touch[3], interaction_id, "", followup.pk)
                       for followup, touch, interaction_id in zip(done, touches, ids, strict=True)]
        self._update_followups(closed_rows + skipped)

    def _key(self, followup: FollowUp) -> str:
        """A stable name for the follow-up's random choices (ids differ between books)."""
        return f"{self.index_of.get(followup.contact_id, -1)}:{followup.purpose}"

    @staticmethod
    def _cost(channel: str) -> Decimal | None:
        if channel == TouchChannel.CARD:
            return CARD_COST
        return NOTE_COST if channel in PAID_CHANNELS else None

    @staticmethod
    def _outcome(rng: random.Random, followup: FollowUp) -> tuple[str, str]:
        """(what was done, or "" and why it was skipped)."""
        key = followup.run.playbook.key if followup.run is not None else ""
        if key == "birthday-card":
            return "Birthday card, signed by the whole shop", ""
        if key == "client-anniversary":
            return "Anniversary note: thanked them for another year with us", ""
        if key == "missed-purchase":
            if followup.contact.stage != Stage.CLIENT or rng.random() < 0.5:
                return "", NO_ANSWER
            return rng.choice(words.MISSED_CALLS), ""
        return "", rng.choice(NEGLECT_SKIPS)

    def _update_followups(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(FollowUp._meta.db_table)
        sql = (f"UPDATE {table} SET status = %s, completed_at = %s, "  # noqa: S608 -- model name
               "interaction_id = %s, skip_reason = %s WHERE id = %s")
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(s, adapt(at), i, r, pk) for s, at, i, r, pk in rows])

    def _touches_refresh(self) -> None:
        """Last touched and last heard from, as activity.services keeps them, now that the
        playbooks' touches are logged too."""
        log = Interaction.objects.filter(contact=OuterRef("pk")).order_by("-occurred_at")
        Contact.objects.filter(workspace=self.workspace).update(
            last_touched_at=Subquery(log.values("occurred_at")[:1]),
            last_heard_at=Subquery(
                log.filter(direction=Direction.INBOUND).values("occurred_at")[:1]),
        )

    # -- timestamps ------------------------------------------------------------------------
    def _timestamps(self) -> None:
        """Rows the engine wrote this run carry the clock's time where the models set it
        themselves; give them the time they happened in the story."""
        Event.objects.filter(workspace=self.workspace, source=ENGINE_SOURCE,
                             processed_at__lt=self.tick_at).update(processed_at=F("occurred_at"))
        Event.objects.filter(pk__in=self.live_ids).update(
            processed_at=F("occurred_at") + PROCESSING_DELAY)
        # A run starts when its event is processed.
        processed = Event.objects.filter(pk=OuterRef("event_id")).values("processed_at")[:1]
        PlaybookRun.objects.filter(workspace=self.workspace).update(
            started_at=Subquery(processed))
        started = PlaybookRun.objects.filter(pk=OuterRef("run_id")).values("started_at")[:1]
        FollowUp.objects.filter(workspace=self.workspace, run__isnull=False).update(
            created_at=Subquery(started))
        Event.objects.filter(workspace=self.workspace).exclude(
            received_at=F("occurred_at")).update(received_at=F("occurred_at"))
