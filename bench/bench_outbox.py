"""A 100,000-recipient campaign to a local SMTP sink with 2 outbox worker processes (SQLite).

    .venv/bin/python bench/bench_outbox.py      # data in bench/out/outbox (contacts kept for reuse)

RECIPIENTS=N changes the size, WORKERS=N the worker processes, BATCH=N their claim size,
SEND_RATE=N the global limit (default 100000: measure the pipeline, not the limit). The sink
is aiosmtpd in this process; it counts what it accepted and when.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "out" / "outbox"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
os.environ.setdefault("FOLLOWTHROUGH_DATA_DIR", str(DATA))
os.environ.pop("FOLLOWTHROUGH_DATABASE_URL", None)
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()
from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from followthrough.accounts.models import Workspace  # noqa: E402
from followthrough.outreach.models import (  # noqa: E402
    Campaign,
    CampaignRun,
    OutboxMessage,
    OutboxStatus,
)
from followthrough.outreach.services import (  # noqa: E402
    campaign_create,
    campaign_start,
    segment_create,
    template_create,
)
from followthrough.people.models import Contact, ContactEmail  # noqa: E402

N = int(os.environ.get("RECIPIENTS", "100000"))
WORKERS = int(os.environ.get("WORKERS", "2"))
BATCH = int(os.environ.get("BATCH", "500"))
RATE = os.environ.get("SEND_RATE", "100000")
PORT = int(os.environ.get("SINK_PORT", "8026"))
HTML = (
    '<p>Hi {{ first_name }},</p><p>The winter <a href="https://shop.example.test/rides">'
    'ride calendar</a> is out, and our <a href="https://shop.example.test/service">service '
    "week</a> starts Monday.</p><p>See you on the road,<br>{{ owner_name }}</p>"
)


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.first = self.last = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            self.last = time.time()
            self.first = self.first or self.last
        return "250 OK"


def load() -> Workspace:
    call_command("migrate", verbosity=0)
    ws = Workspace.objects.filter(name="bench").first()
    if ws is None:
        ws = Workspace.objects.create(
            name="bench",
            timezone="America/New_York",
            postal_address="12 Spoke Street\nPortland, OR 97201",
        )
    have = Contact.objects.filter(workspace=ws).count()
    if have < N:
        contacts = Contact.objects.bulk_create(
            (
                Contact(
                    workspace=ws,
                    first_name=f"C{i}",
                    last_name="Bench",
                    stage="client",
                    marketing_consent=True,
                )
                for i in range(have, N)
            ),
            batch_size=5000,
        )
        ContactEmail.objects.bulk_create(
            (
                ContactEmail(workspace=ws, contact=c, email=f"c{c.pk}@sink.test", is_primary=True)
                for c in contacts
            ),
            batch_size=5000,
        )
    # Each run starts from an empty outbox.
    OutboxMessage.objects.filter(workspace=ws).delete()
    CampaignRun.objects.filter(campaign__workspace=ws).delete()
    Campaign.objects.filter(workspace=ws).delete()
    return ws


def main() -> None:
    ws = load()
    template = template_create(
        workspace=ws,
        fields={
            "name": f"News {time.time()}",
            "subject": "Rides for {{ first_name }}",
            "body_html": HTML,
            "body_text": "",
        },
    )
    segment = segment_create(workspace=ws, name="Clients", filters={"stages": ["client"]})
    campaign = campaign_create(
        workspace=ws, by=None, name="Bench", template=template, segment=segment
    )
    started = time.perf_counter()
    run = campaign_start(campaign=campaign, wake=False)
    snapshot = time.perf_counter() - started
    print(f"snapshot of {run.audience:,} recipients: {snapshot:.2f} s")

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=PORT, server_hostname="sink.test")
    controller.start()
    env = {
        **os.environ,
        "FOLLOWTHROUGH_DATA_DIR": str(DATA),
        "FOLLOWTHROUGH_EMAIL_URL": f"smtp://127.0.0.1:{PORT}",
        "FOLLOWTHROUGH_SEND_RATE": RATE,
        "FOLLOWTHROUGH_BASE_URL": "https://crm.example.test",
    }
    begin = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "followthrough",
                "outbox",
                "--worker-id",
                f"bench-{i}",
                "--batch-size",
                str(BATCH),
                "--exit-when-idle",
            ],
            cwd=ROOT,
            env=env,
        )
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.wait()
    elapsed = time.perf_counter() - begin
    controller.stop()
    sent = OutboxMessage.objects.filter(campaign=campaign, status=OutboxStatus.SENT).count()
    queued = OutboxMessage.objects.filter(campaign=campaign, status=OutboxStatus.QUEUED).count()
    campaign.refresh_from_db()
    print(
        f"workers: {WORKERS}, batch {BATCH}, rate limit {RATE}/s, "
        f"SQLite {settings.DATABASES['default']['NAME']}"
    )
    print(
        f"sent {sent:,} (sink accepted {sink.count:,}), still queued {queued}, "
        f"campaign {campaign.status}"
    )
    print(
        f"workers' wall time {elapsed:.1f} s → {sent / elapsed:,.0f} messages/s; "
        f"with the snapshot {sent / (elapsed + snapshot):,.0f} messages/s end to end"
    )


if __name__ == "__main__":
    main()
