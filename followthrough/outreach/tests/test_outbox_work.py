"""outbox_work against a real SMTP server, in this process: what recipients get, retries after
4xx (with a growing wait, then giving up), bounces on 5xx, pause and resume, an unsubscribe in
the middle of a campaign, and the global rate limit."""

import time
from bisect import bisect_left
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from followthrough.conftest import NOW
from followthrough.outreach.models import (
    CampaignStatus,
    OutboxMessage,
    OutboxStatus,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.sending import BURST_SECONDS, MAX_ATTEMPTS, outbox_work
from followthrough.outreach.services import campaign_pause, campaign_resume, campaign_start
from followthrough.outreach.tests.conftest import audience
from followthrough.outreach.tokens import unsubscribe_token


def drain(batch_size: int = 50) -> int:
    batches = 0
    while outbox_work(worker_id="test", batch_size=batch_size):
        batches += 1
    return batches


def test_it_sends_each_recipient_one_compliant_email(workspace, make_campaign, smtp_server):
    audience(workspace, 3)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    drain()
    assert sorted(smtp_server.handler.recipients().values()) == [1, 1, 1]
    message = smtp_server.handler.received[0].message
    assert message["Subject"].startswith("Rides for R")
    assert message["List-Unsubscribe"].startswith("<https://crm.spokechain.test/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body_html = html.get_payload(decode=True).decode()
    body_text = text.get_payload(decode=True).decode()
    assert "12 Spoke Street" in body_html and "Portland, OR 97201" in body_text
    assert "https://crm.spokechain.test/u/" in body_html and "Unsubscribe" in body_text
    assert "https://crm.spokechain.test/t/" in body_html  # the link is tracked
    assert "shop.example.test" not in body_html and "shop.example.test" not in body_text
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_it_sends_a_batch_over_a_few_reused_smtp_connections(workspace, make_campaign, smtp_server):
    audience(workspace, 60)
    campaign_start(campaign=make_campaign(), wake=False)
    assert outbox_work(worker_id="test", batch_size=60, connections=3)
    assert smtp_server.handler.count() == 60
    assert 1 <= smtp_server.handler.sessions <= 3  # not one SMTP conversation per message


def test_it_retries_a_4xx_later_and_then_delivers(workspace, make_campaign, smtp_server, settings):
    settings.OUTBOX_RETRY_SECONDS = 0.3
    audience(workspace, 3)
    smtp_server.handler.replies["rider1@example.test"] = ["451 4.3.0 Mailbox busy, try later"]
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    drain()
    row = OutboxMessage.objects.get(email="rider1@example.test")
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1 and "451" in row.error
    assert smtp_server.handler.count() == 2  # the others were not held up
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING  # not finished while a row waits
    time.sleep(0.4)
    drain()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert smtp_server.handler.recipients()["rider1@example.test"] == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_it_waits_longer_after_each_4xx_and_gives_up_after_max_attempts(
    workspace, make_campaign, smtp_server, settings
):
    busy = "rider1@example.test"
    audience(workspace, 3)
    smtp_server.handler.replies[busy] = ["451 4.3.0 Mailbox busy, try later"] * (MAX_ATTEMPTS + 1)
    waits = []
    with time_machine.travel(NOW, tick=False) as traveller:
        campaign = make_campaign()
        campaign_start(campaign=campaign, wake=False)
        drain()
        row = OutboxMessage.objects.get(email=busy)
        while row.status == OutboxStatus.QUEUED:
            waits.append(row.next_attempt_at - timezone.now())
            traveller.move_to(row.next_attempt_at - timedelta(seconds=1))
            tries = smtp_server.handler.refusals[busy]
            drain()
            assert smtp_server.handler.refusals[busy] == tries  # not a second early
            campaign.refresh_from_db()
            assert campaign.status == CampaignStatus.SENDING  # not finished while a row waits
            traveller.move_to(row.next_attempt_at)
            drain()
            row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert row.error.startswith("451")
    assert smtp_server.handler.refusals[busy] == MAX_ATTEMPTS  # then we stopped asking
    assert dict(smtp_server.handler.recipients()) == {
        "rider0@example.test": 1,
        "rider2@example.test": 1,
    }
    first = timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)
    assert waits == [first * 2**i for i in range(MAX_ATTEMPTS - 1)]  # 1, 2, 4, 8, 16 minutes
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_it_fails_a_5xx_suppresses_the_address_and_sends_the_rest(
    workspace, make_campaign, smtp_server
):
    audience(workspace, 5)
    smtp_server.handler.replies["rider2@example.test"] = "550 5.1.1 No such user"
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    drain(batch_size=10)
    assert set(smtp_server.handler.recipients()) == {f"rider{i}@example.test" for i in (0, 1, 3, 4)}
    row = OutboxMessage.objects.get(email="rider2@example.test")
    assert row.status == OutboxStatus.FAILED and row.error.startswith("550")
    suppression = Suppression.objects.get(digest=address_digest("rider2@example.test"))
    assert suppression.reason == SuppressionReason.BOUNCED
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_it_pauses_and_resumes_without_sending_anyone_twice(workspace, make_campaign, smtp_server):
    audience(workspace, 40)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    assert outbox_work(worker_id="test", batch_size=10)
    campaign_pause(campaign=campaign)
    assert not outbox_work(worker_id="test", batch_size=10)
    assert smtp_server.handler.count() == 10
    campaign_resume(campaign=campaign, wake=False)
    drain(batch_size=10)
    counts = smtp_server.handler.recipients()
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 40


def test_it_stops_a_running_campaign_for_someone_who_unsubscribes(
    workspace, make_campaign, smtp_server
):
    audience(workspace, 20)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    outbox_work(worker_id="test", batch_size=5)
    later = OutboxMessage.objects.get(email="rider15@example.test")
    response = Client().post(f"/u/{unsubscribe_token(later.pk)}")
    assert response.status_code == 200
    drain()
    assert "rider15@example.test" not in smtp_server.handler.recipients()
    assert len(smtp_server.handler.recipients()) == 19
    later.refresh_from_db()
    assert later.status == OutboxStatus.SUPPRESSED
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def most_within(stamps: list[float], seconds: float) -> int:
    """The most messages the server received in any `seconds` (stamps sorted)."""
    return max(bisect_left(stamps, start + seconds) - i for i, start in enumerate(stamps))


@pytest.mark.parametrize("rate", [40.0])
def test_it_never_sends_faster_than_the_global_rate(
    workspace, make_campaign, smtp_server, settings, rate
):
    settings.SEND_RATE = rate
    batch = 4  # smaller than the bucket, so that the chunk in flight is small (below)
    audience(workspace, 100)
    campaign_start(campaign=make_campaign(), wake=False)
    drain(batch_size=batch)
    stamps = sorted(r.at for r in smtp_server.handler.received)
    assert len(stamps) == 100
    # In any T seconds the bucket grants at most rate × T + one bucket, and a message reaches
    # the server after its grant. The only messages of a window granted before it opened are
    # the chunk being sent then (the next grant waits for the chunk): at most one batch.
    # Delays (a slow machine) only move messages later, which cannot add to a window, so there
    # is no allowance for them.
    allowed = rate * BURST_SECONDS + batch
    assert most_within(stamps, 1.0) <= rate + allowed  # 52 = 1.3 × the rate
    assert most_within(stamps, 2.0) <= 2 * rate + allowed  # 1.15 ×
    assert len(stamps) <= rate * (stamps[-1] - stamps[0]) + allowed  # the run on average: 1.14 ×


def test_it_skips_a_row_suppressed_while_a_worker_holds_it(workspace, make_campaign, smtp_server):
    from followthrough.outreach.sending import _send_batch, outbox_claim

    audience(workspace, 6)
    campaign_start(campaign=make_campaign(), wake=False)
    ids = outbox_claim(claim="w:1", batch_size=10, claim_seconds=60)
    held = OutboxMessage.objects.get(email="rider3@example.test")
    assert held.pk in ids and held.claimed_by == "w:1"
    assert Client().post(f"/u/{unsubscribe_token(held.pk)}").status_code == 200
    _send_batch("w:1", ids, 60, 2)
    assert set(smtp_server.handler.recipients()) == {
        f"rider{i}@example.test" for i in (0, 1, 2, 4, 5)
    }
