"""Touch points (DESIGN C4): what happened in a client's timeline, from any source."""

import secrets

from django.db import models
from django.db.models import Q

from followthrough.accounts.models import Workspace
from followthrough.people.models import Contact


class Event(models.Model):
    """One thing that happened: a new lead, a purchase, an invoice paid late, a click…

    (workspace, source, external_id) identifies a delivery: a replay of the same webhook or API
    call finds the first row and creates nothing. The engine sets `processed_at` once it has
    evaluated the playbooks for it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=60)
    source = models.CharField(max_length=60)
    external_id = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"],
                condition=~Q(external_id=""),
                name="event_unique_delivery",
            ),
        ]
        indexes = [
            # The contact's history, for derived facts and the timeline.
            models.Index(fields=["contact", "occurred_at"], name="event_by_contact"),
            # The engine's queue of events not yet evaluated.
            models.Index(
                fields=["workspace", "received_at"],
                condition=Q(processed_at__isnull=True),
                name="event_unprocessed",
            ),
            # Workspace-wide reads by type (purchases for rhythm, invoices).
            models.Index(fields=["workspace", "type", "occurred_at"], name="event_by_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type} for {self.contact_id} at {self.occurred_at:%Y-%m-%d}"


class Integration(models.Model):
    """A webhook source's signing secrets. The previous secret stays valid while the sender
    rotates to the new one."""

    class Kind(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        SHOPIFY = "shopify", "Shopify"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    secret = models.CharField(max_length=200)
    previous_secret = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="integration_one_per_kind"),
            # Webhooks find their workspace by secret, so a secret belongs to one workspace.
            models.UniqueConstraint(fields=["kind", "secret"], name="integration_unique_secret"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.workspace}"


def new_form_slug() -> str:
    return secrets.token_urlsafe(9)


class LeadForm(models.Model):
    """A public form on the business's website that creates leads (`/hooks/forms/<slug>`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=40, unique=True, default=new_form_slug)
    thank_you_url = models.URLField(
        blank=True, help_text="Where visitors go after sending; blank shows our own thank-you page."
    )
    consent_wording = models.TextField(
        blank=True, help_text="The marketing consent sentence shown next to the checkbox."
    )
    tags = models.CharField(max_length=200, blank=True, help_text="Comma-separated interests.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
