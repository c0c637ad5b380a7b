"""A personal (1:1) email from the contact page (DESIGN C6), sent through the configured SMTP
server and logged on the timeline like any other touch."""

import smtplib
from datetime import datetime
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.models import FollowUp, Interaction, TouchChannelChoices
from followthrough.activity.services import followup_complete, interaction_log
from followthrough.people.models import Contact, PreferenceChoices

MAX_SUBJECT = 200
MAX_BODY = 20_000


def contact_email_address(contact: Contact) -> str | None:
    """The contact's primary email address (else their first one), or None."""
    row = contact.emails.order_by("-is_primary", "id").first()
    return row.email if row else None


def personal_email_followups(*, contact: Contact) -> list[FollowUp]:
    """The contact's pending follow-ups, any of which this email may complete."""
    return list(contact.followups.filter(status__in=("open", "snoozed")).order_by("due_at"))


def _sender(by: User) -> tuple[str, str]:
    """(From, Reply-To). Mail leaves from the system address, which the SMTP server is allowed
    to send for (SPF/DKIM), under the user's name; replies go to the user's own mailbox, whose
    forwarding rule can pass them on to the workspace's reply address."""
    _, system = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = f"{by} via {by.workspace.name}"
    return formataddr((name, system or "followthrough@localhost")), by.email


def _check(contact: Contact, followup: FollowUp | None, subject: str, body: str) -> str:
    errors: dict[str, str] = {}
    address = contact_email_address(contact)
    if contact.pref_email == PreferenceChoices.REFUSED:
        errors["to"] = f"{contact.name} has asked not to be emailed."
    elif address is None:
        errors["to"] = f"{contact.name} has no email address; add one on their page first."
    if not subject.strip() or len(subject) > MAX_SUBJECT:
        errors["subject"] = f"Write a subject (at most {MAX_SUBJECT} characters)."
    if not body.strip() or len(body) > MAX_BODY:
        errors["body"] = f"Write the message (at most {MAX_BODY:,} characters)."
    if followup is not None and (followup.contact_id != contact.pk or not followup.is_pending):
        errors["followup"] = "That follow-up is not open for this person."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    assert address is not None  # noqa: S101 - checked above; for the type checker
    return address


@transaction.atomic
def personal_email_send(
    *,
    contact: Contact,
    by: User,
    subject: str,
    body: str,
    followup: FollowUp | None = None,
    now: datetime | None = None,
) -> Interaction:
    """Send `body` to the contact's primary address and log it as an outbound email touch,
    completing `followup` when given. The mail goes out inside the transaction: if the SMTP
    server refuses it nothing is logged, and the ValidationError says why."""
    now = now or timezone.now()
    address = _check(contact, followup, subject, body)
    sender, reply_to = _sender(by)
    message = EmailMessage(
        subject=subject.strip(),
        body=body,
        from_email=sender,
        to=[address],
        reply_to=[reply_to],
        headers={"Message-ID": make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">"))},
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        refused = f"The mail server did not accept the message ({error})."
        raise ValidationError({"to": refused}) from None
    summary = f"Email: {subject.strip()}\n\n{body.strip()}"
    if followup is not None:
        return followup_complete(
            followup=followup, by=by, outcome=summary, channel=TouchChannelChoices.EMAIL, now=now
        )
    interaction, _ = interaction_log(
        contact=contact, by=by, channel=TouchChannelChoices.EMAIL, summary=summary, now=now
    )
    return interaction
