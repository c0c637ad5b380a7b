"""outbox_work against a real SMTP server, in this process: what recipients get, retries after
4xx, bounces on 5xx, pause and resume, and an unsubscribe in the middle of a campaign."""

import time

import pytest
from django.test import Client

from followthrough.outreach.models import (
    CampaignStatus,
    OutboxMessage,
    OutboxStatus,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.sending import outbox_work
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


@pytest.mark.parametrize("rate", [40.0])
def test_it_never_sends_faster_than_the_global_rate(
    workspace, make_campaign, smtp_server, settings, rate
):
    settings.SEND_RATE = rate
    audience(workspace, 100)
    campaign_start(campaign=make_campaign(), wake=False)
    drain(batch_size=30)
    stamps = sorted(r.at for r in smtp_server.handler.received)
    assert len(stamps) == 100
    burst = rate * 0.2
    most_in_a_second = max(sum(1 for t in stamps if start <= t < start + 1.0) for start in stamps)
    # Grants: at most rate × 1 s + burst per second; plus the chunk in hand at the window's start.
    assert most_in_a_second <= rate + 2 * burst
    assert stamps[-1] - stamps[0] >= (100 - burst) / rate - 0.1


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
