"""Background work for the agenda and the tracking log: the daily digest email (DESIGN C3) and,
when a mailbox is configured, fetching contacts' replies by IMAP (DESIGN C6)."""

import imaplib
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from followthrough.outreach.extras.digest import digests_send_due
from followthrough.outreach.extras.imap import inbound_imap_fetch

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"))
def digest_task() -> int:
    """Every 15 minutes: send the digests whose local hour has come. Idempotent per local day
    (see digest.py), so a run that is late, doubled or retried sends nothing twice."""
    return digests_send_due(now=timezone.now())


@db_periodic_task(crontab(minute="*/5"))
def imap_fetch_task() -> None:
    """Every 5 minutes, when FOLLOWTHROUGH_IMAP_URL is set: log the replies waiting there."""
    if not settings.IMAP_URL:
        return
    try:
        outcome = inbound_imap_fetch(url=settings.IMAP_URL)
    except (OSError, ValueError, imaplib.IMAP4.error) as error:
        log.warning("Fetching replies by IMAP failed: %s", error)
        return
    if outcome:
        log.info("Replies fetched by IMAP: %s", dict(outcome))
