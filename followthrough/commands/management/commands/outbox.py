"""`followthrough outbox`: a long-running outbox worker (outreach/sending.py).

Run as many as you like on as many machines as share the database: they claim rows, obey one
global rate limit (FOLLOWTHROUGH_SEND_RATE) and take over the claims of a worker that died.
"""

import os
import signal
import socket
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from followthrough.outreach.sending import (
    SMTP_CONNECTIONS,
    outbox_pending,
    outbox_sweep,
    outbox_work,
)
from followthrough.outreach.services import campaigns_finish, campaigns_start_due

SWEEP_SECONDS = 5.0


class Command(BaseCommand):
    help = "Send queued campaign email (a worker; run several for more throughput)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--worker-id", default="", help="Default: host name and process id.")
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument(
            "--connections",
            type=int,
            default=SMTP_CONNECTIONS,
            help="SMTP connections used in parallel (default 4).",
        )
        parser.add_argument(
            "--claim-seconds",
            type=int,
            default=None,
            help="How long a claim lasts (default FOLLOWTHROUGH_OUTBOX_CLAIM_"
            "SECONDS); a dead worker's rows are taken over after it.",
        )
        parser.add_argument("--poll", type=float, default=1.0, help="Idle wait in seconds.")
        parser.add_argument(
            "--exit-when-idle",
            action="store_true",
            help="Stop once nothing is due to send now (benchmarks, cron); a 4xx retry still "
            "waiting for its time is left to the next run, and its campaign stays sending.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"] or f"{socket.gethostname()}-{os.getpid()}"
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True  # finish the batch in hand, then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Outbox worker {worker_id} started.")
        next_sweep = 0.0
        batches = 0
        while not stopping:
            if time.monotonic() >= next_sweep:
                campaigns_start_due()
                outbox_sweep()
                next_sweep = time.monotonic() + SWEEP_SECONDS
            worked = outbox_work(
                worker_id=worker_id,
                batch_size=options["batch_size"],
                claim_seconds=options["claim_seconds"],
                connections=options["connections"],
            )
            if worked:
                batches += 1
                continue
            if options["exit_when_idle"] and not outbox_pending():
                break
            time.sleep(options["poll"])
        # A worker stopped right after the last send would otherwise leave that campaign
        # "sending" until the next sweep: close the runs whose rows are all final on the way out.
        campaigns_finish()
        self.stdout.write(f"Outbox worker {worker_id} stopped after {batches} batches.")
