"""The engine: evaluate events against playbooks, and turn the passing of time into events.

Every unit of work claims its row first (a conditional UPDATE on `processed_at`), so any number of
workers, ticks and replays can run at once and each event is evaluated exactly once.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from followthrough.accounts.models import Role, User, Workspace
from followthrough.activity.models import PENDING, FollowUp, Origin
from followthrough.activity.services import Provenance, followup_create, reach_prefs
from followthrough.core.channels import TouchChannel
from followthrough.core.event_types import REPLY_TYPES
from followthrough.core.facts import PURCHASE, EventRecord, facts_at, purchase_missed
from followthrough.core.playbooks import ContactView, Step, matches, parse_steps, render, step_due
from followthrough.core.scheduling import choose_channel
from followthrough.events.models import Event
from followthrough.people.models import Contact, ImportantDate, Stage
from followthrough.people.selectors import contacts_past_cadence
from followthrough.playbooks.defaults import DEFAULT_PLAYBOOKS, ORIGIN_BY_TRIGGER
from followthrough.playbooks.models import Playbook, PlaybookRun
from followthrough.playbooks.services import playbook_create, runs_stop

ENGINE_SOURCE = "engine"
CADENCE_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT)
BATCH = 500


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
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Event.objects.filter(pk=event_id, processed_at__isnull=True).update(
            processed_at=now
        )
        if not claimed:
            return False
        event = Event.objects.select_related("contact__workspace", "contact__owner").get(
            pk=event_id
        )
        _stop_runs(event, now)
        playbooks = list(
            Playbook.objects.filter(workspace=event.workspace_id, trigger=event.type, enabled=True)
        )
        if playbooks:
            _evaluate(event, playbooks, now)
    return True


def _stop_runs(event: Event, now: datetime) -> None:
    reason = {PURCHASE: "bought", "email.unsubscribed": "unsubscribed"}.get(event.type)
    if event.type in REPLY_TYPES:
        reason = "replied"
    if reason:
        runs_stop(contact=event.contact, reason=reason, before=event.occurred_at, now=now)


def _records(contact: Contact) -> list[EventRecord]:
    rows = Event.objects.filter(
        contact=contact,
        type__in=(
            PURCHASE,
            "invoice.issued",
            "invoice.paid",
            "invoice.overdue",
            "invoice.payment_failed",
        ),
    ).values_list("id", "type", "occurred_at", "data")
    return [EventRecord(*row) for row in rows]


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


def _context(event: Event, now: datetime) -> _Context:
    contact = event.contact
    needs_facts = event.type == PURCHASE or event.type.startswith("invoice.")
    facts = facts_at(_records(contact), trigger=_record(event)) if needs_facts else None
    fact_values = facts.as_dict() if facts else {}
    tags = sorted(contact.tags.values_list("name", flat=True))
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


def _evaluate(event: Event, playbooks: list[Playbook], now: datetime) -> None:
    ctx = _context(event, now)
    for playbook in playbooks:
        if matches(playbook.conditions, contact=ctx.view, facts=ctx.facts, data=event.data):
            _enroll(playbook, ctx, now)


def _enroll(playbook: Playbook, ctx: _Context, now: datetime) -> None:
    """Start the playbook for the contact unless it is at its re-entry limit or every step would
    already be in the past (an imported purchase from 2019 gets no thank-you note)."""
    if playbook.max_runs_per_contact is not None:
        runs = PlaybookRun.objects.filter(playbook=playbook, contact=ctx.contact).count()
        if runs >= playbook.max_runs_per_contact:
            return
    steps = parse_steps(playbook.steps)
    due_days = [
        step_due(s, event_day=ctx.event_day, data=ctx.event.data, holidays=ctx.holidays)
        for s in steps
    ]
    planned = [
        (i, s, d)
        for i, (s, d) in enumerate(zip(steps, due_days, strict=True))
        if d is not None and d >= ctx.local_today
    ]
    if not planned:
        return
    held_out = in_holdout(playbook, ctx.contact)
    try:
        with transaction.atomic():
            run = PlaybookRun.objects.create(
                workspace_id=ctx.contact.workspace_id,
                playbook=playbook,
                contact=ctx.contact,
                event=ctx.event,
                stage_at_start=ctx.contact.stage,
                started_at=now,
                held_out=held_out,
            )
    except IntegrityError:
        return  # this event already enrolled the contact in this playbook
    if held_out:
        return
    origin = ORIGIN_BY_TRIGGER.get(playbook.trigger, Origin.PLAYBOOK)
    for index, step, day in planned:
        _plan_step(run, index, step, day, ctx, origin, now)


def in_holdout(playbook: Playbook, contact: Contact) -> bool:
    """Whether the contact is in the playbook's control group. A hash of the pair rather than a
    coin toss, so a person stays on the same side every time the playbook triggers for them."""
    if playbook.holdout_percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout:{playbook.pk}:{contact.pk}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < playbook.holdout_percent * 100


def _plan_step(
    run: PlaybookRun,
    index: int,
    step: Step,
    day: date,
    ctx: _Context,
    origin: str,
    now: datetime,
) -> FollowUp | None:
    contact = ctx.contact
    requested = None if step.channel == "preferred" else TouchChannel(step.channel)
    channel = choose_channel(requested, reach_prefs(contact))
    if channel is None:
        return None  # they refuse every medium: nothing to plan
    purpose = render(step.purpose, ctx.merge)[:300]
    try:
        with transaction.atomic():
            return followup_create(
                contact=contact,
                by=None,
                purpose=purpose,
                due=day,
                channel=channel.value,
                assignee=_assignee(step, contact),
                origin=origin,
                now=now,
                provenance=Provenance(event=ctx.event, run=run, step_index=index),
            )
    except (ValidationError, IntegrityError):
        # The same touch is already planned for them (no two open follow-ups with one purpose).
        return None


def _assignee(step: Step, contact: Contact) -> User | None:
    members = User.objects.filter(workspace=contact.workspace_id, is_active=True)
    if step.assignee.startswith("user:"):
        return members.filter(email=step.assignee.removeprefix("user:").lower()).first()
    if step.assignee == "round_robin":
        return _least_loaded(members)
    if contact.owner_id:
        return contact.owner
    return members.filter(role=Role.OWNER).order_by("id").first()


def _least_loaded(members: Any) -> User | None:
    """The member with the fewest pending follow-ups: fair, and needs no stored pointer."""
    loads = dict(
        FollowUp.objects.filter(assignee__in=members, status__in=PENDING)
        .values_list("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    ordered = sorted(members.order_by("id"), key=lambda u: loads.get(u.pk, 0))
    return ordered[0] if ordered else None


def events_process_pending(
    *, workspace: Workspace | None = None, now: datetime | None = None, limit: int | None = None
) -> int:
    """Evaluate every event not yet processed (oldest first). Returns how many this call did."""
    pending = Event.objects.filter(processed_at__isnull=True)
    if workspace is not None:
        pending = pending.filter(workspace=workspace)
    ids = list(pending.order_by("received_at", "id").values_list("id", flat=True)[:limit])
    return sum(event_process(event_id=i, now=now) for i in ids)


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
        existing = set(
            Event.objects.filter(
                workspace=ws, source=ENGINE_SOURCE, external_id__in=[e.external_id for e in chunk]
            ).values_list("external_id", flat=True)
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
    """The simple rhythm rule: three or more purchases and more than 1.5 × the median interval
    since the last one → purchase.missed (once per last purchase)."""
    tz = ZoneInfo(ws.timezone)
    today = now.astimezone(tz).date()
    frequent = (
        Event.objects.filter(workspace=ws, type=PURCHASE)
        .values("contact_id")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .values_list("contact_id", flat=True)
    )
    purchases: dict[int, list[date]] = defaultdict(list)
    rows = (
        Event.objects.filter(workspace=ws, type=PURCHASE, contact_id__in=frequent)
        .exclude(contact__stage=Stage.FORMER)
        .values_list("contact_id", "occurred_at")
    )
    for contact_id, at in rows.iterator(chunk_size=5000):
        purchases[contact_id].append(at.astimezone(tz).date())
    derived = []
    for contact_id, days in purchases.items():
        missed = purchase_missed(days, today=today)
        if missed:
            typical, since = missed
            derived.append(
                (
                    contact_id,
                    "purchase.missed",
                    now,
                    {
                        "key": max(days).isoformat(),
                        "typical_days": round(typical),
                        "days_since": since,
                        "last_purchase": max(days).isoformat(),
                    },
                )
            )
    return _derived(ws, derived)
