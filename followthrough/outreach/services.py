"""Writes for outreach: templates, segments, campaigns (start, pause, resume), unsubscribes and
clicks. Sending itself is in sending.py (the workers)."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, Field, Q, QuerySet
from django.utils import timezone

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import Direction, Interaction
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.outreach.models import (
    Campaign,
    CampaignRun,
    CampaignStatus,
    EmailTemplate,
    OutboxMessage,
    OutboxStatus,
    Segment,
    SkipReason,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.segments import segment_contacts, segment_filters_clean
from followthrough.outreach.templating import (
    CompiledTemplate,
    add_footer,
    template_errors,
)
from followthrough.people.models import Contact, ContactEmail
from followthrough.playbooks.tasks import events_enqueue

FREQUENCY_WINDOW = timedelta(days=30)
SNAPSHOT_CHUNK = 5000


def _template_fields(fields: Mapping[str, Any]) -> dict[str, str]:
    clean = {k: str(fields.get(k) or "") for k in ("name", "subject", "body_html", "body_text")}
    errors = template_errors(clean)
    if not clean["name"].strip():
        errors["name"] = "Give the template a name."
    if not clean["subject"].strip():
        errors["subject"] = "A subject is required."
    if not clean["body_html"].strip():
        errors["body_html"] = "The HTML part is required."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return clean


@transaction.atomic
def template_create(*, workspace: Workspace, fields: Mapping[str, Any]) -> EmailTemplate:
    """A new template; ValidationError names the part with a syntax error or unknown field."""
    return EmailTemplate.objects.create(workspace=workspace, **_template_fields(fields))


@transaction.atomic
def template_update(*, template: EmailTemplate, fields: Mapping[str, Any]) -> EmailTemplate:
    for name, value in _template_fields(fields).items():
        setattr(template, name, value)
    template.save()
    return template


def _delete_unused(thing: EmailTemplate | Segment, campaigns: QuerySet[Campaign]) -> None:
    """Delete a template or segment no campaign uses. A used one stays: each campaign keeps
    saying what it sent and to whom (and the database protects it too)."""
    names = list(campaigns.order_by("name").values_list("name", flat=True)[:3])
    if names:
        kind = "template" if isinstance(thing, EmailTemplate) else "segment"
        raise ValidationError(
            {kind: [f"Used by the campaign{'s' if len(names) > 1 else ''} "
                    f"{', '.join(f'“{n}”' for n in names)}: it is kept with them."]}
        )  # fmt: skip
    thing.delete()


@transaction.atomic
def template_delete(*, template: EmailTemplate) -> None:
    _delete_unused(template, Campaign.objects.filter(template=template))


@transaction.atomic
def segment_delete(*, segment: Segment) -> None:
    _delete_unused(segment, Campaign.objects.filter(segment=segment))


def _segment_fields(workspace: Workspace, name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    filters, errors = segment_filters_clean(workspace=workspace, raw=raw)
    if not name.strip():
        errors["name"] = "Give the segment a name."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return {"name": name.strip(), "filters": filters}


@transaction.atomic
def segment_create(*, workspace: Workspace, name: str, filters: Mapping[str, Any]) -> Segment:
    return Segment.objects.create(workspace=workspace, **_segment_fields(workspace, name, filters))


@transaction.atomic
def segment_update(*, segment: Segment, name: str, filters: Mapping[str, Any]) -> Segment:
    clean = _segment_fields(segment.workspace, name, filters)
    segment.name, segment.filters = clean["name"], clean["filters"]
    segment.save(update_fields=["name", "filters", "updated_at"])
    return segment


@transaction.atomic
def campaign_create(
    *,
    workspace: Workspace,
    by: User | None,
    name: str,
    template: EmailTemplate,
    segment: Segment,
    send_at: datetime | None = None,
    every_weeks: int | None = None,
    require_consent: bool = True,
) -> Campaign:
    """A draft campaign, or a scheduled one when send_at is given (recurring with every_weeks).
    Call campaign_start to send a draft now."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give the campaign a name."
    if template.workspace_id != workspace.pk or segment.workspace_id != workspace.pk:
        errors["template"] = "Not a template of this workspace."
    if every_weeks is not None and not 1 <= every_weeks <= 52:
        errors["every_weeks"] = "Every 1 to 52 weeks."
    if every_weeks and send_at is None:
        errors["send_at"] = "A recurring campaign needs its first send time."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return Campaign.objects.create(
        workspace=workspace,
        created_by=by,
        name=name.strip(),
        template=template,
        segment=segment,
        every_weeks=every_weeks,
        require_consent=require_consent,
        next_run_at=send_at,
        status=CampaignStatus.SCHEDULED if send_at else CampaignStatus.DRAFT,
    )


def _audience_rows(campaign: Campaign, now: datetime) -> list[dict[str, Any]]:
    """Every contact of the segment with what decides whether they may be mailed: three queries
    whatever the size (correlated subqueries per contact took 30 s at 100,000 on SQLite)."""
    contacts = segment_contacts(
        workspace=campaign.workspace, filters=campaign.segment.filters, now=now
    )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in contacts.order_by("pk").values(
            "pk", "pref_email", "marketing_consent", "max_touches_per_month"
        )
    ]
    addresses: dict[int, str] = {}
    emails = (
        ContactEmail.objects.filter(contact__in=contacts.values("pk"))
        .order_by("contact_id", "-is_primary", "pk")
        .values_list("contact_id", "email")
    )
    for contact_id, email in emails:
        addresses.setdefault(contact_id, email)  # the primary address, else the first
    capped = contacts.filter(max_touches_per_month__isnull=False).values("pk")
    since = now - FREQUENCY_WINDOW
    # The cap counts every touch we made (DESIGN C1), not only campaign emails: a call and a
    # personal email this month count as much as a newsletter.
    mailed = _counts(
        OutboxMessage.objects.filter(
            contact__in=capped, status=OutboxStatus.SENT, sent_at__gte=since
        )
    )
    touched = _counts(
        Interaction.objects.filter(
            contact__in=capped, direction=Direction.OUTBOUND, occurred_at__gte=since
        )
    )
    for row in rows:
        row["address"] = addresses.get(row["pk"], "")
        row["touches_30"] = mailed.get(row["pk"], 0) + touched.get(row["pk"], 0)
    return rows


def _counts(rows: QuerySet[Any]) -> dict[int, int]:
    """Rows per contact."""
    by_contact = rows.values("contact_id").annotate(n=Count("pk")).order_by()
    return dict(by_contact.values_list("contact_id", "n"))


def _verdict(
    row: Mapping[str, Any], *, require_consent: bool, suppressed: set[str]
) -> tuple[str, str]:
    """(status, skip reason) for one recipient at the moment the run starts."""
    if not row["address"]:
        return OutboxStatus.SKIPPED, SkipReason.NO_EMAIL
    if row["pref_email"] == "refused":
        return OutboxStatus.SKIPPED, SkipReason.REFUSED
    if address_digest(row["address"]) in suppressed:
        return OutboxStatus.SUPPRESSED, SkipReason.SUPPRESSED
    if require_consent and not row["marketing_consent"]:
        return OutboxStatus.SKIPPED, SkipReason.NO_CONSENT
    cap = row["max_touches_per_month"]
    if cap is not None and row["touches_30"] >= cap:
        return OutboxStatus.SKIPPED, SkipReason.FREQUENCY
    return OutboxStatus.QUEUED, ""


def _postal_address_required(workspace: Workspace) -> None:
    if not workspace.postal_address.strip():
        raise ValidationError(
            {
                "postal_address": [
                    "Add your business's postal address in Settings first: the law "
                    "requires it in every marketing email."
                ]
            }
        )


@transaction.atomic
def campaign_start(
    *, campaign: Campaign, now: datetime | None = None, wake: bool = True
) -> CampaignRun:
    """Start a run: snapshot the segment into the outbox (one row per recipient, skipped ones
    included with their reason) and let the workers go. `wake=False` leaves the rows to
    already-running `followthrough outbox` workers instead of queuing a huey job.

    Raises ValidationError when the workspace has no postal address or the campaign is already
    sending."""
    now = now or timezone.now()
    given, campaign = (
        campaign,
        Campaign.objects.select_for_update()
        .select_related("workspace", "template", "segment")
        .get(pk=campaign.pk),
    )
    _postal_address_required(campaign.workspace)
    if campaign.status in (CampaignStatus.SENDING, CampaignStatus.PAUSED):
        raise ValidationError({"status": ["This campaign is already sending."]})
    template = campaign.template
    campaign.current_run += 1
    run = CampaignRun.objects.create(
        campaign=campaign,
        number=campaign.current_run,
        subject=template.subject,
        body_html=template.body_html,
        body_text=template.body_text,
        started_at=now,
    )
    run.audience = _snapshot(campaign, run, now)
    run.save(update_fields=["audience"])
    campaign.status = CampaignStatus.SENDING
    # The next run counts from this one's planned time, so a recurring send does not drift
    # later by however long each run takes.
    planned = campaign.next_run_at or now
    campaign.next_run_at = (
        planned + timedelta(weeks=campaign.every_weeks) if campaign.every_weeks else None
    )
    campaign.save(update_fields=["current_run", "status", "next_run_at"])
    given.refresh_from_db(fields=["current_run", "status", "next_run_at"])
    if wake:
        transaction.on_commit(_wake)
    return run


_OUTBOX_COLUMNS = (
    "workspace",
    "campaign",
    "run",
    "contact",
    "email",
    "status",
    "skip_reason",
    "attempts",
    "next_attempt_at",
    "claimed_by",
    "claim_expires_at",
    "sent_at",
    "error",
    "links",
)


def _snapshot(campaign: Campaign, run: CampaignRun, now: datetime) -> int:
    """Write one outbox row per recipient. A plain executemany: Django's bulk_create spent most
    of a 100,000-row snapshot preparing values that are the same for every row."""
    suppressed = set(
        Suppression.objects.filter(workspace=campaign.workspace).values_list("digest", flat=True)
    )
    rows = _audience_rows(campaign, now)
    fields = [cast(Field, OutboxMessage._meta.get_field(name)) for name in _OUTBOX_COLUMNS]  # type: ignore[type-arg]
    same: tuple[Any, ...] = (
        campaign.workspace_id,
        campaign.pk,
        run.number,
        None,
        None,
        None,
        None,
        0,
        now,
        "",
        None,
        None,
        "",
        [],
    )
    constant: dict[str, Any] = {
        field.name: field.get_db_prep_save(value, connection)
        for field, value in zip(fields, same, strict=True)
    }
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(OutboxMessage._meta.db_table)} "  # noqa: S608 (names from metadata)
        f"({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = []
    for row in rows:
        status, reason = _verdict(
            row, require_consent=campaign.require_consent, suppressed=suppressed
        )
        values.append(
            tuple(
                {
                    **constant,
                    "contact": row["pk"],
                    "email": row["address"] or "",
                    "status": str(status),
                    "skip_reason": str(reason),
                }[f.name]
                for f in fields
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(values), SNAPSHOT_CHUNK):
            cursor.executemany(sql, values[start : start + SNAPSHOT_CHUNK])
    return len(rows)


def _wake() -> None:
    from followthrough.outreach.tasks import outbox_drain_task

    outbox_drain_task()


@transaction.atomic
def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop handing out rows. Rows already sent stay sent; queued rows wait for resume."""
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.PAUSED
    )
    campaign.refresh_from_db(fields=["status"])
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, wake: bool = True) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.PAUSED).update(
        status=CampaignStatus.SENDING
    )
    campaign.refresh_from_db(fields=["status"])
    if wake and campaign.status == CampaignStatus.SENDING:
        transaction.on_commit(_wake)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Stop the campaign for good: no further rows handed out, no future run of a recurring
    one. Rows still queued become skipped (reason: cancelled), so the run's counts stay whole;
    rows already sent stay sent. A worker re-checks each row before sending it, so nothing is
    sent after this commits except what was already on the wire."""
    now = now or timezone.now()
    live = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING,
            CampaignStatus.PAUSED)  # fmt: skip
    if not Campaign.objects.filter(pk=campaign.pk, status__in=live).update(
        status=CampaignStatus.CANCELLED, next_run_at=None
    ):
        raise ValidationError({"status": "This campaign has already finished."})
    OutboxMessage.objects.filter(campaign=campaign, status=OutboxStatus.QUEUED).update(
        status=OutboxStatus.SKIPPED, skip_reason=SkipReason.CANCELLED, claimed_by="",
        claim_expires_at=None,
    )  # fmt: skip
    CampaignRun.objects.filter(campaign=campaign, finished_at__isnull=True).update(finished_at=now)
    campaign.refresh_from_db(fields=["status", "next_run_at"])
    return campaign


def campaigns_start_due(*, now: datetime | None = None) -> int:
    """Start every scheduled run whose time has come (the periodic task); the number started."""
    now = now or timezone.now()
    due = Campaign.objects.filter(status=CampaignStatus.SCHEDULED, next_run_at__lte=now)
    started = 0
    for campaign in due:
        try:
            campaign_start(campaign=campaign, now=now)
        except ValidationError:
            continue  # no postal address yet: stays scheduled, shown on the campaign page
        started += 1
    return started


@transaction.atomic
def campaigns_finish(*, now: datetime | None = None) -> int:
    """Close the runs in which every row is final; a recurring campaign is scheduled again.
    The number of runs closed."""
    now = now or timezone.now()
    closed = 0
    sending = Campaign.objects.filter(status=CampaignStatus.SENDING)
    for campaign in sending.select_for_update():
        queued = OutboxMessage.objects.filter(
            campaign=campaign, status=OutboxStatus.QUEUED
        ).exists()
        if queued:
            continue
        run = CampaignRun.objects.get(campaign=campaign, number=campaign.current_run)
        run.finished_at = now
        run.save(update_fields=["finished_at"])
        if campaign.every_weeks:
            campaign.status = CampaignStatus.SCHEDULED
        else:
            campaign.status = CampaignStatus.DONE
        campaign.save(update_fields=["status", "next_run_at"])
        closed += 1
    return closed


def suppress_queued(*, workspace_id: int, contact_id: int, email: str, reason: str) -> int:
    """Rows of this person still queued in any campaign become suppressed at once, even if a
    worker holds them: workers re-check a row's status right before sending it."""
    return OutboxMessage.objects.filter(
        Q(contact_id=contact_id) | Q(email=email),
        workspace_id=workspace_id,
        status=OutboxStatus.QUEUED,
    ).update(status=OutboxStatus.SUPPRESSED, skip_reason=reason, claimed_by="")


@transaction.atomic
def recipient_unsubscribe(*, message: OutboxMessage, now: datetime | None = None) -> None:
    """One-click unsubscribe from the link in `message`: the address is suppressed, the contact's
    marketing consent withdrawn, their queued rows dropped and an event recorded (which stops
    the playbooks that stop on "unsubscribed"). Personal 1:1 email stays allowed: saying no to
    newsletters is not refusing to hear from their account manager."""
    now = now or timezone.now()
    workspace = message.workspace
    Suppression.objects.get_or_create(
        workspace=workspace,
        digest=address_digest(message.email),
        defaults={"reason": SuppressionReason.UNSUBSCRIBED},
    )
    Contact.objects.filter(pk=message.contact_id).update(marketing_consent=False)
    suppress_queued(
        workspace_id=workspace.pk,
        contact_id=message.contact_id,
        email=message.email,
        reason=SkipReason.UNSUBSCRIBED,
    )
    event_record(
        workspace=workspace,
        item=EventInput(
            type="email.unsubscribed",
            occurred_at=now,
            source="outreach",
            external_id=f"unsubscribe:{message.pk}",
            contact=ContactRef(id=message.contact_id),
            data={"campaign": message.campaign.name, "campaign_id": message.campaign_id},
        ),
        after_commit=lambda event: events_enqueue([event]),
    )


def link_click(*, message: OutboxMessage, index: int, now: datetime | None = None) -> str | None:
    """The stored URL of link `index` of `message` (None if there is no such link), after
    recording an `email.link_clicked` event; a second click on the same link records nothing."""
    links = message.links or []
    if not 0 <= index < len(links):
        return None
    link = links[index]
    event_record(
        workspace=message.workspace,
        item=EventInput(
            type="email.link_clicked",
            occurred_at=now or timezone.now(),
            source="outreach",
            external_id=f"click:{message.pk}:{index}",
            contact=ContactRef(id=message.contact_id),
            data={
                "url": link["url"],
                "title": link.get("title") or link["url"],
                "campaign": message.campaign.name,
                "campaign_id": message.campaign_id,
            },
        ),
        after_commit=lambda event: events_enqueue([event]),
    )
    return str(link["url"])


def template_test_send(*, template: EmailTemplate, contact: Contact, to: str) -> None:
    """Send the template as `contact` would get it, to `to` (the user's own address), marked as a
    test; the links are not tracked and the unsubscribe link goes nowhere."""
    from followthrough.outreach.selectors import merge_values_for, preview_url

    workspace = template.workspace
    compiled = CompiledTemplate(
        subject=template.subject, body_html=template.body_html, body_text=template.body_text
    )
    unsubscribe = preview_url()
    rendered = add_footer(
        compiled.render(merge_values_for(contact=contact, unsubscribe_url=unsubscribe)),
        unsubscribe_url=unsubscribe,
        postal_address=workspace.postal_address,
        workspace_name=workspace.name,
    )
    message = EmailMultiAlternatives(f"[Test] {rendered.subject}", rendered.text, to=[to])
    message.attach_alternative(rendered.html, "text/html")
    message.send()
