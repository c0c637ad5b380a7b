"""Reads for the agenda and the contact timeline."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Min, QuerySet, Value, When

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import PENDING, FollowUp, Interaction
from followthrough.events.models import Event
from followthrough.people.models import TIER_RANK, Contact

AGENDA_LIMIT = 100  # rows per section; the page says how many more there are
UPCOMING_DAYS = 7

_tier_rank = Case(
    *[When(contact__tier=tier, then=Value(rank)) for tier, rank in TIER_RANK.items()],
    default=Value(len(TIER_RANK)),
    output_field=IntegerField(),
)


@dataclass
class AgendaSection:
    followups: Sequence[FollowUp]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.followups)


@dataclass
class Agenda:
    day: date
    timezone: str
    overdue: AgendaSection
    today: AgendaSection
    upcoming: AgendaSection
    sections: list[tuple[str, str, AgendaSection]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sections = [
            ("overdue", "Overdue", self.overdue),
            ("today", "Today", self.today),
            ("upcoming", f"Next {UPCOMING_DAYS} days", self.upcoming),
        ]


# "Pending" written out as SQL text rather than bound parameters: SQLite uses a partial index
# only when the query repeats the index's condition literally, and the agenda's indexes hold
# only pending rows (followup_pending_by_due, followup_mine_by_due). The values are our own
# constants, never input.
_PENDING_SQL = f"{FollowUp._meta.db_table}.status IN ({', '.join(repr(str(s)) for s in PENDING)})"


def followup_pending(*, workspace: Workspace, user: User | None) -> QuerySet[FollowUp]:
    """Open and snoozed follow-ups of the workspace; only `user`'s when given."""
    followups = FollowUp.objects.filter(workspace=workspace).extra(where=[_PENDING_SQL])  # noqa: S610
    if user is not None:
        followups = followups.filter(assignee=user)
    return followups


def agenda_get(
    *,
    workspace: Workspace,
    user: User | None,
    now: datetime,
    tz_name: str,
    limit: int = AGENDA_LIMIT,
) -> Agenda:
    """Overdue, today and the coming week for `user` (None: the whole team), with days counted in
    `tz_name` (the reader's time zone). Each section is ordered by tier (gold first), then by
    lateness (the longest waiting first)."""
    tz = ZoneInfo(tz_name)
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    week_end = datetime.combine(today + timedelta(days=UPCOMING_DAYS + 1), time(0), tzinfo=tz)
    pending = followup_pending(workspace=workspace, user=user)
    return Agenda(
        day=today,
        timezone=tz_name,
        overdue=_section(pending.filter(due_at__lt=start), limit),
        today=_section(pending.filter(due_at__gte=start, due_at__lt=tomorrow), limit),
        upcoming=_section(pending.filter(due_at__gte=tomorrow, due_at__lt=week_end), limit),
    )


def _section(followups: QuerySet[FollowUp], limit: int) -> AgendaSection:
    """The first `limit` rows by tier (gold first), then by lateness. One short query per tier,
    each reading the pending-by-due-time index in order and stopping at the rows still needed,
    instead of ranking every pending row of the book: with thousands overdue, that sort was
    most of the team agenda's time (bench/README.md)."""
    rows: list[FollowUp] = []
    for tier in TIER_RANK:  # gold, silver, bronze, none: every value Contact.tier may hold
        if len(rows) >= limit:
            break
        rows += (
            # run__playbook and event: each row says which playbook step planned it.
            followups.filter(contact__tier=tier)
            .select_related("contact__organization", "assignee", "run__playbook", "event")
            .order_by("due_at", "id")[: limit - len(rows)]
        )
    total = len(rows) if len(rows) < limit else followups.count()
    return AgendaSection(rows, total)


@dataclass(frozen=True)
class TimelineEntry:
    kind: Literal["interaction", "followup"]
    at: datetime
    item: Interaction | FollowUp


def contact_timeline(*, contact: Contact, limit: int = 200) -> list[TimelineEntry]:
    """Interactions and follow-ups of one contact, newest first; pending follow-ups by due time,
    closed ones by when they were closed."""
    interactions = contact.interactions.select_related("user").order_by("-occurred_at")[:limit]
    followups = (
        contact.followups.select_related("assignee")
        .exclude(status="done")
        .order_by("-due_at")[:limit]
    )
    entries = [TimelineEntry("interaction", i.occurred_at, i) for i in interactions]
    entries += [
        TimelineEntry("followup", f.completed_at if f.completed_at else f.due_at, f)
        for f in followups
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def touches_in_last(*, contact: Contact, days: int, now: datetime) -> int:
    return contact.interactions.filter(occurred_at__gte=now - timedelta(days=days)).count()


def completed_followups(*, interactions: list[Interaction]) -> dict[int, FollowUp]:
    """The follow-up each of these interactions completed, by interaction id (one query, so a
    timeline can say "planned as …" without a query per row)."""
    ids = [i.pk for i in interactions]
    followups = FollowUp.objects.filter(interaction_id__in=ids, interaction_id__isnull=False)
    return {f.interaction_id: f for f in followups if f.interaction_id is not None}


def next_pending_due(*, contact_ids: list[int]) -> dict[int, datetime]:
    """The earliest pending follow-up's due time per contact, for those that have one."""
    rows = (
        FollowUp.objects.filter(contact_id__in=contact_ids, status__in=PENDING)
        .values("contact_id")
        .annotate(due=Min("due_at"))
    )
    return {row["contact_id"]: row["due"] for row in rows}


def interaction_list(
    *, workspace: Workspace, contact: Contact | None = None
) -> QuerySet[Interaction]:
    """Logged touches of the workspace (of one contact when given), newest first."""
    interactions = Interaction.objects.filter(workspace=workspace)
    if contact is not None:
        interactions = interactions.filter(contact=contact)
    return interactions.select_related("contact").order_by("-occurred_at", "-id")


def followup_list(
    *,
    workspace: Workspace,
    statuses: tuple[str, ...] = (),
    assignee: User | None = None,
    contact: Contact | None = None,
    due_from: datetime | None = None,
    due_before: datetime | None = None,
) -> QuerySet[FollowUp]:
    """Follow-ups of the workspace by due time, narrowed by status (any of `statuses`), assignee,
    contact and a due range [due_from, due_before)."""
    followups = FollowUp.objects.filter(workspace=workspace)
    if statuses:
        followups = followups.filter(status__in=statuses)
    if assignee is not None:
        followups = followups.filter(assignee=assignee)
    if contact is not None:
        followups = followups.filter(contact=contact)
    if due_from is not None:
        followups = followups.filter(due_at__gte=due_from)
    if due_before is not None:
        followups = followups.filter(due_at__lt=due_before)
    return followups.select_related("contact", "assignee").order_by("due_at", "id")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a contact's whole timeline (DESIGN C2): a touch, an event or a follow-up."""

    kind: Literal["interaction", "followup", "event"]
    at: datetime
    item: Interaction | FollowUp | Event


def contact_history(*, contact: Contact, limit: int = 200) -> list[HistoryEntry]:
    """Like contact_timeline, with the contact's events (purchases, payments, clicks…) merged in
    by when they happened. Follow-ups come with the playbook run and event that planned them."""
    interactions = contact.interactions.select_related("user").order_by("-occurred_at")[:limit]
    entries = [HistoryEntry("interaction", i.occurred_at, i) for i in interactions]
    followups = (
        contact.followups.select_related("assignee", "run__playbook", "event")
        .exclude(status="done")
        .order_by("-due_at")[:limit]
    )
    entries += [HistoryEntry("followup", f.completed_at or f.due_at, f) for f in followups]
    events = Event.objects.filter(contact=contact).order_by("-occurred_at", "-id")[:limit]
    entries += [HistoryEntry("event", e.occurred_at, e) for e in events]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def followups_planned_by(*, event: Event) -> list[FollowUp]:
    """The follow-ups an event planned (through its playbooks), by due time."""
    followups = FollowUp.objects.filter(event=event).select_related("run__playbook")
    return list(followups.order_by("due_at", "id"))
