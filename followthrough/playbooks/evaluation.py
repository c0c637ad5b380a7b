"""Evaluating a batch of claimed events against the playbooks (the inner loop of the engine).

Speed matters here (DESIGN: batch ingestion with evaluation at 10,000 events a second), so the
batch works on plain rows rather than model instances: events are read as tuples, each contact
once, and the runs and follow-ups it plans are written with one `executemany` each. Building
and saving model instances cost four times the evaluation itself (see bench/README.md).
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from followthrough.accounts.models import Role, User, Workspace
from followthrough.activity.models import PENDING, FollowUp, Origin, Status
from followthrough.activity.services import reach_prefs
from followthrough.bulk import Table
from followthrough.core.channels import Medium, Preference, TouchChannel
from followthrough.core.event_types import REPLY_TYPES
from followthrough.core.facts import (
    INVOICE_FAILED,
    INVOICE_ISSUED,
    INVOICE_OVERDUE,
    INVOICE_PAID,
    PURCHASE,
    EventRecord,
    facts_at,
)
from followthrough.core.playbooks import (
    STOP_REASONS,
    ContactView,
    Step,
    matches,
    parse_steps,
    render,
    step_due,
)
from followthrough.core.scheduling import ReachPrefs, choose_channel, next_slot
from followthrough.events.models import Event
from followthrough.people.models import Contact, Organization
from followthrough.playbooks.defaults import ORIGIN_BY_TRIGGER
from followthrough.playbooks.models import Playbook, PlaybookRun, RunStatus

FACT_TYPES = (PURCHASE, INVOICE_ISSUED, INVOICE_PAID, INVOICE_OVERDUE, INVOICE_FAILED)


def evaluate(*, event_ids: list[int], now: datetime) -> None:
    """Evaluate these claimed events in arrival order and write what they plan."""
    _Evaluation(event_ids=event_ids, now=now).run()


def in_holdout(playbook: Playbook, contact_id: int) -> bool:
    """Whether the contact is in the playbook's control group. A hash of the pair rather than a
    coin toss, so a person stays on the same side every time the playbook triggers for them."""
    if playbook.holdout_percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout:{playbook.pk}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < playbook.holdout_percent * 100


@dataclass(slots=True)
class _EventRow:
    pk: int
    workspace_id: int
    contact_id: int
    type: str
    occurred_at: datetime
    data: dict[str, Any]


PREF_FIELDS = tuple(f"pref_{medium.value}" for medium in Medium)
CONTACT_FIELDS = (
    "id", "workspace_id", "first_name", "last_name", "stage", "tier", "timezone", "owner_id",
    "organization_id", *PREF_FIELDS, "best_days", "best_hours_start", "best_hours_end",
)  # fmt: skip


@dataclass(slots=True)
class _ContactRow:
    """The fields of a contact the rules read; a model instance costs ten times more to load."""

    pk: int
    workspace_id: int
    first_name: str
    last_name: str
    stage: str
    tier: str
    timezone: str
    owner_id: int | None
    organization_id: int | None
    pref_phone: str
    pref_text: str
    pref_email: str
    pref_mail: str
    pref_in_person: str
    pref_social: str
    best_days: list[int]
    best_hours_start: time | None
    best_hours_end: time | None
    workspace: Workspace = field(init=False)
    owner_name: str = ""
    organization_name: str = ""

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(no name)"

    def preferences(self) -> dict[Medium, Preference]:
        return {medium: Preference(getattr(self, f"pref_{medium.value}")) for medium in Medium}

    def reach_key(self) -> tuple[Any, ...]:
        """Everything reach_prefs reads: contacts with equal keys are reached alike."""
        return (
            self.timezone, self.workspace_id, *(getattr(self, f) for f in PREF_FIELDS),
            tuple(self.best_days or ()), self.best_hours_start, self.best_hours_end,
        )  # fmt: skip


@dataclass(slots=True)
class _NewRun:
    """A playbook run planned by this batch, written at the end."""

    workspace_id: int
    playbook_id: int
    contact_id: int
    event_id: int
    stage_at_start: str
    held_out: bool
    status: str = RunStatus.ACTIVE
    stopped_at: datetime | None = None
    stop_reason: str = ""
    pk: int | None = None


@dataclass(slots=True)
class _NewFollowUp:
    """A follow-up planned by this batch, written at the end."""

    workspace_id: int
    contact_id: int
    assignee_id: int | None
    due_at: datetime
    purpose: str
    channel: str
    origin: str
    event_id: int
    run: _NewRun
    step_index: int
    status: str = Status.OPEN
    skip_reason: str = ""
    completed_at: datetime | None = None


@dataclass(slots=True)
class _ActiveRun:
    """An active run as the stop rules see it: stored before this batch (`pk`), or started in
    it (`row`, with the follow-ups it planned, not yet written)."""

    stop_conditions: list[str]
    event_at: datetime
    pk: int | None = None
    row: _NewRun | None = None
    followups: list[_NewFollowUp] = field(default_factory=list)


@dataclass(slots=True)
class _Context:
    """What every playbook evaluated for one event needs, computed once."""

    event: _EventRow
    contact: _ContactRow
    facts: dict[str, Any]
    view: ContactView
    local_today: date
    event_day: date
    holidays: frozenset[date]
    merge: dict[str, Any]


def _stop_reason(event_type: str) -> str | None:
    if event_type in REPLY_TYPES:
        return "replied"
    return {PURCHASE: "bought", "email.unsubscribed": "unsubscribed"}.get(event_type)


def _needs_facts(event_type: str) -> bool:
    return event_type == PURCHASE or event_type.startswith("invoice.")


class _Evaluation:
    """One batch of claimed events, evaluated in arrival order against state read once (the
    playbooks, each contact's history, tags, active runs, pending purposes, run counts) and kept
    current in memory, so later events see what earlier ones did, as they would one by one."""

    def __init__(self, *, event_ids: list[int], now: datetime) -> None:
        self.now = now
        self.events, self.contacts = _events_with_contacts(event_ids)
        self.playbooks = _enabled_playbooks({e.workspace_id for e in self.events})
        triggered = [e for e in self.events if (e.workspace_id, e.type) in self.playbooks]
        self.runs = _active_runs({e.contact_id for e in self.events if _stop_reason(e.type)})
        self.history = _histories({e.contact_id for e in triggered if _needs_facts(e.type)})
        self.tags = _tags({e.contact_id for e in triggered})
        self.pending = _pending_purposes({e.contact_id for e in triggered})
        self.enrolled = _enrolled([e.pk for e in triggered])
        self.run_counts = _run_counts(triggered, self.playbooks)
        self.stops: dict[str, list[int]] = defaultdict(list)
        self.new_runs: list[_NewRun] = []
        self.new_followups: list[_NewFollowUp] = []
        self._prefs: dict[tuple[Any, ...], ReachPrefs] = {}
        self._channels: dict[tuple[Any, ...], TouchChannel | None] = {}
        self._slots: dict[tuple[Any, ...], datetime | None] = {}
        self._holidays: dict[int, frozenset[date]] = {}
        self._members: dict[int, list[User]] = {}
        self._loads: dict[int, Counter[int]] = {}
        self._steps: dict[int, list[Step]] = {}

    def run(self) -> None:
        for event in self.events:
            self._stop_runs(event)
            self._evaluate(event)
        self._write()

    # -- stop conditions (the rules of services.runs_stop, applied to the batch's state)

    def _stop_runs(self, event: _EventRow) -> None:
        reason = _stop_reason(event.type)
        if reason is None:
            return
        why = f"Stopped: {STOP_REASONS[reason]}"
        still: list[_ActiveRun] = []
        for run in self.runs.get(event.contact_id, []):
            # A reply last week does not stop a playbook started by today's lead.
            if run.event_at < event.occurred_at and reason in run.stop_conditions:
                self._stop(run, event.contact_id, why)
            else:
                still.append(run)
        self.runs[event.contact_id] = still

    def _stop(self, run: _ActiveRun, contact_id: int, why: str) -> None:
        pending = self.pending.get(contact_id, {})
        if run.pk is not None:
            self.stops[why].append(run.pk)
            for purpose in [p for p, run_pk in pending.items() if run_pk == run.pk]:
                del pending[purpose]
            return
        row = cast(_NewRun, run.row)  # not stored yet: stopped before it is written
        row.status, row.stopped_at, row.stop_reason = RunStatus.STOPPED, self.now, why
        for followup in run.followups:
            followup.status, followup.skip_reason = Status.SKIPPED, why
            followup.completed_at = self.now
            pending.pop(followup.purpose, None)
            loads = self._loads.get(followup.workspace_id)
            if loads is not None and followup.assignee_id is not None:
                loads[followup.assignee_id] -= 1

    # -- playbooks

    def _evaluate(self, event: _EventRow) -> None:
        playbooks = self.playbooks.get((event.workspace_id, event.type))
        if not playbooks:
            return
        ctx = self._context(event)
        for playbook in playbooks:
            if matches(playbook.conditions, contact=ctx.view, facts=ctx.facts, data=event.data):
                self._enroll(playbook, ctx)

    def _context(self, event: _EventRow) -> _Context:
        contact = self.contacts[event.contact_id]
        history = self.history.get(event.contact_id, [])
        trigger = EventRecord(event.pk, event.type, event.occurred_at, event.data)
        facts = facts_at(history, trigger=trigger) if _needs_facts(event.type) else None
        fact_values = facts.as_dict() if facts else {}
        tags = sorted(self.tags.get(event.contact_id, []))
        tz = ZoneInfo(contact.timezone or contact.workspace.timezone)
        merge = {
            "first_name": contact.first_name or contact.name,
            "last_name": contact.last_name,
            "name": contact.name,
            "organization": contact.organization_name,
            "interest": tags[0] if tags else "what matters to them",
            "interests": ", ".join(tags),
            "owner": contact.owner_name,
            **fact_values,
            **{f"data.{k}": v for k, v in event.data.items() if not isinstance(v, dict | list)},
        }
        return _Context(
            event=event,
            contact=contact,
            facts=fact_values,
            view=ContactView(stage=contact.stage, tier=contact.tier, tags=frozenset(tags)),
            local_today=self.now.astimezone(tz).date(),
            event_day=event.occurred_at.astimezone(tz).date(),
            holidays=self._workspace_holidays(contact.workspace),
            merge=merge,
        )

    def _enroll(self, playbook: Playbook, ctx: _Context) -> None:
        """Start the playbook for the contact unless it is at its re-entry limit or every step
        would already be in the past (an imported purchase from 2019 gets no thank-you note)."""
        contact = ctx.contact
        key = (playbook.pk, contact.pk)
        limit = playbook.max_runs_per_contact
        if limit is not None and self.run_counts[key] >= limit:
            return
        if playbook.pk not in self._steps:
            self._steps[playbook.pk] = parse_steps(playbook.steps)
        planned = _planned_steps(self._steps[playbook.pk], ctx)
        if not planned or (playbook.pk, ctx.event.pk) in self.enrolled:
            return
        row = _NewRun(
            workspace_id=contact.workspace_id,
            playbook_id=playbook.pk,
            contact_id=contact.pk,
            event_id=ctx.event.pk,
            stage_at_start=contact.stage,
            held_out=in_holdout(playbook, contact.pk),
        )
        self.enrolled.add((playbook.pk, ctx.event.pk))
        self.run_counts[key] += 1
        self.new_runs.append(row)
        run = _ActiveRun(list(playbook.stop_conditions or []), ctx.event.occurred_at, row=row)
        self.runs.setdefault(contact.pk, []).append(run)
        if row.held_out:
            return  # the control group: enrolled, so the lift report counts them, but untouched
        origin = ORIGIN_BY_TRIGGER.get(playbook.trigger, Origin.PLAYBOOK)
        for index, step, day in planned:
            followup = self._plan_step(row, index, step, day, ctx, origin)
            if followup is not None:
                run.followups.append(followup)

    def _plan_step(
        self, run: _NewRun, index: int, step: Step, day: date, ctx: _Context, origin: str
    ) -> _NewFollowUp | None:
        """The follow-up as activity.services.followup_create would plan it: the requested
        channel or the next one they accept, their first acceptable slot on that day."""
        contact = ctx.contact
        channel = self._channel(contact, step.channel)
        if channel is None:
            return None  # they refuse every medium: nothing to plan
        purpose = render(step.purpose, ctx.merge)[:300].strip()
        pending = self.pending.setdefault(contact.pk, {})
        if not purpose or purpose in pending:
            return None  # the same touch is already planned for them
        due_at = self._slot(contact, day)
        if due_at is None:
            return None  # no acceptable day within a year (every best day a holiday)
        assignee_id = self._assignee(step, contact) or contact.owner_id
        followup = _NewFollowUp(
            workspace_id=contact.workspace_id,
            contact_id=contact.pk,
            assignee_id=assignee_id,
            due_at=due_at,
            purpose=purpose,
            channel=channel.value,
            origin=origin,
            event_id=ctx.event.pk,
            run=run,
            step_index=index,
        )
        pending[purpose] = None
        if assignee_id is not None and contact.workspace_id in self._loads:
            self._loads[contact.workspace_id][assignee_id] += 1
        self.new_followups.append(followup)
        return followup

    # -- scheduling, remembered: most contacts share their preferences, so the channel and the
    # slot for a day are worked out once per distinct set of preferences, not once per touch.

    def _reach(self, contact: _ContactRow) -> tuple[ReachPrefs, tuple[Any, ...]]:
        key = contact.reach_key()
        if key not in self._prefs:
            self._prefs[key] = reach_prefs(contact)
        return self._prefs[key], key

    def _channel(self, contact: _ContactRow, wanted: str) -> TouchChannel | None:
        prefs, key = self._reach(contact)
        memo = (key, wanted)
        if memo not in self._channels:
            requested = None if wanted == "preferred" else TouchChannel(wanted)
            self._channels[memo] = choose_channel(requested, prefs)
        return self._channels[memo]

    def _slot(self, contact: _ContactRow, day: date) -> datetime | None:
        """The contact's first acceptable slot on `day` (their local day) or later, never past;
        None when there is none within a year."""
        prefs, key = self._reach(contact)
        memo = (key, day)
        if memo not in self._slots:
            day_start = datetime.combine(day, time(0), tzinfo=ZoneInfo(prefs.timezone))
            try:
                self._slots[memo] = next_slot(after=max(day_start, self.now), prefs=prefs)
            except ValueError:
                self._slots[memo] = None
        return self._slots[memo]

    def _workspace_holidays(self, workspace: Workspace) -> frozenset[date]:
        if workspace.pk not in self._holidays:
            self._holidays[workspace.pk] = workspace.holiday_dates()
        return self._holidays[workspace.pk]

    # -- who does it

    def _assignee(self, step: Step, contact: _ContactRow) -> int | None:
        members = self._active_members(contact.workspace_id)
        if step.assignee.startswith("user:"):
            email = step.assignee.removeprefix("user:").lower()
            return next((m.pk for m in members if m.email == email), None)
        if step.assignee == "round_robin":
            return self._least_loaded(contact.workspace_id, members)
        if contact.owner_id:
            return contact.owner_id
        return next((m.pk for m in members if m.role == Role.OWNER), None)

    def _active_members(self, workspace_id: int) -> list[User]:
        if workspace_id not in self._members:
            self._members[workspace_id] = list(
                User.objects.filter(workspace=workspace_id, is_active=True).order_by("id")
            )
        return self._members[workspace_id]

    def _least_loaded(self, workspace_id: int, members: list[User]) -> int | None:
        """The member with the fewest pending follow-ups: fair, and needs no stored pointer."""
        if workspace_id not in self._loads:
            self._loads[workspace_id] = Counter(
                dict(
                    FollowUp.objects.filter(assignee__in=members, status__in=PENDING)
                    .values_list("assignee")
                    .annotate(n=Count("id"))
                    .values_list("assignee", "n")
                )
            )
        loads = self._loads[workspace_id]
        chosen = min(members, key=lambda u: loads[u.pk], default=None)
        return chosen.pk if chosen else None

    # -- writing

    def _write(self) -> None:
        """Stops first: a purpose freed by a skipped follow-up may be planned again below, and
        the database allows one pending follow-up per purpose."""
        for why, run_ids in self.stops.items():
            PlaybookRun.objects.filter(pk__in=run_ids).update(
                status=RunStatus.STOPPED, stopped_at=self.now, stop_reason=why
            )
            FollowUp.objects.filter(run_id__in=run_ids, status__in=PENDING).update(
                status=Status.SKIPPED, skip_reason=why, completed_at=self.now
            )
        if self.new_runs:
            _insert_runs(self.new_runs, self.now)
        if self.new_followups:
            _insert_followups(self.new_followups)


def _insert_runs(runs: list[_NewRun], now: datetime) -> None:
    """Insert the runs, then read their ids back by the (playbook, event) unique key: the
    follow-ups need them, and executemany returns none."""
    table = Table(PlaybookRun, (
        "workspace_id", "playbook_id", "contact_id", "event_id", "stage_at_start", "status",
        "stopped_at", "stop_reason", "held_out",
    ), fixed={"started_at": now})  # fmt: skip
    table.insert_many(
        (r.workspace_id, r.playbook_id, r.contact_id, r.event_id, r.stage_at_start,
         str(r.status), r.stopped_at, r.stop_reason, r.held_out)
        for r in runs
    )  # fmt: skip
    ids = PlaybookRun.objects.filter(event_id__in={r.event_id for r in runs}).values_list(
        "playbook_id", "event_id", "id"
    )
    by_key = {(playbook_id, event_id): pk for playbook_id, event_id, pk in ids}
    for run in runs:
        run.pk = by_key[(run.playbook_id, run.event_id)]


def _insert_followups(followups: list[_NewFollowUp]) -> None:
    """One executemany. A follow-up whose purpose someone else planned meanwhile is left out by
    the one-pending-per-purpose index, as followup_create's IntegrityError would leave it."""
    # created_at is what auto_now_add would store: the moment of writing, not the engine's
    # `now` (which a tick may set in the past or the future).
    table = Table(FollowUp, (
        "workspace_id", "contact_id", "assignee_id", "due_at", "purpose", "channel", "origin",
        "status", "skip_reason", "completed_at", "event_id", "run_id", "step_index",
    ), fixed={"created_at": timezone.now()})  # fmt: skip
    table.insert_many(
        (
            (f.workspace_id, f.contact_id, f.assignee_id, f.due_at, f.purpose, f.channel,
             str(f.origin), str(f.status), f.skip_reason, f.completed_at, f.event_id, f.run.pk,
             f.step_index)
            for f in followups
        ),
        ignore_conflicts=True,
    )  # fmt: skip


def _planned_steps(steps: list[Step], ctx: _Context) -> list[tuple[int, Step, date]]:
    """The steps with the local day each falls due, leaving out those already past."""
    planned = []
    for index, step in enumerate(steps):
        day = step_due(step, event_day=ctx.event_day, data=ctx.event.data, holidays=ctx.holidays)
        if day is not None and day >= ctx.local_today:
            planned.append((index, step, day))
    return planned


def _events_with_contacts(
    event_ids: list[int],
) -> tuple[list[_EventRow], dict[int, _ContactRow]]:
    """The events in arrival order, and each of their contacts once, with the names of its
    owner and organization and its workspace read once for the batch."""
    rows = Event.objects.filter(pk__in=event_ids).order_by("received_at", "id")
    events = [
        _EventRow(*row)
        for row in rows.values_list("id", "workspace_id", "contact_id", "type", "occurred_at",
                                    "data")
    ]  # fmt: skip
    found = Contact.objects.filter(id__in={e.contact_id for e in events})
    contacts = {row[0]: _ContactRow(*row) for row in found.values_list(*CONTACT_FIELDS)}
    workspaces = Workspace.objects.in_bulk({c.workspace_id for c in contacts.values()})
    owners = User.objects.in_bulk({c.owner_id for c in contacts.values() if c.owner_id})
    organizations = dict(
        Organization.objects.filter(
            id__in={c.organization_id for c in contacts.values() if c.organization_id}
        ).values_list("id", "name")
    )
    for contact in contacts.values():
        contact.workspace = workspaces[contact.workspace_id]
        if contact.owner_id:
            contact.owner_name = str(owners[contact.owner_id])
        if contact.organization_id:
            contact.organization_name = organizations[contact.organization_id]
    return events, contacts


def _enabled_playbooks(workspace_ids: set[int]) -> dict[tuple[int, str], list[Playbook]]:
    by_trigger: dict[tuple[int, str], list[Playbook]] = defaultdict(list)
    rows = Playbook.objects.filter(workspace__in=workspace_ids, enabled=True).order_by("name")
    for playbook in rows:
        by_trigger[(playbook.workspace_id, playbook.trigger)].append(playbook)
    return dict(by_trigger)


def _active_runs(contact_ids: set[int]) -> dict[int, list[_ActiveRun]]:
    runs: dict[int, list[_ActiveRun]] = defaultdict(list)
    rows = PlaybookRun.objects.filter(contact__in=contact_ids, status=RunStatus.ACTIVE)
    for pk, contact_id, stop_conditions, event_at in rows.order_by("id").values_list(
        "id", "contact_id", "playbook__stop_conditions", "event__occurred_at"
    ):
        runs[contact_id].append(_ActiveRun(list(stop_conditions or []), event_at, pk=pk))
    return runs


def _histories(contact_ids: set[int]) -> dict[int, list[EventRecord]]:
    """Each contact's purchases and invoices, for the derived facts."""
    history: dict[int, list[EventRecord]] = defaultdict(list)
    rows = Event.objects.filter(contact__in=contact_ids, type__in=FACT_TYPES).values_list(
        "contact_id", "id", "type", "occurred_at", "data"
    )
    for contact_id, *record in rows:
        history[contact_id].append(EventRecord(*record))
    return history


def _tags(contact_ids: set[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    rows = Contact.tags.through.objects.filter(contact__in=contact_ids)
    for contact_id, name in rows.values_list("contact_id", "tag__name"):
        tags[contact_id].append(name)
    return tags


def _pending_purposes(contact_ids: set[int]) -> dict[int, dict[str, int | None]]:
    """Each contact's pending follow-ups: purpose → the stored run that planned it (if any)."""
    pending: dict[int, dict[str, int | None]] = defaultdict(dict)
    rows = FollowUp.objects.filter(contact__in=contact_ids, status__in=PENDING)
    for contact_id, purpose, run_id in rows.values_list("contact_id", "purpose", "run_id"):
        pending[contact_id][purpose] = run_id
    return pending


def _enrolled(event_ids: list[int]) -> set[tuple[int, int]]:
    """(playbook, event) pairs already started: an event enrolls a contact in a playbook once."""
    rows = PlaybookRun.objects.filter(event__in=event_ids).values_list("playbook_id", "event_id")
    return set(rows)


def _run_counts(
    events: list[_EventRow], playbooks: dict[tuple[int, str], list[Playbook]]
) -> Counter[tuple[int, int]]:
    """Runs so far per (playbook, contact), for the playbooks with a re-entry limit."""
    limited = {
        p.pk for e in events for p in playbooks[(e.workspace_id, e.type)] if p.max_runs_per_contact
    }
    if not limited:
        return Counter()
    rows = (
        PlaybookRun.objects.filter(playbook__in=limited, contact__in={e.contact_id for e in events})
        .values_list("playbook_id", "contact_id")
        .annotate(n=Count("id"))
        .values_list("playbook_id", "contact_id", "n")
    )
    return Counter({(playbook_id, contact_id): n for playbook_id, contact_id, n in rows})
