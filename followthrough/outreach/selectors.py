"""Reads for outreach: lists, live counts, previews and the merge values of a contact."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet

from followthrough.accounts.models import Workspace
from followthrough.outreach.models import (
    Campaign,
    CampaignRun,
    EmailTemplate,
    OutboxMessage,
    OutboxStatus,
    Segment,
)
from followthrough.outreach.segments import segment_contacts
from followthrough.outreach.templating import CompiledTemplate, Rendered, add_footer
from followthrough.people.models import Contact, Tier


def template_list(*, workspace: Workspace) -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.filter(workspace=workspace)


def segment_list(*, workspace: Workspace) -> QuerySet[Segment]:
    return Segment.objects.filter(workspace=workspace)


def campaign_list(*, workspace: Workspace) -> QuerySet[Campaign]:
    return Campaign.objects.filter(workspace=workspace).select_related("template", "segment")


def segment_count(*, workspace: Workspace, filters: dict[str, Any], now: datetime) -> int:
    return segment_contacts(workspace=workspace, filters=filters, now=now).count()


def segment_sample(
    *, workspace: Workspace, filters: dict[str, Any], now: datetime, limit: int = 10
) -> list[Contact]:
    contacts = segment_contacts(workspace=workspace, filters=filters, now=now)
    return list(contacts.order_by("last_name", "first_name")[:limit])


def campaign_progress(*, campaign: Campaign) -> dict[str, int]:
    """Counts of the current run by status (queued, sent, failed, suppressed, skipped) and the
    audience; one GROUP BY on the outbox index."""
    counts = dict.fromkeys(OutboxStatus.values, 0)
    rows = (
        OutboxMessage.objects.filter(campaign=campaign, run=campaign.current_run)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["audience"] = sum(counts[s] for s in OutboxStatus.values)
    counts["final"] = counts["audience"] - counts[OutboxStatus.QUEUED]
    return counts


def campaign_run_current(*, campaign: Campaign) -> CampaignRun | None:
    return CampaignRun.objects.filter(campaign=campaign, number=campaign.current_run).first()


def skip_counts(*, campaign: Campaign) -> dict[str, int]:
    """Skipped and suppressed rows of the current run, by reason."""
    rows = (
        OutboxMessage.objects.filter(campaign=campaign, run=campaign.current_run)
        .exclude(skip_reason="")
        .values("skip_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["skip_reason"]: row["n"] for row in rows}


def preview_url() -> str:
    return f"{settings.BASE_URL}/u/preview"


def merge_values_for(*, contact: Contact, unsubscribe_url: str) -> dict[str, str]:
    """The plain strings a template sees for `contact` (never the contact itself)."""
    workspace = contact.workspace
    owner = contact.owner
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": contact.name,
        "organization": contact.organization.name if contact.organization else "",
        "tier": Tier(contact.tier).label if contact.tier else "",
        "interests": ", ".join(contact.tags.values_list("name", flat=True)),
        "owner_name": (owner.get_full_name() or owner.email) if owner else "",
        "workspace_name": workspace.name,
        "unsubscribe_url": unsubscribe_url,
        "postal_address": workspace.postal_address,
    }


def template_preview(*, subject: str, body_html: str, body_text: str, contact: Contact) -> Rendered:
    """The email `contact` would get, footer included (raises TemplateRenderError)."""
    workspace = contact.workspace
    compiled = CompiledTemplate(subject=subject, body_html=body_html, body_text=body_text)
    values = merge_values_for(contact=contact, unsubscribe_url=preview_url())
    return add_footer(
        compiled.render(values),
        unsubscribe_url=preview_url(),
        postal_address=workspace.postal_address,
        workspace_name=workspace.name,
    )
