"""The daily digest (DESIGN C3): each user's agenda for the day, what is overdue and the customers
most at risk, emailed once a day at the hour they chose in their own time zone.

A periodic task runs every 15 minutes; a user is due when their local clock shows their hour
and the digest for that local day has not gone yet. `last_digest_on` is claimed with a
conditional UPDATE before sending, so two workers (or a retried task) never send it twice.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.selectors import Agenda, agenda_get
from followthrough.insight.selectors import AtRisk, at_risk_list

log = logging.getLogger(__name__)
AT_RISK_LIMIT = 5
ROWS_PER_SECTION = 20


def digest_local_day(*, user: User, now: datetime) -> date | None:
    """The user's local date when `now` falls in their digest hour there, else None."""
    local = now.astimezone(ZoneInfo(user.local_timezone))
    if not user.digest_enabled or local.hour != user.digest_hour:
        return None
    return local.date()


def digest_settings_update(*, user: User, enabled: bool, hour: int) -> None:
    """Turn the digest on or off and choose its local hour (0–23)."""
    if not 0 <= hour <= 23:
        raise ValidationError({"digest_hour": "An hour from 0 to 23."})
    user.digest_enabled, user.digest_hour = enabled, hour
    user.save(update_fields=["digest_enabled", "digest_hour"])


def _claim(user: User, day: date) -> bool:
    """Mark the day's digest as sent; False when it already was (by us or another worker)."""
    not_yet = Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=day)
    return bool(User.objects.filter(pk=user.pk).filter(not_yet).update(last_digest_on=day))


def _release(user: User, day: date, previous: date | None) -> None:
    """Undo a claim after a failed send, so the next run (15 minutes on) tries again."""
    User.objects.filter(pk=user.pk, last_digest_on=day).update(last_digest_on=previous)


@dataclass(frozen=True)
class Digest:
    user: User
    agenda: Agenda
    at_risk: list[AtRisk]

    @property
    def is_empty(self) -> bool:
        return not (self.agenda.today.total or self.agenda.overdue.total or self.at_risk)


def digest_get(*, user: User, now: datetime, at_risk: list[AtRisk] | None = None) -> Digest:
    agenda = agenda_get(
        workspace=user.workspace,
        user=user,
        now=now,
        tz_name=user.local_timezone,
        limit=ROWS_PER_SECTION,
    )
    if at_risk is None:
        at_risk = at_risk_list(workspace=user.workspace, now=now, limit=AT_RISK_LIMIT)
    return Digest(user, agenda, at_risk[:AT_RISK_LIMIT])


def digest_message(*, digest: Digest) -> EmailMultiAlternatives:
    """The digest as a text email with an HTML alternative; every link is absolute (BASE_URL)."""
    base = settings.BASE_URL
    agenda = digest.agenda
    context = {
        "digest": digest,
        "agenda": agenda,
        "base_url": base,
        "agenda_url": base + reverse("web:agenda"),
        "at_risk_url": base + reverse("web:at_risk"),
        "account_url": base + reverse("web:account"),
    }
    with timezone.override(digest.user.local_timezone):
        text = render_to_string("web/email/digest.txt", context)
        html = render_to_string("web/email/digest.html", context)
    subject = (
        f"Your follow-ups for {agenda.day:%a %d %b}: {agenda.today.total} today, "
        f"{agenda.overdue.total} overdue"
    )
    message = EmailMultiAlternatives(subject=subject, body=text, to=[digest.user.email])
    message.attach_alternative(html, "text/html")
    return message


def digest_send(*, user: User, now: datetime, at_risk: list[AtRisk] | None = None) -> bool:
    """Send `user` their digest if it is their hour and it has not gone today. True if sent.
    A day with nothing due, overdue or at risk is claimed and sends nothing."""
    day = digest_local_day(user=user, now=now)
    if day is None:
        return False
    previous = user.last_digest_on
    if not _claim(user, day):
        return False
    digest = digest_get(user=user, now=now, at_risk=at_risk)
    if digest.is_empty:
        return False
    try:
        digest_message(digest=digest).send(fail_silently=False)
    except Exception:
        _release(user, day, previous)
        raise
    return True


def digests_send_due(*, now: datetime) -> int:
    """Every due digest; returns how many went out. One user's failure is logged and does not
    hold up the others. The at-risk list is computed once per workspace."""
    sent = 0
    at_risk: dict[int, list[AtRisk]] = {}
    users = User.objects.filter(is_active=True, digest_enabled=True).select_related("workspace")
    for user in users.order_by("workspace_id", "pk"):
        try:
            if digest_local_day(user=user, now=now) is None:
                continue
            if user.workspace_id not in at_risk:
                at_risk[user.workspace_id] = at_risk_list(
                    workspace=user.workspace, now=now, limit=AT_RISK_LIMIT
                )
            sent += digest_send(user=user, now=now, at_risk=at_risk[user.workspace_id])
        except Exception:
            log.exception("The daily digest for user %s failed; retried in 15 minutes", user.pk)
    return sent
