"""The repeat-purchase playbook's hold-out experiment: two years of its runs, written as history.

The shop holds out a fifth of the people the playbook triggers for, to learn whether the thank-you
and the tip a month later bring people back (the lift report on the playbook's page). Each run is
planned here the way the engine plans it (same conditions, steps, merge fields, channels, slots
and hold-out hash); the follow-ups due before today were done or skipped, the later ones wait on
the agenda. Some people the shop followed up with came back for what it suggested: that is the
effect the report measures, so the held-out side has no such purchases.
"""

import heapq
from bisect import insort
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from random import Random
from typing import Any, Final
from zoneinfo import ZoneInfo

from followthrough.accounts.models import Workspace
from followthrough.activity.models import Direction, Origin, Status
from followthrough.core.channels import TouchChannel
from followthrough.core.playbooks import ContactView, Step, matches, parse_steps, render, step_due
from followthrough.core.scheduling import choose_channel, next_slot
from followthrough.demo import words
from followthrough.demo.buying import Buying, Sale, moment
from followthrough.demo.profiles import Person, stream
from followthrough.demo.story import (
    NOTE_COST,
    PAID_CHANNELS,
    FollowUpPlan,
    RunPlan,
    Story,
    TouchPlan,
)
from followthrough.playbooks.defaults import ORIGIN_BY_TRIGGER
from followthrough.playbooks.evaluation import in_holdout
from followthrough.playbooks.models import Playbook
from followthrough.playbooks.services import playbook_update

PLAYBOOK_KEY: Final = "repeat-purchase"
HOLDOUT_PERCENT: Final = 20
EXPERIMENT_DAYS: Final = 730
# Regulars who buy every few weeks hear from the shop at the counter: a thank-you for every
# box of tubes would be noise. The shop added this condition to the default playbook.
REGULAR_GAP_DAYS: Final = 45
SKIP_REASONS: Final = (
    "They came in on Saturday and we covered it at the counter.",
    "Already chatted at the group ride; nothing more to add.",
    "Busy week in the shop; let it go.",
)
# Chance that a done step brings them back for something within a few weeks (step index ->
# odds, days after the touch).
EFFECTS: Final = {0: (0.25, (4, 24)), 1: (0.30, (2, 20))}


def experiment_configure(*, workspace: Workspace) -> Playbook:
    """The shop's version of the default repeat-purchase playbook: regulars left out, a fifth
    of the people held out."""
    playbook = Playbook.objects.get(workspace=workspace, key=PLAYBOOK_KEY)
    conditions = dict(playbook.conditions or {})
    conditions["facts"] = [
        *(conditions.get("facts") or []),
        {"fact": "median_days_between_purchases", "op": ">=", "value": REGULAR_GAP_DAYS},
    ]
    return playbook_update(playbook=playbook, data={
        "conditions": conditions, "holdout_percent": HOLDOUT_PERCENT,
        "description": f"{playbook.description} Regulars who buy every few weeks are left out: "
                       "they hear from us at the counter.",
    })


@dataclass(frozen=True)
class Experiment:
    playbook: Playbook
    steps: list[Step]
    today: date
    today_start: datetime

    @classmethod
    def load(cls, *, workspace: Workspace, today: date) -> "Experiment":
        playbook = Playbook.objects.get(workspace=workspace, key=PLAYBOOK_KEY)
        start = datetime.combine(today, time(0), tzinfo=ZoneInfo(workspace.timezone))
        return cls(playbook, parse_steps(playbook.steps), today, start.astimezone(UTC))


@dataclass
class Outcome:
    """One customer's runs and what came of them."""

    sales: list[Sale]
    runs: list[RunPlan] = field(default_factory=list)
    touches: list[TouchPlan] = field(default_factory=list)
    followups: list[FollowUpPlan] = field(default_factory=list)


@dataclass
class _Planned:
    purpose: str
    created: datetime
    closed: datetime | None  # None while pending


class _Customer:
    """Walks one customer's purchases in time order with the facts the engine derives."""

    def __init__(self, exp: Experiment, seed: int, contact_id: int, person: Person,
                 story: Story, buying: Buying) -> None:
        self.exp, self.person, self.story = exp, person, story
        self.contact_id = contact_id
        core = person.core
        self.view = ContactView(stage=core.stage, tier=core.tier,
                                tags=frozenset(person.interests))
        self.rng = stream(seed, person.core.index, "experiment")
        self.last_day = buying.last_day
        self.outcome = Outcome(sales=list(buying.sales))
        self.queue = [(s.at, i, s) for i, s in enumerate(buying.sales)]
        heapq.heapify(self.queue)
        self.pushed = len(self.queue)
        self.count, self.spend = 0, Decimal(0)
        self.days: list[date] = []  # purchase days so far (UTC dates, as core.facts)
        self.gaps: list[int] = []  # the days between them, sorted (for the median)
        self.planned: list[_Planned] = []
        self.tz = ZoneInfo(person.core.prefs.timezone)

    def run(self) -> Outcome:
        start = self.exp.today - timedelta(days=EXPERIMENT_DAYS)
        while self.queue:
            _, _, sale = heapq.heappop(self.queue)
            facts = self._count(sale)
            if sale.day >= start and not sale.live and self._matches(sale, facts):
                self._enroll(sale, facts)
        return self.outcome

    def _count(self, sale: Sale) -> dict[str, Any]:
        """core.facts.facts_at for a purchase, kept up as the purchases go by (days are the
        purchases' UTC dates, as there)."""
        self.count += 1
        self.spend += sale.amount
        day = sale.at.date()
        if self.days:
            insort(self.gaps, (day - self.days[-1]).days)
        self.days.append(day)
        n = len(self.gaps)
        typical = None if not n else (self.gaps[(n - 1) // 2] + self.gaps[n // 2]) / 2
        # The invoice facts are those of a purchase that names no invoice: the playbook's
        # conditions are about purchases.
        return {"purchase_count": self.count, "purchase_number": self.count,
                "lifetime_spend": float(self.spend), "median_days_between_purchases": typical,
                "late_payments_12m": 0, "days_late": None, "invoice_paid": False,
                "invoice_id": None}

    def _data(self, sale: Sale) -> dict[str, Any]:
        return {"amount": f"{sale.amount:.2f}", "items": list(sale.items)}

    def _matches(self, sale: Sale, facts: dict[str, Any]) -> bool:
        return matches(self.exp.playbook.conditions or {}, contact=self.view, facts=facts,
                       data=self._data(sale))

    @cached_property
    def held_out(self) -> bool:
        # The engine's own hash of (playbook, contact): they stay on one side for good.
        return in_holdout(self.exp.playbook, self.contact_id)

    def _enroll(self, sale: Sale, facts: dict[str, Any]) -> None:
        started = sale.at + timedelta(minutes=2)  # the worker picks the event up
        run = RunPlan(sale, started, self.held_out)
        self.outcome.runs.append(run)
        if run.held_out:
            return
        event_day = sale.at.astimezone(self.tz).date()
        merge = self._merge(facts, sale)
        for index, step in enumerate(self.exp.steps):
            day = step_due(step, event_day=event_day, data=self._data(sale))
            if day is not None and day >= started.astimezone(self.tz).date():
                self._plan(run, index, step, day, render(step.purpose, merge)[:300].strip())

    def _merge(self, facts: dict[str, Any], sale: Sale) -> dict[str, Any]:
        """The engine's merge fields that the playbook's purposes can use (not the owner's or
        the organization's name: its steps do not)."""
        tags = sorted(self.person.interests)
        return {"first_name": self.person.first_name, "last_name": self.person.last_name,
                "name": f"{self.person.first_name} {self.person.last_name}",
                "interest": tags[0], "interests": ", ".join(tags), **facts,
                "data.amount": f"{sale.amount:.2f}"}

    def _pending(self, purpose: str, at: datetime) -> bool:
        return any(p.purpose == purpose and p.created <= at and (p.closed is None or p.closed > at)
                   for p in self.planned)

    def _plan(self, run: RunPlan, index: int, step: Step, day: date, purpose: str) -> None:
        prefs = self.person.core.prefs
        channel = choose_channel(
            None if step.channel == "preferred" else TouchChannel(step.channel), prefs)
        if channel is None or not purpose or self._pending(purpose, run.started_at):
            return
        day_start = datetime.combine(day, time(0), tzinfo=self.tz)
        due_at = next_slot(after=max(day_start, run.started_at), prefs=prefs)
        plan = FollowUpPlan(
            due_at=due_at, purpose=purpose, channel=channel,
            origin=ORIGIN_BY_TRIGGER.get(self.exp.playbook.trigger, Origin.PLAYBOOK),
            status=Status.OPEN, created_at=run.started_at, by=self.person.core.owner, run=run,
            step_index=index,
        )
        if due_at >= self.exp.today_start:
            self.outcome.followups.append(plan)
            self.planned.append(_Planned(purpose, run.started_at, None))
            return
        self._close(plan, run.trigger, channel)

    def _close(self, plan: FollowUpPlan, sale: Sale, channel: TouchChannel) -> None:
        """A follow-up due before today: done (and sometimes they come back), or skipped."""
        rng, limit = self.rng, self.story.touch_limit
        local_day = plan.due_at.astimezone(self.tz).date()
        if (limit is not None and local_day > limit) or rng.random() < 0.15:
            closed = min(plan.due_at + timedelta(days=rng.randint(0, 2)),
                         self.exp.today_start - timedelta(hours=1))
            self.outcome.followups.append(replace(
                plan, status=Status.SKIPPED, completed_at=closed,
                skip_reason=rng.choice(SKIP_REASONS)))
            self.planned.append(_Planned(plan.purpose, plan.created_at, closed))
            return
        at = plan.due_at + timedelta(minutes=rng.randint(0, 240))
        at = at if at < self.exp.today_start else plan.due_at
        done = replace(plan, status=Status.DONE, completed_at=at)
        texts = words.THANKS if plan.step_index == 0 else words.TIPS
        self.outcome.touches.append(TouchPlan(
            at=at, channel=channel, direction=Direction.OUTBOUND,
            summary=rng.choice(texts).format(item=sale.items[0]), by=plan.by,
            cost=NOTE_COST if channel in PAID_CHANNELS else None, followup=done))
        self.planned.append(_Planned(plan.purpose, plan.created_at, at))
        self._maybe_back(rng, plan.step_index, at)

    def _maybe_back(self, rng: Random, step_index: int | None, touched: datetime) -> None:
        odds, (low, high) = EFFECTS.get(step_index or 0, (0.0, (0, 0)))
        if rng.random() >= odds or self.last_day is None:
            return
        day = touched.astimezone(self.tz).date() + timedelta(days=rng.randint(low, high))
        if day > self.last_day or day >= self.exp.today:
            return
        item, price = rng.choice(words.PARTS)
        sale = Sale(moment(rng, day), Decimal(price), (item,))
        self.outcome.sales.append(sale)
        self.pushed += 1
        heapq.heappush(self.queue, (sale.at, self.pushed, sale))


def experiment_outcome(
    *, experiment: Experiment, seed: int, contact_id: int, person: Person, story: Story,
    buying: Buying,
) -> Outcome:
    """The customer's runs of the repeat-purchase playbook, with their purchases (including
    the ones the follow-ups brought) in time order."""
    if not buying.sales:
        return Outcome(sales=[])
    outcome = _Customer(experiment, seed, contact_id, person, story, buying).run()
    outcome.sales.sort(key=lambda s: s.at)
    return outcome
