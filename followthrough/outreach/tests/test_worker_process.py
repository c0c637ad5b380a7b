"""Real `followthrough outbox` worker processes on the test database, sending to a real SMTP
server in this process: a worker killed with SIGKILL and replaced, two workers on one campaign,
pause and resume, a 4xx retried and a 5xx bounced, and the global rate limit across workers."""

import os
import signal
import subprocess
import sys
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

import followthrough
from followthrough.outreach.models import (
    CampaignStatus,
    OutboxMessage,
    OutboxStatus,
    SkipReason,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.selectors import campaign_progress
from followthrough.outreach.sending import BURST_SECONDS
from followthrough.outreach.services import campaign_pause, campaign_resume, campaign_start
from followthrough.outreach.tests.conftest import SmtpServer, audience, wait_until

REPO = Path(followthrough.__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The test database (not the one named in settings) as FOLLOWTHROUGH_DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"], safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    )
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(
    tmp_path: Path,
    smtp: SmtpServer,
    rate: float,
    base_url: str = "https://crm.spokechain.test",
    retry_seconds: float = 60.0,
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "FOLLOWTHROUGH_REDIS_URL"}
    }
    env.update(
        {
            "FOLLOWTHROUGH_DATA_DIR": str(tmp_path),
            "FOLLOWTHROUGH_DATABASE_URL": database_url(),
            "FOLLOWTHROUGH_SECRET_KEY": settings.SECRET_KEY,  # the links must verify here
            "FOLLOWTHROUGH_EMAIL_URL": smtp.url,
            "FOLLOWTHROUGH_BASE_URL": base_url,
            "FOLLOWTHROUGH_SEND_RATE": str(rate),
            "FOLLOWTHROUGH_OUTBOX_RETRY_SECONDS": str(retry_seconds),
        }
    )
    return env


@contextmanager
def worker(
    name: str,
    tmp_path: Path,
    smtp: SmtpServer,
    *,
    rate: float = 1000.0,
    batch_size: int = 50,
    base_url: str = "https://crm.spokechain.test",
    retry_seconds: float = 60.0,
) -> Iterator[subprocess.Popen[str]]:
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "followthrough",
            "outbox",
            "--worker-id",
            name,
            "--batch-size",
            str(batch_size),
            "--claim-seconds",
            "3",
            "--poll",
            "0.2",
        ],
        cwd=REPO,
        env=worker_env(tmp_path, smtp, rate, base_url, retry_seconds),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)
        log.close()


def all_final() -> bool:
    return not OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).exists()


def test_it_loses_nobody_when_a_worker_is_killed_and_replaced(
    workspace, make_campaign, smtp_server, tmp_path
):
    audience(workspace, 1000)
    smtp_server.handler.delay = 0.002  # keep the first worker busy long enough to kill it
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    with worker("A", tmp_path, smtp_server) as first:
        assert wait_until(lambda: smtp_server.handler.count() >= 300, timeout=60), (
            tmp_path / "A.log"
        ).read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    in_flight = set(
        OutboxMessage.objects.filter(
            status=OutboxStatus.QUEUED, claimed_by__startswith="A:"
        ).values_list("email", flat=True)
    )
    assert smtp_server.handler.count() < 1000  # killed mid-way
    with worker("B", tmp_path, smtp_server):
        assert wait_until(all_final, timeout=90), (tmp_path / "B.log").read_text()
    received = smtp_server.handler.recipients()
    assert len(received) == 1000  # every recipient got the newsletter
    twice = {email for email, n in received.items() if n > 1}
    assert twice <= in_flight  # only rows in flight at the kill could go twice
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 1000
    assert wait_until(lambda: _status(campaign) == CampaignStatus.DONE, timeout=15)


def _status(campaign) -> str:
    campaign.refresh_from_db(fields=["status"])
    return campaign.status


def test_it_shares_one_campaign_between_two_workers_without_duplicates(
    workspace, make_campaign, smtp_server, tmp_path
):
    audience(workspace, 600)
    smtp_server.handler.delay = 0.001
    campaign_start(campaign=make_campaign(), wake=False)
    with (
        worker("A", tmp_path, smtp_server, batch_size=40),
        worker("B", tmp_path, smtp_server, batch_size=40),
    ):
        assert wait_until(all_final, timeout=90)
    received = smtp_server.handler.recipients()
    assert len(received) == 600 and set(received.values()) == {1}
    logs = [(tmp_path / f"{name}.log").read_text() for name in "AB"]
    assert all("after 0 batches" not in log for log in logs), logs  # both did a share


def test_it_pauses_and_resumes_a_worker_without_resending(
    workspace, make_campaign, smtp_server, tmp_path
):
    audience(workspace, 400)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    with worker("A", tmp_path, smtp_server, rate=100.0, batch_size=40):
        assert wait_until(lambda: smtp_server.handler.count() >= 100, timeout=60)
        campaign_pause(campaign=campaign)
        wait_until(lambda: False, timeout=1.0)  # let the chunk in hand finish
        held = smtp_server.handler.count()
        wait_until(lambda: False, timeout=1.5)
        assert smtp_server.handler.count() == held < 400  # nothing goes out while paused
        campaign_resume(campaign=campaign, wake=False)
        assert wait_until(all_final, timeout=60)
    received = smtp_server.handler.recipients()
    assert len(received) == 400 and set(received.values()) == {1}


def test_it_retries_a_4xx_after_its_wait_and_bounces_a_5xx_without_holding_up_the_rest(
    workspace, make_campaign, smtp_server, tmp_path
):
    busy, gone = "rider1@example.test", "rider2@example.test"
    audience(workspace, 20)
    smtp_server.handler.replies[busy] = ["451 4.3.0 Mailbox busy, try later"]  # once
    smtp_server.handler.replies[gone] = "550 5.1.1 No such user"  # for ever
    campaign = make_campaign()
    run = campaign_start(campaign=campaign, wake=False)
    with worker("A", tmp_path, smtp_server, batch_size=8, retry_seconds=0.5):
        assert wait_until(all_final, timeout=60), (tmp_path / "A.log").read_text()
        assert wait_until(lambda: _status(campaign) == CampaignStatus.DONE, timeout=15)
    received = smtp_server.handler.recipients()
    assert dict(received) == {f"rider{i}@example.test": 1 for i in range(20) if i != 2}
    assert smtp_server.handler.refusals == {busy: 1, gone: 1}  # a 5xx is not asked again

    retried = OutboxMessage.objects.get(email=busy)
    assert retried.status == OutboxStatus.SENT and retried.attempts == 2
    delivered_at = next(r.at for r in smtp_server.handler.received if r.rcpt == busy)
    assert delivered_at >= retried.next_attempt_at.timestamp()  # not before the wait was over

    bounced = OutboxMessage.objects.get(email=gone)
    assert bounced.status == OutboxStatus.FAILED and bounced.attempts == 1
    assert bounced.error.startswith("550")
    assert Suppression.objects.get(digest=address_digest(gone)).reason == (
        SuppressionReason.BOUNCED
    )
    progress = campaign_progress(campaign=campaign)
    assert (progress["sent"], progress["failed"], progress["suppressed"]) == (19, 1, 0)
    assert progress["sent"] + progress["failed"] + progress["suppressed"] == run.audience == 20

    # The bad address stays bad: the next campaign does not mail it.
    later = make_campaign(name="December news")
    campaign_start(campaign=later, wake=False)
    skipped = OutboxMessage.objects.get(campaign=later, email=gone)
    assert skipped.status == OutboxStatus.SUPPRESSED
    assert skipped.skip_reason == SkipReason.SUPPRESSED


def most_within(stamps: list[float], seconds: float) -> int:
    """The most messages the server received in any `seconds` (stamps sorted)."""
    return max(bisect_left(stamps, start + seconds) - i for i, start in enumerate(stamps))


def test_it_keeps_two_workers_under_one_global_rate(
    workspace, make_campaign, smtp_server, tmp_path
):
    rate = 60.0
    batch = 6  # smaller than the bucket, so that the chunks in flight are small (below)
    audience(workspace, 240)
    campaign_start(campaign=make_campaign(), wake=False)
    with (
        worker("A", tmp_path, smtp_server, rate=rate, batch_size=batch),
        worker("B", tmp_path, smtp_server, rate=rate, batch_size=batch),
    ):
        assert wait_until(all_final, timeout=60)
    stamps = sorted(r.at for r in smtp_server.handler.received)
    assert len(stamps) == 240
    # In any T seconds the bucket grants at most rate × T + one bucket to all workers together,
    # and a message reaches the server after its grant. The only messages of a window granted
    # before it opened are the chunks being sent then, one per worker (a worker's next grant
    # waits for its chunk), each at most a batch. Delays (a slow machine) only move messages
    # later, which cannot add to a window, so there is no allowance for them.
    allowed = rate * BURST_SECONDS + 2 * batch
    assert most_within(stamps, 1.0) <= rate + allowed  # 84 = 1.4 × the rate
    assert most_within(stamps, 2.0) <= 2 * rate + allowed  # 1.2 ×
    assert len(stamps) <= rate * (stamps[-1] - stamps[0]) + allowed  # the run on average: 1.11 ×
