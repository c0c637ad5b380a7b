"""Background work: huey only wakes outbox workers; the outbox table is the truth."""

import os
import threading
import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from followthrough.outreach.sending import outbox_pending, outbox_sweep, outbox_work
from followthrough.outreach.services import campaigns_start_due

# A huey job sends for at most this long, then hands over to a fresh job, so one campaign of
# 100,000 does not hold a worker thread for an hour and the queue stays responsive.
DRAIN_SECONDS = 300


@db_task()
def outbox_drain_task() -> int:
    """Send batches until nothing is due (or DRAIN_SECONDS pass); the batches sent."""
    worker_id = f"huey-{os.getpid()}-{threading.get_ident()}"
    deadline = time.monotonic() + DRAIN_SECONDS
    batches = 0
    while time.monotonic() < deadline and outbox_work(worker_id=worker_id):
        batches += 1
    if time.monotonic() >= deadline and outbox_pending():
        outbox_drain_task()
    return batches


@db_periodic_task(crontab(minute="*"))
def outbox_tick_task() -> None:
    """Start scheduled and recurring runs, free expired claims, wake a worker if work waits
    (also what recovers a campaign whose wake-up job was lost)."""
    campaigns_start_due()
    outbox_sweep()
    if outbox_pending():
        outbox_drain_task()
