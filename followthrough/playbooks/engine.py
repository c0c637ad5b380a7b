"""The engine: evaluate events against playbooks, and turn the passing of time into events.

Every unit of work claims its row first (a conditional UPDATE on `processed_at`), so any number of
workers, ticks and replays can run at once and each event is evaluated exactly once.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from followthrough.accounts.models import Role, User, Workspace
from followthrough.activity.models import PENDING, FollowUp, Origin, Status
from followthrough.activity.services import reach_prefs
from followthrough.core.channels import TouchChannel
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
from followthrough.insight.selectors import missed_purchase_candidates
from followthrough.people.models import Contact, ImportantDate, Organization, Stage
from followthrough.people.selectors import contacts_past_cadence
from followthrough.playbooks.defaults import DEFAULT_PLAYBOOKS, ORIGIN_BY_TRIGGER
from followthrough.playbooks.models import Playbook, PlaybookRun, RunStatus
from followthrough.playbooks.services import playbook_create

ENGINE_SOURCE = "engine"
CADENCE_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT)
BATCH = 500
FACT_TYPES = (PURCHASE, INVOICE_ISSUED, INVOICE_PAID, INVOICE_OVERDUE, INVOICE_FAILED)


def playbooks_install_defaults(*, workspace: Workspace) -> int:
    """Add the default playbooks the workspace does not have yet (by key). Returns how many."""
    have = set(Playbook.objects.filter(workspace=workspace).values_list("key", flat=True))
    added = 0
    for data in DEFAULT_PLAYBOOKS:
        if data["key"] not in have:
            playbook_create(workspace=workspace, data=data)
            added += 1
    return added


def event_process(*, event_id: int, now: datetime | None = None) -> bool:
    """Evaluate one event: stop the runs it ends, start the playbooks it triggers.
    Returns False when another worker already processed it."""
    return events_process(event_ids=[event_id], now=now) == 1


def events_process(*, event_ids: Sequence[int], now: datetime | None = None) -> int:
    """Evaluate these events in the order they arrived, exactly as if one by one: each stops
    the runs it ends, then starts the playbooks it triggers. Events another worker has claimed
    are skipped. Returns how many this call evaluated.

    The batch is one transaction costing about a dozen queries whatever its size: what the rules
    need is read once up front and kept current in memory while the events are evaluated, and
    the runs and follow-ups are written at the end in a few statements."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim(list(event_ids), now)
        if claimed:
            _Evaluation(event_ids=claimed, now=now).run()
    return len(claimed)


def _claim(event_ids: list[int], now: datetime) -> list[int]:
    """Mark the events processed and return the ids this call marked. The conditional UPDATE is
    what keeps two workers (or a tick and a worker) from evaluating one event twice."""
    if not event_ids:
        return []
    if not connection.features.can_return_columns_from_insert:
        # No UPDATE … RETURNING (SQLite before 3.35): claim one row at a time.
        unclaimed = Event.objects.filter(processed_at__isnull=True)
        return [i for i in event_ids if unclaimed.filter(pk=i).update(processed_at=now)]
    marks = ", ".join(["%s"] * len(event_ids))
    sql = (
        f"UPDATE {Event._meta.db_table} SET processed_at = %s "  # noqa: S608 - no input in it
        f"WHERE processed_at IS NULL AND id IN ({marks}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *event_ids])
        return [row[0] for row in cursor.fetchall()]


def _stop_reason(event_type: str) -> str | None:
    if event_type in REPLY_TYPES:
        return "replied"
    return {PURCHASE: "bought", "email.unsubscribed": "unsubscribed"}.get(event_type)


def _record(event: Event) -> EventRecord:
    return EventRecord(event.pk, event.type, event.occurred_at, event.data)


@dataclass
class _Context:
    """What every playbook evaluated for one event needs, computed once."""

    event: Event
    contact: Contact
    facts: dict[str, Any]
    view: ContactView
    local_today: date
    event_day: date
    holidays: frozenset[date]
    merge: dict[str, Any] = field(default_factory=dict)


def _context(
    event: Event, now: datetime, *, history: list[EventRecord], tags: list[str]
) -> _Context:
    contact = event.contact
    needs_facts = event.type == PURCHASE or event.type.startswith("invoice.")
    facts = facts_at(history, trigger=_record(event)) if needs_facts else None
    fact_values = facts.as_dict() if facts else {}
    tags = sorted(tags)
    tz = ZoneInfo(contact.timezone or contact.workspace.timezone)
    merge = {
        "first_name": contact.first_name or contact.name,
        "last_name": contact.last_name,
        "name": contact.name,
        "organization": contact.organization.name
        if contact.organization_id and contact.organization
        else "",
        "interest": tags[0] if tags else "what matters to them",
        "interests": ", ".join(tags),
        "owner": str(contact.owner) if contact.owner else "",
        **fact_values,
        **{f"data.{k}": v for k, v in event.data.items() if not isinstance(v, dict | list)},
    }
    return _Context(
        event=event,
        contact=contact,
        facts=fact_values,
        view=ContactView(stage=contact.stage, tier=contact.tier, tags=frozenset(tags)),
        local_today=now.astimezone(tz).date(),
        event_day=event.occurred_at.astimezone(tz).date(),
        holidays=contact.workspace.holiday_dates(),
        merge=merge,
    )


@dataclass
class _ActiveRun:
    """An active run as the stop rules see it: stored before this batch (`pk`), or started in
    it (`row`, with the follow-ups it planned, not yet written)."""

    stop_conditions: list[str]
    event_at: datetime
    pk: int | None = None
    row: PlaybookRun | None = None
    followups: list[FollowUp] = field(default_factory=list)


class _Evaluation:
    """One batch of claimed events, evaluated in arrival order against state read once (the
    playbooks, each contact's history, tags, active runs, pending purposes, run counts) and kept
    current in memory, so later events see what earlier ones did, as they would one by one."""

    def __init__(self, *, event_ids: list[int], now: datetime) -> None:
        self.now = now
        self.events = _events_with_contacts(event_ids)
        self.playbooks = _enabled_playbooks({e.workspace_id for e in self.events})
        triggered = [e for e in self.events if (e.workspace_id, e.type) in self.playbooks]
        self.runs = _active_runs({e.contact_id for e in self.events if _stop_reason(e.type)})
        self.history = _histories({e.contact_id for e in triggered if _needs_facts(e.type)})
        self.tags = _tags({e.contact_id for e in triggered})
        self.pending = _pending_purposes({e.contact_id for e in triggered})
        self.enrolled = _enrolled([e.pk for e in triggered])
        self.run_counts = _run_counts(triggered, self.playbooks)
        self.stops: dict[str, list[int]] = defaultdict(list)
        self.new_runs: list[PlaybookRun] = []
        self.new_followups: list[FollowUp] = []
        self._prefs: dict[int, ReachPrefs] = {}
        self._members: dict[int, list[User]] = {}
        self._loads: dict[int, Counter[int]] = {}
        self._steps: dict[int, list[Step]] = {}

    def run(self) -> None:
        for event in self.events:
            self._stop_runs(event)
            self._evaluate(event)
        self._write()

    # -- stop conditions (the rules of services.runs_stop, applied to the batch's state)

    def _stop_runs(self, event: Event) -> None:
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
        row = cast(PlaybookRun, run.row)  # not stored yet: stopped before it is written
        row.status, row.stopped_at, row.stop_reason = RunStatus.STOPPED, self.now, why
        for followup in run.followups:
            followup.status, followup.skip_reason = Status.SKIPPED, why
            followup.completed_at = self.now
            pending.pop(followup.purpose, None)
            loads = self._loads.get(followup.workspace_id)
            if loads is not None and followup.assignee_id is not None:
                loads[followup.assignee_id] -= 1

    # -- playbooks

    def _evaluate(self, event: Event) -> None:
        playbooks = self.playbooks.get((event.workspace_id, event.type))
        if not playbooks:
            return
        ctx = _context(
            event,
            self.now,
            history=self.history.get(event.contact_id, []),
            tags=self.tags.get(event.contact_id, []),
        )
        for playbook in playbooks:
            if matches(playbook.conditions, contact=ctx.view, facts=ctx.facts, data=event.data):
                self._enroll(playbook, ctx)

    def _enroll(self, playbook: Playbook, ctx: _Context) -> None:
        """Start the playbook for the contact unless it is at its re-entry limit or every step
        would already be in the past (an imported purchase from 2019 gets no thank-you note)."""
        key = (playbook.pk, ctx.contact.pk)
        limit = playbook.max_runs_per_contact
        if limit is not None and self.run_counts[key] >= limit:
            return
        if playbook.pk not in self._steps:
            self._steps[playbook.pk] = parse_steps(playbook.steps)
        planned = _planned_steps(self._steps[playbook.pk], ctx)
        if not planned or (playbook.pk, ctx.event.pk) in self.enrolled:
            return
        row = PlaybookRun(
            workspace_id=ctx.contact.workspace_id,
            playbook=playbook,
            contact=ctx.contact,
            event=ctx.event,
            stage_at_start=ctx.contact.stage,
            started_at=self.now,
            held_out=in_holdout(playbook, ctx.contact),
        )
        self.enrolled.add((playbook.pk, ctx.event.pk))
        self.run_counts[key] += 1
        self.new_runs.append(row)
        run = _ActiveRun(list(playbook.stop_conditions or []), ctx.event.occurred_at, row=row)
        self.runs.setdefault(ctx.contact.pk, []).append(run)
        if row.held_out:
            return  # the control group: enrolled, so the lift report counts them, but untouched
        origin = ORIGIN_BY_TRIGGER.get(playbook.trigger, Origin.PLAYBOOK)
        for index, step, day in planned:
            followup = self._plan_step(row, index, step, day, ctx, origin)
            if followup is not None:
                run.followups.append(followup)

    def _plan_step(
        self, run: PlaybookRun, index: int, step: Step, day: date, ctx: _Context, origin: str
    ) -> FollowUp | None:
        """The follow-up as activity.services.followup_create would plan it: the requested
        channel or the next one they accept, their first acceptable slot on that day."""
        contact = ctx.contact
        prefs = self._reach(contact)
        requested = None if step.channel == "preferred" else TouchChannel(step.channel)
        channel = choose_channel(requested, prefs)
        if channel is None:
            return None  # they refuse every medium: nothing to plan
        purpose = render(step.purpose, ctx.merge)[:300].strip()
        pending = self.pending.setdefault(contact.pk, {})
        if not purpose or purpose in pending:
            return None  # the same touch is already planned for them
        try:
            due_at = _slot_on(day, prefs, self.now)
        except ValueError:
            return None  # no acceptable day within a year (every best day a holiday)
        assignee = self._assignee(step, contact) or contact.owner
        followup = FollowUp(
            workspace_id=contact.workspace_id,
            contact=contact,
            assignee=assignee,
            due_at=due_at,
            purpose=purpose,
            channel=channel.value,
            origin=origin,
            event=ctx.event,
            run=run,
            step_index=index,
        )
        pending[purpose] = None
        if assignee is not None and contact.workspace_id in self._loads:
            self._loads[contact.workspace_id][assignee.pk] += 1
        self.new_followups.append(followup)
        return followup

    def _reach(self, contact: Contact) -> ReachPrefs:
        if contact.pk not in self._prefs:
            self._prefs[contact.pk] = reach_prefs(contact)
        return self._prefs[contact.pk]

    def _assignee(self, step: Step, contact: Contact) -> User | None:
        members = self._active_members(contact.workspace_id)
        if step.assignee.startswith("user:"):
            email = step.assignee.removeprefix("user:").lower()
            return next((m for m in members if m.email == email), None)
        if step.assignee == "round_robin":
            return self._least_loaded(contact.workspace_id, members)
        if contact.owner_id:
            return contact.owner
        return next((m for m in members if m.role == Role.OWNER), None)

    def _active_members(self, workspace_id: int) -> list[User]:
        if workspace_id not in self._members:
            self._members[workspace_id] = list(
                User.objects.filter(workspace=workspace_id, is_active=True).order_by("id")
            )
        return self._members[workspace_id]

    def _least_loaded(self, workspace_id: int, members: list[User]) -> User | None:
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
        return min(members, key=lambda u: loads[u.pk], default=None)

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
        if connection.features.can_return_rows_from_bulk_insert:
            PlaybookRun.objects.bulk_create(self.new_runs)
        else:
            for row in self.new_runs:  # the follow-ups below need the runs' ids
                row.save()
        # Every value was built above from validated playbooks and stored contacts, so there is
        # nothing for full_clean to catch; a purpose planned meanwhile by someone else is
        # skipped by the unique constraint, as followup_create's IntegrityError would be.
        FollowUp.objects.bulk_create(self.new_followups, ignore_conflicts=True)


def in_holdout(playbook: Playbook, contact: Contact) -> bool:
    """Whether the contact is in the playbook's control group. A hash of the pair rather than a
    coin toss, so a person stays on the same side every time the playbook triggers for them."""
    if playbook.holdout_percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout:{playbook.pk}:{contact.pk}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < playbook.holdout_percent * 100


def _needs_facts(event_type: str) -> bool:
    return event_type == PURCHASE or event_type.startswith("invoice.")


def _slot_on(day: date, prefs: ReachPrefs, now: datetime) -> datetime:
    """The contact's first acceptable slot on `day` (their local day) or later, never past."""
    day_start = datetime.combine(day, time(0), tzinfo=ZoneInfo(prefs.timezone))
    return next_slot(after=max(day_start, now), prefs=prefs)


def _planned_steps(steps: list[Step], ctx: _Context) -> list[tuple[int, Step, date]]:
    """The steps with the local day each falls due, leaving out those already past."""
    planned = []
    for index, step in enumerate(steps):
        day = step_due(step, event_day=ctx.event_day, data=ctx.event.data, holidays=ctx.holidays)
        if day is not None and day >= ctx.local_today:
            planned.append((index, step, day))
    return planned


def _events_with_contacts(event_ids: list[int]) -> list[Event]:
    """The events in arrival order with their contacts, and each contact's workspace, owner and
    organization read once for the batch rather than joined into every row."""
    rows = Event.objects.filter(pk__in=event_ids).select_related("contact")
    events = list(rows.order_by("received_at", "id"))
    contacts = [e.contact for e in events]
    workspaces = Workspace.objects.in_bulk({c.workspace_id for c in contacts})
    owners = User.objects.in_bulk({c.owner_id for c in contacts if c.owner_id})
    organizations = Organization.objects.in_bulk(
        {c.organization_id for c in contacts if c.organization_id}
    )
    for contact in contacts:
        contact.workspace = workspaces[contact.workspace_id]
        contact.owner = owners.get(contact.owner_id) if contact.owner_id else None
        if contact.organization_id:
            contact.organization = organizations[contact.organization_id]
    return events


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
    events: list[Event], playbooks: dict[tuple[int, str], list[Playbook]]
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


def events_process_pending(
    *, workspace: Workspace | None = None, now: datetime | None = None, limit: int | None = None
) -> int:
    """Evaluate every event not yet processed (oldest first). Returns how many this call did."""
    pending = Event.objects.filter(processed_at__isnull=True)
    if workspace is not None:
        pending = pending.filter(workspace=workspace)
    ids = list(pending.order_by("received_at", "id").values_list("id", flat=True)[:limit])
    return sum(
        events_process(event_ids=ids[start : start + BATCH], now=now)
        for start in range(0, len(ids), BATCH)
    )


@dataclass
class TickReport:
    neglected: int = 0
    dates: int = 0
    missed: int = 0
    processed: int = 0

    @property
    def derived(self) -> int:
        return self.neglected + self.dates + self.missed


def engine_tick(*, now: datetime | None = None, workspace: Workspace | None = None) -> TickReport:
    """Turn time into events (cadence passed, a date coming up, a rhythm missed), then evaluate
    every pending event. Derived events are keyed by what they are about (the contact and their
    last touch, the date and its year, the last purchase), so a second tick for the same moment
    finds them already stored and creates nothing."""
    now = now or timezone.now()
    report = TickReport()
    workspaces = [workspace] if workspace else list(Workspace.objects.all())
    for ws in workspaces:
        report.neglected += _derive_neglected(ws, now)
        report.dates += _derive_dates(ws, now)
        report.missed += _derive_missed(ws, now)
        report.processed += events_process_pending(workspace=ws, now=now)
    return report


def _derived(ws: Workspace, rows: Iterable[tuple[int, str, datetime, dict[str, Any]]]) -> int:
    """Store derived events, skipping those already stored (same external id)."""
    events = [
        Event(
            workspace=ws,
            contact_id=contact_id,
            type=kind,
            source=ENGINE_SOURCE,
            external_id=f"{kind}:{contact_id}:{data.pop('key')}",
            occurred_at=at,
            data=data,
        )
        for contact_id, kind, at, data in rows
    ]
    created = 0
    for start in range(0, len(events), BATCH):
        chunk = events[start : start + BATCH]
        # exclude(external_id="") repeats the unique index's condition so SQLite uses it.
        stored = Event.objects.filter(workspace=ws, source=ENGINE_SOURCE).exclude(external_id="")
        existing = set(
            stored.filter(external_id__in=[e.external_id for e in chunk]).values_list(
                "external_id", flat=True
            )
        )
        fresh = [e for e in chunk if e.external_id not in existing]
        Event.objects.bulk_create(fresh, ignore_conflicts=True)
        created += len(fresh)
    return created


def _derive_neglected(ws: Workspace, now: datetime) -> int:
    """Leads, prospects and clients past their cadence with nothing pending get a
    contact.neglected event (lapsed and former contacts are left to their own playbooks)."""
    pending = FollowUp.objects.filter(contact=OuterRef("pk"), status__in=PENDING)
    book = Contact.objects.filter(workspace=ws, stage__in=CADENCE_STAGES)
    past = contacts_past_cadence(contacts=book, workspace=ws, now=now)
    rows = past.filter(~Exists(pending)).values_list("id", "last_touched_at", "created_at")
    return _derived(
        ws,
        (
            (
                cid,
                "contact.neglected",
                now,
                {
                    "key": (touched or created).date().isoformat(),
                    "days_untouched": (now - (touched or created)).days,
                },
            )
            for cid, touched, created in rows
        ),
    )


def _derive_dates(ws: Workspace, now: datetime) -> int:
    """Birthdays and client anniversaries within the workspace's lead days."""
    tz = ZoneInfo(ws.timezone)
    today = now.astimezone(tz).date()
    horizon = [today + timedelta(days=d) for d in range(ws.date_lead_days + 1)]
    wanted = Q()
    for upcoming in horizon:
        wanted |= Q(month=upcoming.month, day=upcoming.day)
    dates = (
        ImportantDate.objects.filter(
            wanted,
            contact__workspace=ws,
            kind__in=("birthday", "client_since"),
        )
        .exclude(contact__stage=Stage.FORMER)
        .values_list("id", "contact_id", "kind", "month", "day", "year")
    )
    rows = []
    for date_id, contact_id, kind, month, day, year in dates:
        on = next(d for d in horizon if (d.month, d.day) == (month, day))
        data: dict[str, Any] = {"key": f"{date_id}:{on.year}", "kind": kind, "date": on.isoformat()}
        if kind == "client_since" and year:
            if on.year - year < 1:
                continue
            data["years"] = on.year - year
        rows.append((contact_id, "date.upcoming", now, data))
    return _derived(ws, rows)


def _derive_missed(ws: Workspace, now: datetime) -> int:
    """Regular buyers who missed their rhythm → purchase.missed, once per last purchase.

    Who missed it is insight's call: each customer's own rhythm and, where the workspace's
    purchase model is fitted, their chance of still being active; the simple rule (three or
    more purchases and more than 1.5 × the median interval) when it is not."""
    today = now.astimezone(ZoneInfo(ws.timezone)).date()
    derived = []
    for contact_id, typical, since, p_alive, reason in missed_purchase_candidates(
        workspace=ws, now=now
    ):
        last = (today - timedelta(days=since)).isoformat()
        data: dict[str, Any] = {"typical_days": round(typical), "days_since": since,
                                "last_purchase": last, "reason": reason}
        if p_alive is not None:
            data["p_alive"] = round(p_alive, 3)
        derived.append((contact_id, "purchase.missed", now, {"key": last, **data}))
    return _derived(ws, derived)
