"""Cancelling a campaign: nobody else gets it, a recurring one is never sent again, and the run's
counts stay whole (queued rows become skipped, reason: cancelled)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from followthrough.outreach.models import CampaignStatus, OutboxMessage, OutboxStatus
from followthrough.outreach.selectors import campaign_progress, skip_counts
from followthrough.outreach.sending import outbox_work
from followthrough.outreach.services import campaign_cancel, campaign_start, campaigns_start_due
from followthrough.outreach.tests.conftest import audience


def test_it_stops_a_running_campaign_and_counts_who_was_left_out(
    workspace, make_campaign, smtp_server
):
    audience(workspace, 30)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    assert outbox_work(worker_id="test", batch_size=10)
    campaign_cancel(campaign=campaign)
    while outbox_work(worker_id="test", batch_size=10):
        pass
    assert smtp_server.handler.count() == 10
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    progress = campaign_progress(campaign=campaign)
    assert (progress["sent"], progress["skipped"], progress["queued"]) == (10, 20, 0)
    assert skip_counts(campaign=campaign) == {"cancelled": 20}


def test_it_never_sends_a_cancelled_recurring_campaign_again(workspace, make_campaign):
    audience(workspace, 3)
    campaign = make_campaign(send_at=timezone.now() + timedelta(days=1), every_weeks=4)
    campaign_cancel(campaign=campaign)
    assert campaigns_start_due(now=timezone.now() + timedelta(days=2)) == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED and campaign.next_run_at is None
    assert not OutboxMessage.objects.exists()


def test_it_says_a_finished_campaign_cannot_be_cancelled(workspace, make_campaign, smtp_server):
    audience(workspace, 2)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    while outbox_work(worker_id="test"):
        pass
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    with pytest.raises(ValidationError, match="already finished"):
        campaign_cancel(campaign=campaign)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 2


def test_the_campaign_page_cancels_it(workspace, make_campaign, alice_client):
    audience(workspace, 2)
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    page = alice_client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Cancel campaign" in page
    response = alice_client.post(f"/outreach/campaigns/{campaign.pk}/cancel/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    page = alice_client.get(f"/outreach/campaigns/{campaign.pk}/").content.decode()
    assert "Cancelled" in page and "Cancel campaign" not in page
