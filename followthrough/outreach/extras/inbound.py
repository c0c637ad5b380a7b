"""Replies from contacts (DESIGN C6): a message forwarded to the workspace's reply address
(reply+<token>@<domain>), posted to the inbound endpoint or fetched by IMAP is matched by its
sender to a contact and logged as "they got in touch", which stops the contact's running
playbooks exactly like a reply logged by hand (activity.services.interaction_log)."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from followthrough.accounts.models import Workspace
from followthrough.activity.models import Direction, Interaction, TouchChannelChoices
from followthrough.activity.services import interaction_log
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.people.models import Contact, ContactEmail
from followthrough.playbooks.tasks import events_enqueue

SOURCE = "inbound-email"
MAX_SUMMARY = 4000
_REPLY_ADDRESS = re.compile(r"^reply\+(?P<token>[A-Za-z0-9_-]{16,64})@", re.IGNORECASE)
# Headers a forwarding mail server leaves with the original recipient, when the envelope is lost.
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "X-Forwarded-To", "To", "Cc")


def inbound_domain() -> str:
    return getattr(settings, "INBOUND_EMAIL_DOMAIN", "") or (
        urlsplit(settings.BASE_URL).hostname or "localhost"
    )


def inbound_address(*, workspace: Workspace) -> str | None:
    """The workspace's reply address, or None until one is made."""
    if not workspace.inbound_token:
        return None
    return f"reply+{workspace.inbound_token}@{inbound_domain()}"


def inbound_token_rotate(*, workspace: Workspace) -> str:
    """A new reply address for the workspace (the old one stops working at once)."""
    workspace.inbound_token = secrets.token_urlsafe(18)
    workspace.save(update_fields=["inbound_token"])
    return inbound_address(workspace=workspace) or ""


def workspace_for_recipient(address: str) -> Workspace | None:
    match = _REPLY_ADDRESS.match(address.strip().strip("<>"))
    if match is None:
        return None
    return Workspace.objects.filter(inbound_token=match["token"]).first()


class InboundStatus(StrEnum):
    LOGGED = "logged"
    DUPLICATE = "duplicate"  # the same Message-ID was logged before
    NO_WORKSPACE = "no-workspace"  # not sent to a valid reply address
    UNKNOWN_SENDER = "unknown-sender"  # no sender address at all
    NEW_LEAD = "new-lead"  # nobody had that address: they became a lead, their message logged


@dataclass(frozen=True)
class InboundResult:
    status: InboundStatus
    interaction: Interaction | None = None
    sender: str = ""


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default makes EmailMessage
    return message


def _workspace_of(message: EmailMessage, envelope: list[str]) -> Workspace | None:
    header_addresses = [
        address
        for name in _RECIPIENT_HEADERS
        for _, address in getaddresses(message.get_all(name, []))
    ]
    for address in [*envelope, *header_addresses]:
        workspace = workspace_for_recipient(address)
        if workspace is not None:
            return workspace
    return None


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: keep what can be read
        content = part.get_payload(decode=True).decode("utf-8", "replace")  # type: ignore[union-attr]
    text = strip_tags(content) if part.get_content_subtype() == "html" else content
    return _without_quote(text)


def _without_quote(text: str) -> str:
    """The reply without the message it quotes: lines from "On … wrote:" or the first run of
    "> " lines onwards (the timeline already has what we sent)."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">") or (stripped.startswith("On ") and stripped.endswith("wrote:")):
            break
        kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def _occurred_at(message: EmailMessage, now: datetime) -> datetime:
    """When they wrote, from the Date header; never later than now (a sender's clock may be
    ahead) and `now` when the header is missing or unreadable."""
    try:
        sent = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return now
    if sent.tzinfo is None:
        return now
    return min(sent, now)


def inbound_message_receive(
    *,
    raw: bytes,
    envelope_recipients: list[str] | None = None,
    workspace: Workspace | None = None,
    now: datetime | None = None,
) -> InboundResult:
    """Log one received message (its raw RFC 5322 bytes) as the reply of the contact who sent
    it. The workspace is `workspace` when the caller knows it (the inbound endpoint's URL),
    else the one whose reply address is among `envelope_recipients` (SMTP RCPT TO) or the
    recipient headers."""
    now = now or timezone.now()
    message = _parse(raw)
    workspace = workspace or _workspace_of(message, envelope_recipients or [])
    if workspace is None:
        return InboundResult(InboundStatus.NO_WORKSPACE)
    name, sender = parseaddr(str(message["From"] or ""))
    return inbound_reply_log(
        workspace=workspace,
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        subject=str(message["Subject"] or "").strip(),
        body=_text(message),
        message_id=str(message["Message-ID"] or "").strip()[:100],
        occurred_at=_occurred_at(message, now),
        now=now,
    )


def inbound_reply_log(
    *,
    workspace: Workspace,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    occurred_at: datetime,
    now: datetime,
    sender_name: str = "",
) -> InboundResult:
    """Log the reply as an inbound email touch (stopping playbooks that stop on a reply) and an
    `email.replied` event. The event's external id is the Message-ID, so a message forwarded
    twice, or fetched again by IMAP, is logged once. Someone the workspace does not know yet
    (a client's colleague, a client writing from another address) is never dropped: they
    become a lead from email, which starts the new-lead playbook, and their message is logged."""
    if not sender:
        return InboundResult(InboundStatus.UNKNOWN_SENDER)
    row = ContactEmail.objects.filter(workspace=workspace, email=sender).select_related("contact")
    found = row.first()
    status = InboundStatus.LOGGED
    if found is None:
        contact = _new_lead(workspace, sender, sender_name, message_id, occurred_at)
        status = InboundStatus.NEW_LEAD
    else:
        contact = found.contact
    if (
        message_id
        and Event.objects.filter(
            workspace=workspace, source=SOURCE, external_id=message_id
        ).exists()
    ):
        return InboundResult(InboundStatus.DUPLICATE, sender=sender)
    summary = f"Email reply: {subject or '(no subject)'}\n\n{body.strip()}"[:MAX_SUMMARY]
    try:
        with transaction.atomic():
            event_record(
                workspace=workspace,
                item=EventInput(
                    type="email.replied",
                    occurred_at=occurred_at,
                    source=SOURCE,
                    contact=ContactRef(id=contact.pk),
                    external_id=message_id,
                    data={"subject": subject[:200]},
                ),
                after_commit=lambda e: events_enqueue([e]),
            )
            interaction, _ = interaction_log(
                contact=contact,
                by=None,
                channel=TouchChannelChoices.EMAIL,
                summary=summary,
                direction=Direction.INBOUND,
                occurred_at=occurred_at,
                now=now,
            )
    except IntegrityError:  # the same message, logged by a concurrent delivery a moment ago
        return InboundResult(InboundStatus.DUPLICATE, sender=sender)
    return InboundResult(status, interaction, sender)


def _new_lead(
    workspace: Workspace, sender: str, name: str, message_id: str, occurred_at: datetime
) -> Contact:
    """A `lead.created` event from email (the ingestion service makes the lead)."""
    event = event_record(
        workspace=workspace,
        item=EventInput(
            type="lead.created",
            occurred_at=occurred_at,
            source=SOURCE,
            contact=ContactRef(email=sender, name=name),
            external_id=f"lead:{message_id}" if message_id else "",
            data={"channel": "email"},
        ),
        after_commit=lambda e: events_enqueue([e]),
    )
    return event.contact
