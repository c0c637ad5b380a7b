"""outbox_sweep and expired claims, against a real SMTP server: the rows of a worker that died are
sent by another one, once; the rows of a worker that is alive and within its claim are not
touched, by the sweeper or by anyone else."""

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from followthrough.outreach.models import CampaignStatus, OutboxMessage, OutboxStatus
from followthrough.outreach.sending import _send_batch, outbox_claim, outbox_sweep, outbox_work
from followthrough.outreach.services import campaign_start
from followthrough.outreach.tests.conftest import audience


def drain() -> None:
    while outbox_work(worker_id="other", batch_size=50):
        pass


def claims(ids: list[int]) -> dict[int, tuple[str, datetime | None]]:
    rows = OutboxMessage.objects.filter(pk__in=ids)
    return {
        pk: (by, until)
        for pk, by, until in rows.values_list("pk", "claimed_by", "claim_expires_at")
    }


def sent() -> set[int]:
    return set(OutboxMessage.objects.filter(status=OutboxStatus.SENT).values_list("pk", flat=True))


def test_it_frees_a_dead_workers_rows_and_leaves_a_live_workers_rows_alone(
    workspace, make_campaign, smtp_server
):
    audience(workspace, 6)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    dead = outbox_claim(claim="dead:1", batch_size=2, claim_seconds=60)
    live = outbox_claim(claim="live:1", batch_size=2, claim_seconds=600)
    live_claims = claims(live)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):  # the dead claim expired
        assert outbox_sweep() == 2
        assert set(claims(dead).values()) == {("", None)}
        assert claims(live) == live_claims  # untouched, not even shortened
        drain()
        assert set(dead) <= sent() and not set(live) & sent()
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.SENDING  # the live worker's rows are still to go
        _send_batch("dead:1", dead, 60, 2)  # the "dead" worker was only stalled: it sends nothing
        _send_batch("live:1", live, 600, 2)
        assert outbox_sweep() == 0
    received = smtp_server.handler.recipients()
    assert len(received) == 6 and set(received.values()) == {1}  # everyone, once
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE  # the sweep closes the finished run


def test_it_lets_another_worker_take_over_an_expired_claim_before_any_sweep(
    workspace, make_campaign, smtp_server
):
    audience(workspace, 4)
    campaign_start(campaign=make_campaign(), wake=False)
    dead = outbox_claim(claim="dead:1", batch_size=4, claim_seconds=60)
    drain()
    assert smtp_server.handler.count() == 0  # within the claim, nobody else sends them
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        drain()
    received = smtp_server.handler.recipients()
    assert len(received) == 4 and set(received.values()) == {1}
    assert sent() == set(dead)
