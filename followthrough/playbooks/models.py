"""Playbooks (DESIGN C4): "when X happens to someone like this, plan these touches"."""

from django.db import models

from followthrough.accounts.models import Workspace
from followthrough.events.models import Event
from followthrough.people.models import Contact


class Playbook(models.Model):
    """A rule stored as readable data: trigger, conditions, steps, stop conditions.

    `conditions`, `steps` and `stop_conditions` follow core.playbooks (validated there), so a
    playbook exported to a file and imported again is the same playbook.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    key = models.SlugField(max_length=60, help_text="Stable name used in exports.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    trigger = models.CharField(max_length=60, help_text="The event type that starts it.")
    conditions = models.JSONField(default=dict, blank=True)
    steps = models.JSONField(default=list)
    stop_conditions = models.JSONField(default=list, blank=True)
    max_runs_per_contact = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Re-entry limit; blank for no limit."
    )
    holdout_percent = models.PositiveSmallIntegerField(
        default=0,
        help_text="Share of the people it triggers for that it holds out (recorded, never "
        "contacted by it), to measure whether following up works.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="playbook_unique_key"),
        ]
        indexes = [
            # The engine: enabled playbooks for an event type.
            models.Index(fields=["workspace", "trigger", "enabled"], name="playbook_by_trigger"),
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    STOPPED = "stopped", "Stopped"


class PlaybookRun(models.Model):
    """One contact going through one playbook because of one event."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="playbook_runs")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="runs")
    stage_at_start = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=100, blank=True)
    # In the playbook's control group: recorded, and no follow-up planned.
    held_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # An event enrolls a contact in a playbook once, however often it is evaluated.
            models.UniqueConstraint(fields=["playbook", "event"], name="run_once_per_event"),
        ]
        indexes = [
            # Re-entry limits and stop conditions: a contact's runs.
            models.Index(fields=["contact", "status"], name="run_by_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.playbook} for {self.contact_id}"
