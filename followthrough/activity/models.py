"""The tracking log (DESIGN C2) and follow-ups (DESIGN C3)."""

from django.conf import settings
from django.db import models

from followthrough.accounts.models import Workspace
from followthrough.people.models import Contact


class TouchChannelChoices(models.TextChoices):
    """core.channels.TouchChannel as model choices (a test keeps the two in step)."""

    CALL = "call", "Call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    LETTER = "letter", "Letter"
    NOTE = "note", "Handwritten note"
    CARD = "card", "Card"
    GIFT = "gift", "Gift"
    EVENT = "event", "Event"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class Direction(models.TextChoices):
    OUTBOUND = "out", "We reached out"
    INBOUND = "in", "They got in touch"


class Interaction(models.Model):
    """One logged touch: when, how, who started it, what was said and what to do next."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=TouchChannelChoices.choices)
    direction = models.CharField(
        max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    summary = models.TextField()
    needs = models.TextField(blank=True, help_text="Needs discussed")
    next_approach = models.TextField(blank=True, help_text="Approach for the next reach-out")
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The contact's timeline, newest first.
            models.Index(fields=["contact", "-occurred_at"], name="interaction_timeline"),
            # Workspace-wide reports over a period (spend, touches by channel).
            models.Index(fields=["workspace", "occurred_at"], name="interaction_by_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} with {self.contact} on {self.occurred_at:%Y-%m-%d}"


class Origin(models.TextChoices):
    MANUAL = "manual", "Manual"
    PLAYBOOK = "playbook", "Playbook"
    CADENCE = "cadence", "Keep-in-touch cadence"
    DATE = "date", "Important date"
    RHYTHM = "rhythm", "Purchase rhythm"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


PENDING = (Status.OPEN, Status.SNOOZED)


class FollowUp(models.Model):
    """A planned touch. `due_at` is the slot (UTC) chosen in the contact's time and preferences;
    the agenda groups by its date in the reader's time zone."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="followups")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField()
    purpose = models.CharField(max_length=300)
    channel = models.CharField(max_length=10, choices=TouchChannelChoices.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snooze_count = models.PositiveSmallIntegerField(default=0)
    skip_reason = models.CharField(max_length=300, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="followup"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Where a planned touch came from: the event and the playbook step that created it.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups"
    )
    run = models.ForeignKey(
        "playbooks.PlaybookRun", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="followups",
    )
    step_index = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            # No two open follow-ups with the same purpose for one person: a replayed event or a
            # second worker can never plan the same touch twice.
            models.UniqueConstraint(
                fields=["contact", "purpose"],
                condition=models.Q(status__in=["open", "snoozed"]),
                name="followup_one_pending_per_purpose",
            ),
        ]
        indexes = [
            # The agenda for one user: pending follow-ups by due time.
            models.Index(
                fields=["workspace", "assignee", "status", "due_at"], name="followup_agenda"
            ),
            # The team agenda.
            models.Index(fields=["workspace", "status", "due_at"], name="followup_team_agenda"),
            # The agenda's sections read pending rows in due order and stop at the rows shown
            # (activity.selectors._section); partial, so they hold only what is pending.
            models.Index(
                fields=["workspace", "due_at"],
                condition=models.Q(status__in=["open", "snoozed"]),
                name="followup_pending_by_due",
            ),
            models.Index(
                fields=["workspace", "assignee", "due_at"],
                condition=models.Q(status__in=["open", "snoozed"]),
                name="followup_mine_by_due",
            ),
            # The contact's timeline and "has something open".
            models.Index(fields=["contact", "status"], name="followup_by_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.contact}, {self.due_at:%Y-%m-%d})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING
