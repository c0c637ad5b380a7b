"""The engine: evaluate events against playbooks, and turn the passing of time into events.

Every unit of work claims its row first (a conditional UPDATE on `processed_at`), so any number of
workers, ticks and replays can run at once and each event is evaluated exactly once.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.activity.models import PENDING, FollowUp
from followthrough.events.models import Event
from followthrough.insight.selectors import missed_purchase_candidates
from followthrough.people.models import Contact, ImportantDate, Stage
from followthrough.people.selectors import contacts_past_cadence
from followthrough.playbooks.defaults import DEFAULT_PLAYBOOKS
from followthrough.playbooks.evaluation import evaluate
from followthrough.playbooks.models import Playbook
from followthrough.playbooks.services import playbook_create

ENGINE_SOURCE = "engine"
CADENCE_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT)
BATCH = 1000


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
            evaluate(event_ids=claimed, now=now)
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
