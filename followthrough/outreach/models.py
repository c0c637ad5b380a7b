"""Outreach (DESIGN C6): who must never be mailed again, and why."""

import hashlib

from django.conf import settings
from django.db import models

from followthrough.accounts.models import Workspace


def address_digest(address: str) -> str:
    """The SHA-256 of a normalized email address or E.164 phone number.

    Suppressions keep only this digest, so erasing a person (C7) leaves no readable trace of
    their address while a re-import of the same address is still recognized and kept out of
    campaigns.
    """
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Address rejected (5xx)"
    COMPLAINED = "complained", "Marked as spam"
    ERASED = "erased", "Personal data erased"
    MANUAL = "manual", "Added by a user"


class Suppression(models.Model):
    """An address that no campaign may send to, whoever it belongs to now."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, help_text="address_digest() of the email or phone.")
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One row per address: the campaign audience check is a lookup on this pair.
            models.UniqueConstraint(fields=["workspace", "digest"], name="suppression_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.reason})"


class EmailTemplate(models.Model):
    """A reusable email: subject, HTML and plain-text parts with merge fields (templating.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body_html = models.TextField()
    body_text = models.TextField(help_text="The plain-text part; blank: derived from the HTML.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Segment(models.Model):
    """A saved filter over contacts, stored as data (segments.py turns it into SQL)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Campaign(models.Model):
    """One template to one segment: now, at a time, or every N weeks (each send is a run)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Marketing email only to people who said yes (kept here, per campaign, so a workspace can
    # still send a service announcement to every client).
    require_consent = models.BooleanField(default=True)
    every_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Recurring: a new run every N weeks."
    )
    next_run_at = models.DateTimeField(null=True, blank=True)
    current_run = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The scheduler's "which runs are due" query.
            models.Index(fields=["status", "next_run_at"], name="campaign_due"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignRun(models.Model):
    """One send of a campaign: the template as it was when the run started, and its audience."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=300)
    body_html = models.TextField()
    body_text = models.TextField()
    audience = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaignrun_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.number}"


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"
    SKIPPED = "skipped", "Skipped"


FINAL_STATUSES = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.SUPPRESSED,
    OutboxStatus.SKIPPED,
)


class SkipReason(models.TextChoices):
    NO_EMAIL = "no_email", "No email address"
    REFUSED = "refused", "Refuses email"
    NO_CONSENT = "no_consent", "No marketing consent"
    FREQUENCY = "frequency", "Over their frequency cap"
    SUPPRESSED = "suppressed", "On the suppression list"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed during the campaign"
    CANCELLED = "cancelled", "Campaign cancelled before it reached them"


class OutboxMessage(models.Model):
    """One recipient of one campaign run: the truth about whether they were mailed.

    Workers claim queued rows (claimed_by / claim_expires_at), send, and mark them final. A claim
    that expires (a killed worker) makes the row claimable again.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="outbox")
    run = models.PositiveIntegerField()
    contact = models.ForeignKey(
        "people.Contact", on_delete=models.CASCADE, related_name="outbox_messages"
    )
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=80, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The tracked links of this message as sent ([{"url", "title"}]); /t/<token> redirects only
    # to one of these, never to a URL read from the request.
    links = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "run", "contact"], name="outbox_one_per_recipient"
            ),
        ]
        indexes = [
            # Workers' claim query and the progress counts (by campaign and status).
            models.Index(fields=["campaign", "status", "next_attempt_at"], name="outbox_claim"),
            # Frequency cap (sent in the last 30 days) and "unsubscribed: drop their queued rows".
            models.Index(fields=["contact", "status", "sent_at"], name="outbox_by_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class SendBucket(models.Model):
    """The global send rate limit: a token bucket shared by every worker through the database."""

    key = models.CharField(max_length=40, unique=True)
    tokens = models.FloatField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.tokens:.1f}"
