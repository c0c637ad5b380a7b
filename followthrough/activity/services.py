"""Writes for the tracking log and follow-ups. One function per state change (STYLE habit 3)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import PENDING, Direction, FollowUp, Interaction, Origin, Status
from followthrough.core.channels import MEDIUM_OF, TOUCH_LABELS, Medium, Preference, TouchChannel
from followthrough.core.scheduling import ReachPrefs, choose_channel, next_slot
from followthrough.events.models import Event
from followthrough.people.models import Contact
from followthrough.playbooks.models import PlaybookRun
from followthrough.playbooks.services import runs_stop


class Reachable(Protocol):
    """What reach_prefs reads: a Contact, or the engine's lighter row of one."""

    timezone: str
    best_days: list[int]
    best_hours_start: time | None
    best_hours_end: time | None

    @property
    def workspace(self) -> Workspace: ...

    def preferences(self) -> dict[Medium, Preference]: ...


def reach_prefs(contact: Reachable) -> ReachPrefs:
    """The contact's row as the scheduling core sees it."""
    start, end = contact.best_hours_start, contact.best_hours_end
    return ReachPrefs(
        timezone=contact.timezone or contact.workspace.timezone,
        preferences=contact.preferences(),
        best_days=frozenset(contact.best_days or ()),
        best_hours=(start, end) if start and end else None,
        holidays=contact.workspace.holiday_dates(),
    )


def _channel_for(contact: Contact, requested: str | None) -> TouchChannel:
    """The requested touch, or the contact's preferred one when nothing is requested.

    Raises ValidationError on `channel` when the contact refuses that medium (a person should
    hear it and choose, not have it silently swapped) or refuses every medium.
    """
    wanted = TouchChannel(requested) if requested else None
    chosen = choose_channel(wanted, reach_prefs(contact))
    if chosen is None:
        raise ValidationError({"channel": f"{contact.name} refuses every way of being contacted."})
    if wanted is not None and chosen is not wanted:
        medium = MEDIUM_OF[wanted]
        label = medium.value.replace("_", " ") if medium else wanted.value
        raise ValidationError(
            {
                "channel": f"{contact.name} refuses {label}; try {TOUCH_LABELS[chosen].lower()} "
                "or leave the channel to their preference."
            }
        )
    return chosen


def _slot_on_or_after(contact: Contact, *, day: date | None, now: datetime) -> datetime:
    """The contact's first acceptable slot on `day` or later (never in the past)."""
    if day is None:
        return next_slot(after=now, prefs=reach_prefs(contact))
    prefs = reach_prefs(contact)
    day_start = datetime.combine(day, time(0), tzinfo=ZoneInfo(prefs.timezone))
    return next_slot(after=max(day_start, now), prefs=prefs)


def _check_assignee(contact: Contact, assignee: User | None) -> None:
    if assignee is not None and assignee.workspace_id != contact.workspace_id:
        raise ValidationError({"assignee": "Not found in this workspace."})


@dataclass(frozen=True)
class Provenance:
    """Which event and playbook step planned a follow-up."""

    event: Event
    run: PlaybookRun | None = None
    step_index: int | None = None


def followup_pending_with_purpose(*, contact: Contact, purpose: str) -> bool:
    return FollowUp.objects.filter(contact=contact, purpose=purpose, status__in=PENDING).exists()


@transaction.atomic
def followup_create(
    *,
    contact: Contact,
    by: User | None,
    purpose: str,
    due: date | None = None,
    channel: str | None = None,
    assignee: User | None = None,
    origin: str = Origin.MANUAL,
    now: datetime | None = None,
    provenance: Provenance | None = None,
) -> FollowUp:
    """Plan a touch for `due` (a date in the contact's time zone; None means the next slot).
    The moment is the contact's first acceptable slot that day or after; the channel is the
    requested one or, when None, the one they prefer. An unassigned follow-up goes to the
    contact's owner, else to the person creating it."""
    now = now or timezone.now()
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError({"purpose": "Say why you are getting in touch."})
    _check_assignee(contact, assignee)
    if followup_pending_with_purpose(contact=contact, purpose=purpose[:300]):
        raise ValidationError(
            {"purpose": f"{contact.name} already has an open follow-up “{purpose[:300]}”."}
        )
    followup = FollowUp(
        workspace_id=contact.workspace_id,
        contact=contact,
        assignee=assignee or contact.owner or by,
        due_at=_slot_on_or_after(contact, day=due, now=now),
        purpose=purpose[:300],
        channel=_channel_for(contact, channel),
        origin=origin,
        created_by=by,
        event=provenance.event if provenance else None,
        run=provenance.run if provenance else None,
        step_index=provenance.step_index if provenance else None,
    )
    followup.full_clean(validate_constraints=False)
    followup.save()
    return followup


def _touch_contact(contact: Contact, *, occurred_at: datetime, direction: str) -> None:
    """Move last touched / last heard forward (never back: logging an old call changes nothing).

    Any conversation counts as a touch for the cadence, whoever started it; "last heard from"
    is only what they started. The conditional UPDATEs keep concurrent logs from going backwards.
    """
    Contact.objects.filter(pk=contact.pk).filter(
        Q(last_touched_at__isnull=True) | Q(last_touched_at__lt=occurred_at)
    ).update(last_touched_at=occurred_at)
    if direction == Direction.INBOUND:
        Contact.objects.filter(pk=contact.pk).filter(
            Q(last_heard_at__isnull=True) | Q(last_heard_at__lt=occurred_at)
        ).update(last_heard_at=occurred_at)
    contact.refresh_from_db(fields=["last_touched_at", "last_heard_at"])


@dataclass(frozen=True)
class NextFollowUp:
    """ "Log and schedule next": the follow-up to plan together with the logged touch."""

    purpose: str
    due: date | None = None
    channel: str | None = None
    assignee: User | None = None


@transaction.atomic
def interaction_log(
    *,
    contact: Contact,
    by: User | None,
    channel: str,
    summary: str,
    direction: str = Direction.OUTBOUND,
    occurred_at: datetime | None = None,
    needs: str = "",
    next_approach: str = "",
    cost: Decimal | None = None,
    schedule_next: NextFollowUp | None = None,
    now: datetime | None = None,
) -> tuple[Interaction, FollowUp | None]:
    """Log a touch and, optionally, plan the next one in the same transaction.
    Returns the interaction and the new follow-up (None when nothing was scheduled)."""
    now = now or timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "A touch that is logged cannot be in the future."})
    interaction = Interaction(
        workspace_id=contact.workspace_id,
        contact=contact,
        user=by,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        summary=summary.strip(),
        needs=needs.strip(),
        next_approach=next_approach.strip(),
        cost=cost,
    )
    interaction.full_clean()
    interaction.save()
    _touch_contact(contact, occurred_at=occurred_at, direction=direction)
    if direction == Direction.INBOUND:
        runs_stop(contact=contact, reason="replied", before=occurred_at, now=now)
    followup = None
    if schedule_next is not None:
        followup = followup_create(
            contact=contact,
            by=by,
            purpose=schedule_next.purpose,
            due=schedule_next.due,
            channel=schedule_next.channel,
            assignee=schedule_next.assignee,
            now=now,
        )
    return interaction, followup


def _claim_pending(followup: FollowUp) -> None:
    """Lock the follow-up against a second click or a second process acting on it at once."""
    locked = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if not locked.is_pending:
        raise ValidationError(
            {"status": f"This follow-up is already {locked.get_status_display().lower()}."}
        )


@transaction.atomic
def followup_complete(
    *,
    followup: FollowUp,
    by: User | None,
    outcome: str = "",
    needs: str = "",
    next_approach: str = "",
    direction: str = Direction.OUTBOUND,
    cost: Decimal | None = None,
    schedule_next: NextFollowUp | None = None,
    now: datetime | None = None,
    channel: str | None = None,
) -> Interaction:
    """Mark the follow-up done and log the touch it was (its summary is the outcome, else the
    purpose), on `channel` when the touch was made another way than planned. Returns the
    interaction."""
    now = now or timezone.now()
    _claim_pending(followup)
    interaction, _ = interaction_log(
        contact=followup.contact,
        by=by,
        channel=channel or followup.channel,
        summary=outcome.strip() or followup.purpose,
        direction=direction,
        occurred_at=now,
        needs=needs,
        next_approach=next_approach,
        cost=cost,
        schedule_next=schedule_next,
        now=now,
    )
    followup.status = Status.DONE
    followup.completed_at = now
    followup.interaction = interaction
    followup.save(update_fields=["status", "completed_at", "interaction"])
    return interaction


SNOOZE_CHOICES = {
    "1d": ("Tomorrow", 1),
    "3d": ("In 3 days", 3),
    "1w": ("Next week", 7),
    "1m": ("In a month", 30),
}


@transaction.atomic
def followup_snooze(
    *, followup: FollowUp, by: User | None, days: int = 1, now: datetime | None = None
) -> FollowUp:
    """Push the follow-up at least `days` days and onto the contact's next acceptable slot (their
    days, hours and time zone). If they have since refused its channel, the channel moves to one
    they accept."""
    now = now or timezone.now()
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Snooze for 1 to 365 days."})
    _claim_pending(followup)
    contact = followup.contact
    local_today = now.astimezone(ZoneInfo(reach_prefs(contact).timezone)).date()
    followup.due_at = _slot_on_or_after(contact, day=local_today + timedelta(days=days), now=now)
    followup.channel = choose_channel(TouchChannel(followup.channel), reach_prefs(contact)) or (
        followup.channel
    )
    followup.status = Status.SNOOZED
    followup.snooze_count += 1
    followup.save(update_fields=["due_at", "channel", "status", "snooze_count"])
    return followup


@transaction.atomic
def followup_reschedule(
    *,
    followup: FollowUp,
    by: User | None,
    due: date,
    channel: str | None = None,
    assignee: User | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Move the follow-up to `due` (the contact's first acceptable slot that day or after),
    optionally changing its channel and assignee."""
    now = now or timezone.now()
    _claim_pending(followup)
    contact = followup.contact
    _check_assignee(contact, assignee)
    followup.due_at = _slot_on_or_after(contact, day=due, now=now)
    if channel:
        followup.channel = _channel_for(contact, channel)
    if assignee is not None:
        followup.assignee = assignee
    followup.status = Status.OPEN
    followup.save(update_fields=["due_at", "channel", "assignee", "status"])
    return followup


@transaction.atomic
def followup_skip(
    *, followup: FollowUp, by: User | None, reason: str, now: datetime | None = None
) -> FollowUp:
    """Close the follow-up without a touch. A reason is required: it shows on the timeline."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this follow-up is skipped."})
    _claim_pending(followup)
    followup.status = Status.SKIPPED
    followup.skip_reason = reason[:300]
    followup.completed_at = now or timezone.now()
    followup.save(update_fields=["status", "skip_reason", "completed_at"])
    return followup
