"""The outbox workers: claim rows, send them through SMTP at the global rate, record the outcome.

The outbox table is the truth and any number of workers (huey jobs or `followthrough outbox`
processes, on any machine) may run at once:

- A worker claims a batch of queued rows with a conditional UPDATE (claimed_by, claim_expires_at);
  on PostgreSQL the candidates are picked with SELECT … FOR UPDATE SKIP LOCKED, on SQLite the
  IMMEDIATE transaction already serializes claims. A claim that expires (a killed worker) makes
  the rows claimable again: that is the sweeper.
- Before each chunk the worker re-reads its rows, so a pause, an unsubscribe or a lost claim
  stops those rows from going out; it also extends its claim then.
- One token bucket in the database (SendBucket) caps the messages per second of all workers:
  in any window of T seconds it grants at most rate × T + burst (burst = rate × BURST_SECONDS).
  A message goes out right after its grant, so the SMTP server sees the same, give or take the
  one chunk each worker may still be sending when a window opens.
- A row is marked sent right after the server accepted it (per chunk of at most a fraction of a
  second of sending). A worker killed between the accept and the mark is the only way a
  recipient gets the message twice, and then only the few rows that were in flight.
- 4xx: retried later with exponential backoff. 5xx: the row fails and the address is
  suppressed as bounced; the rest of the batch goes on.
"""

import json
import logging
import secrets
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from followthrough.outreach.models import (
    Campaign,
    CampaignRun,
    CampaignStatus,
    OutboxMessage,
    OutboxStatus,
    SendBucket,
    SkipReason,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.services import campaigns_finish, suppress_queued
from followthrough.outreach.templating import (
    CompiledTemplate,
    TemplateRenderError,
    add_footer,
    track_links,
)
from followthrough.outreach.tokens import click_url, unsubscribe_url
from followthrough.people.models import Contact, Tier

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# The bucket holds at most this many seconds of sending: the largest burst any window sees.
BURST_SECONDS = 0.2
BUCKET_KEY = "smtp"
# SMTP connections per worker, used in parallel (SMTP has one command in flight per connection).
SMTP_CONNECTIONS = 4


# --- the global rate limit ------------------------------------------------------------------


def _bucket_locked(capacity: float) -> SendBucket:
    """The bucket's row, locked until the transaction ends; created full the first time."""
    bucket = SendBucket.objects.select_for_update().filter(key=BUCKET_KEY).first()
    if bucket is not None:
        return bucket
    try:
        with transaction.atomic():
            return SendBucket.objects.create(
                key=BUCKET_KEY, tokens=capacity, updated_at=timezone.now()
            )
    except IntegrityError:  # another worker created it first
        return SendBucket.objects.select_for_update().get(key=BUCKET_KEY)


def _bucket_take(want: int, rate: float) -> tuple[int, float]:
    """Take up to `want` tokens; (tokens granted, tokens left). One short write transaction."""
    capacity = max(1.0, rate * BURST_SECONDS)
    with transaction.atomic():
        bucket = _bucket_locked(capacity)
        # The clock is read only once the row is locked. A time read before waiting for the
        # lock is older than the one the previous holder wrote: writing it back would move
        # the bucket's clock backwards and hand out the waiting time a second time.
        now = time.time()
        elapsed = max(0.0, now - bucket.updated_at.timestamp())
        tokens = min(capacity, bucket.tokens + elapsed * rate)
        granted = min(want, int(tokens))
        SendBucket.objects.filter(pk=bucket.pk).update(
            tokens=tokens - granted, updated_at=datetime.fromtimestamp(now, tz=UTC)
        )
    return granted, tokens - granted


def send_tokens_take(want: int) -> int:
    """Block until the global bucket grants at least one message; the number granted (≤ want).
    Waits for up to half a bucket when it is empty, so that a worker does not write to the
    database once per message."""
    rate = max(0.01, float(settings.SEND_RATE))
    need = max(1, min(want, int(rate * BURST_SECONDS / 2)))
    while True:
        granted, left = _bucket_take(want, rate)
        if granted:
            return granted
        time.sleep(max(0.001, (need - left) / rate))


# --- claiming ------------------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    sending = Campaign.objects.filter(status=CampaignStatus.SENDING).values("pk")
    return OutboxMessage.objects.filter(
        Q(claimed_by="") | Q(claim_expires_at__lt=now),
        campaign_id__in=sending,
        status=OutboxStatus.QUEUED,
        next_attempt_at__lte=now,
    )


@transaction.atomic
def outbox_claim(*, claim: str, batch_size: int, claim_seconds: int) -> list[int]:
    """Claim up to batch_size due rows of sending campaigns for `claim`; their ids."""
    now = timezone.now()
    # No ORDER BY: any queued row will do, and ordering would sort every queued row of the
    # campaign (100,000 at its start) on each claim instead of reading the index's first rows.
    candidates = _claimable(now).order_by()
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    ids = list(candidates.values_list("pk", flat=True)[:batch_size])
    if not ids:
        return []
    # The conditional UPDATE repeats the claimable test: a row someone else claimed meanwhile
    # is not taken over.
    _claimable(now).filter(pk__in=ids).update(
        claimed_by=claim, claim_expires_at=now + timedelta(seconds=claim_seconds)
    )
    return list(
        OutboxMessage.objects.filter(pk__in=ids, claimed_by=claim)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def _still_mine(claim: str, ids: list[int], claim_seconds: int) -> list[int]:
    """The rows of `ids` this worker may still send (queued, claimed by it, campaign sending),
    with their claim extended."""
    mine = OutboxMessage.objects.filter(
        pk__in=ids,
        claimed_by=claim,
        status=OutboxStatus.QUEUED,
        campaign__status=CampaignStatus.SENDING,
    )
    mine.update(claim_expires_at=timezone.now() + timedelta(seconds=claim_seconds))
    live = set(mine.values_list("pk", flat=True))
    return [pk for pk in ids if pk in live]


def outbox_release(*, claim: str) -> None:
    """Give back the rows of `claim` that were not sent (paused, or the worker is stopping)."""
    OutboxMessage.objects.filter(claimed_by=claim, status=OutboxStatus.QUEUED).update(
        claimed_by="", claim_expires_at=None
    )


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Free the rows whose claim expired (their worker died) and close finished runs; the
    number of rows freed. Workers would take expired claims anyway; this makes the campaign
    page show them as waiting rather than in flight."""
    now = now or timezone.now()
    freed = (
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, claim_expires_at__lt=now)
        .exclude(claimed_by="")
        .update(claimed_by="", claim_expires_at=None)
    )
    campaigns_finish(now=now)
    return freed


# --- building messages ---------------------------------------------------------------------


@dataclass
class _Recipient:
    pk: int
    email: str
    campaign_id: int
    run: int
    workspace_id: int
    contact_id: int
    values: dict[str, str] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)


_ROW_FIELDS = (
    "pk",
    "email",
    "campaign_id",
    "run",
    "workspace_id",
    "contact_id",
    "contact__first_name",
    "contact__last_name",
    "contact__tier",
    "contact__organization__name",
    "contact__owner__first_name",
    "contact__owner__last_name",
    "contact__owner__email",
    "workspace__name",
    "workspace__postal_address",
)


def _recipients(ids: list[int]) -> dict[int, _Recipient]:
    rows = list(OutboxMessage.objects.filter(pk__in=ids).values(*_ROW_FIELDS))
    interests: dict[int, list[str]] = defaultdict(list)
    tagged = Contact.tags.through.objects.filter(contact_id__in=[r["contact_id"] for r in rows])
    for contact_id, name in tagged.values_list("contact_id", "tag__name").order_by("tag__name"):
        interests[contact_id].append(name)
    return {row["pk"]: _recipient(row, interests[row["contact_id"]]) for row in rows}


def _recipient(row: dict[str, Any], interests: list[str]) -> _Recipient:
    first, last = row["contact__first_name"], row["contact__last_name"]
    owner = " ".join(
        p for p in (row["contact__owner__first_name"], row["contact__owner__last_name"]) if p
    )
    values = {
        "first_name": first,
        "last_name": last,
        "name": " ".join(p for p in (first, last) if p),
        "organization": row["contact__organization__name"] or "",
        "tier": Tier(row["contact__tier"]).label if row["contact__tier"] else "",
        "interests": ", ".join(interests),
        "owner_name": owner or (row["contact__owner__email"] or ""),
        "workspace_name": row["workspace__name"],
        "postal_address": row["workspace__postal_address"],
        "unsubscribe_url": unsubscribe_url(row["pk"]),
    }
    return _Recipient(
        pk=row["pk"],
        email=row["email"],
        campaign_id=row["campaign_id"],
        run=row["run"],
        workspace_id=row["workspace_id"],
        contact_id=row["contact_id"],
        values=values,
    )


def from_address(workspace_name: str) -> str:
    """The configured sender address, with the business's name as the display name."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((workspace_name, address))


def _message(recipient: _Recipient, compiled: CompiledTemplate) -> EmailMultiAlternatives:
    values = recipient.values
    unsubscribe = values["unsubscribe_url"]
    rendered, recipient.links = track_links(
        compiled.render(values),
        keep=frozenset({unsubscribe}),
        tracked_url=lambda index: click_url(recipient.pk, index),
    )
    rendered = add_footer(
        rendered,
        unsubscribe_url=unsubscribe,
        postal_address=values["postal_address"],
        workspace_name=values["workspace_name"],
    )
    sender = from_address(values["workspace_name"])
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        sender,
        [recipient.email],
        headers={
            # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Our own Message-ID: Django's default looks up the host name (slow without DNS).
            "Message-ID": make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None),
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


# --- sending -------------------------------------------------------------------------------


@dataclass
class _Outcomes:
    sent: list[_Recipient] = field(default_factory=list)
    retry: list[tuple[_Recipient, str]] = field(default_factory=list)
    failed: list[tuple[_Recipient, str]] = field(default_factory=list)
    bounced: list[_Recipient] = field(default_factory=list)


def _smtp_failure(error: Exception, email: str) -> tuple[int | None, str]:
    """(SMTP code or None for a connection problem, text) of a failed send."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(email, (None, b""))
        return code, f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        said = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return error.smtp_code, f"{error.smtp_code} {said}"
    return None, f"{type(error).__name__}: {error}"


def _send_one(
    backend: Any, recipient: _Recipient, compiled: CompiledTemplate | None, outcomes: _Outcomes
) -> None:
    if compiled is None:
        outcomes.failed.append((recipient, "The template cannot be rendered."))
        return
    try:
        message = _message(recipient, compiled)
    except TemplateRenderError as error:
        outcomes.failed.append((recipient, f"Template: {error}"))
        return
    try:
        backend.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        code, text = _smtp_failure(error, recipient.email)
        if code is not None and code >= 500:
            outcomes.failed.append((recipient, text))
            outcomes.bounced.append(recipient)
        else:
            outcomes.retry.append((recipient, text))
        if code is None:  # the connection is gone: a new one for the rest of the batch
            _reopen(backend)
        return
    outcomes.sent.append(recipient)


def _reopen(backend: Any) -> None:
    backend.close()
    try:
        backend.open()
    except OSError:
        log.warning("SMTP server unreachable; the rows will be retried")


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=float(settings.OUTBOX_RETRY_SECONDS) * 2 ** max(0, attempts - 1))


@transaction.atomic
def _record(outcomes: _Outcomes) -> None:
    """Write a chunk's outcomes in one transaction (a few statements, whatever its size)."""
    now = timezone.now()
    # Rows with the same links (usually the whole chunk) are marked in one UPDATE: far cheaper
    # than bulk_update's CASE per row, which dominated a 100k campaign on SQLite.
    by_links: dict[str, list[_Recipient]] = defaultdict(list)
    for recipient in outcomes.sent:
        by_links[json.dumps(recipient.links, sort_keys=True)].append(recipient)
    for same in by_links.values():
        OutboxMessage.objects.filter(pk__in=[r.pk for r in same]).update(
            status=OutboxStatus.SENT,
            sent_at=now,
            links=same[0].links,
            claimed_by="",
            claim_expires_at=None,
            attempts=F("attempts") + 1,
        )
    for recipient, error in outcomes.retry:
        row = OutboxMessage.objects.filter(pk=recipient.pk)
        attempts = (row.values_list("attempts", flat=True).first() or 0) + 1
        final = attempts >= MAX_ATTEMPTS
        row.update(
            attempts=attempts,
            error=error[:300],
            claimed_by="",
            claim_expires_at=None,
            next_attempt_at=now + _backoff(attempts),
            status=OutboxStatus.FAILED if final else OutboxStatus.QUEUED,
        )
    for recipient, error in outcomes.failed:
        OutboxMessage.objects.filter(pk=recipient.pk).update(
            status=OutboxStatus.FAILED,
            error=error[:300],
            claimed_by="",
            claim_expires_at=None,
            attempts=F("attempts") + 1,
        )
    _bounce(outcomes.bounced)


def _bounce(recipients: Iterable[_Recipient]) -> None:
    """A 5xx means the address is bad: suppress it, and drop its other queued rows."""
    for recipient in recipients:
        Suppression.objects.get_or_create(
            workspace_id=recipient.workspace_id,
            digest=address_digest(recipient.email),
            defaults={"reason": SuppressionReason.BOUNCED},
        )
        suppress_queued(
            workspace_id=recipient.workspace_id,
            contact_id=recipient.contact_id,
            email=recipient.email,
            reason=SkipReason.SUPPRESSED,
        )


def _templates(recipients: Iterable[_Recipient]) -> dict[tuple[int, int], CompiledTemplate | None]:
    keys = {(r.campaign_id, r.run) for r in recipients}
    compiled: dict[tuple[int, int], CompiledTemplate | None] = {}
    query = Q()
    for campaign_id, number in keys:
        query |= Q(campaign_id=campaign_id, number=number)
    for run in CampaignRun.objects.filter(query):
        try:
            compiled[(run.campaign_id, run.number)] = CompiledTemplate(
                subject=run.subject, body_html=run.body_html, body_text=run.body_text
            )
        except TemplateRenderError:
            compiled[(run.campaign_id, run.number)] = None
    return compiled


def _open(connections: int) -> list[Any]:
    backends = []
    for _ in range(connections):
        backend = get_connection()
        try:
            backend.open()
        except OSError:
            break
        backends.append(backend)
    return backends


def _send_chunk(
    pool: ThreadPoolExecutor,
    backends: list[Any],
    chunk: list[int],
    recipients: dict[int, _Recipient],
    compiled: dict[tuple[int, int], CompiledTemplate | None],
) -> _Outcomes:
    """Send a chunk over several SMTP connections at once: while one waits for the server's
    reply, another builds its next message. Threads touch no database (Django connections are
    per thread); list.append is atomic, so the lanes share one _Outcomes."""
    outcomes = _Outcomes()

    def lane(backend: Any, pks: list[int]) -> None:
        for pk in pks:
            recipient = recipients[pk]
            _send_one(
                backend, recipient, compiled.get((recipient.campaign_id, recipient.run)), outcomes
            )

    lanes = [chunk[i :: len(backends)] for i in range(len(backends))]
    list(pool.map(lane, backends, lanes))
    return outcomes


def _send_batch(claim: str, ids: list[int], claim_seconds: int, connections: int) -> None:
    recipients = _recipients(ids)
    compiled = _templates(recipients.values())
    backends = _open(connections)
    if not backends:
        log.warning("SMTP server unreachable; releasing %d rows", len(ids))
        return
    remaining = ids
    try:
        with ThreadPoolExecutor(max_workers=len(backends)) as pool:
            while remaining:
                remaining = _still_mine(claim, remaining, claim_seconds)
                if not remaining:
                    break
                granted = send_tokens_take(len(remaining))
                chunk, remaining = remaining[:granted], remaining[granted:]
                _record(_send_chunk(pool, backends, chunk, recipients, compiled))
    finally:
        for backend in backends:
            backend.close()


def outbox_work(
    *,
    worker_id: str,
    batch_size: int = 200,
    claim_seconds: int | None = None,
    connections: int = SMTP_CONNECTIONS,
) -> bool:
    """Claim one batch of due rows and send it over `connections` SMTP connections; False when
    there was nothing to do (then runs whose rows are all final are closed). Safe to run in any
    number of processes at once."""
    claim_seconds = claim_seconds or int(settings.OUTBOX_CLAIM_SECONDS)
    claim = f"{worker_id[:60]}:{secrets.token_hex(4)}"
    ids = outbox_claim(claim=claim, batch_size=batch_size, claim_seconds=claim_seconds)
    if not ids:
        campaigns_finish()
        return False
    try:
        _send_batch(claim, ids, claim_seconds, connections)
    finally:
        outbox_release(claim=claim)
    if len(ids) < batch_size:
        campaigns_finish()
    return True


def outbox_pending() -> bool:
    """True when some sending campaign still has a row to send now."""
    return bool(_claimable(timezone.now()).exists())
