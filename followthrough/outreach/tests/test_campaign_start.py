"""Starting a campaign snapshots its audience into the outbox, skipping (and counting) those who
refused email, gave no consent, are over their frequency cap, are suppressed or have no address;
without a postal address nothing starts."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from followthrough.outreach.models import (
    CampaignStatus,
    OutboxMessage,
    OutboxStatus,
    Suppression,
    SuppressionReason,
    address_digest,
)
from followthrough.outreach.selectors import campaign_progress, skip_counts
from followthrough.outreach.services import campaign_start


@pytest.fixture
def crowd(make_contact):
    ok = {"stage": "client", "marketing_consent": True}
    make_contact("Ann", "Able", email="ann@example.test", **ok)
    make_contact("Ray", "Refuses", email="ray@example.test", pref_email="refused", **ok)
    make_contact("Nia", "Noconsent", email="nia@example.test", stage="client")
    make_contact("Nemo", "Noemail", **ok)
    make_contact("Sue", "Suppressed", email="sue@example.test", **ok)
    return make_contact("Cap", "Capped", email="cap@example.test", max_touches_per_month=1, **ok)


def test_it_snapshots_the_audience_and_counts_who_is_skipped(workspace, make_campaign, crowd):
    Suppression.objects.create(
        workspace=workspace,
        digest=address_digest("SUE@example.test"),
        reason=SuppressionReason.UNSUBSCRIBED,
    )
    earlier = make_campaign(name="Earlier")
    OutboxMessage.objects.create(
        workspace=workspace,
        campaign=earlier,
        run=1,
        contact=crowd,
        email="cap@example.test",
        status=OutboxStatus.SENT,
        sent_at=timezone.now() - timedelta(days=3),
        next_attempt_at=timezone.now(),
    )
    campaign = make_campaign()
    run = campaign_start(campaign=campaign, wake=False)
    assert run.audience == 6
    assert campaign_progress(campaign=campaign) | {} == {
        "queued": 1,
        "sent": 0,
        "failed": 0,
        "suppressed": 1,
        "skipped": 4,
        "audience": 6,
        "final": 5,
    }
    assert skip_counts(campaign=campaign) == {
        "refused": 1,
        "no_consent": 1,
        "no_email": 1,
        "suppressed": 1,
        "frequency": 1,
    }
    assert OutboxMessage.objects.get(campaign=campaign, status="queued").email == "ann@example.test"


def test_it_mails_everyone_who_accepts_email_when_consent_is_not_required(
    workspace, make_campaign, crowd
):
    campaign = make_campaign(require_consent=False)
    campaign_start(campaign=campaign, wake=False)
    queued = set(
        OutboxMessage.objects.filter(campaign=campaign, status="queued").values_list(
            "email", flat=True
        )
    )
    assert queued == {
        "ann@example.test",
        "nia@example.test",
        "sue@example.test",
        "cap@example.test",
    }


def test_it_refuses_to_start_without_a_postal_address(workspace, make_campaign, crowd):
    campaign = make_campaign()
    workspace.postal_address = ""
    workspace.save(update_fields=["postal_address"])
    with pytest.raises(ValidationError) as caught:
        campaign_start(campaign=campaign, wake=False)
    assert "postal address" in caught.value.message_dict["postal_address"][0]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not OutboxMessage.objects.exists()


def test_it_schedules_the_next_run_of_a_recurring_campaign(
    workspace, make_campaign, crowd, smtp_server
):
    from followthrough.outreach.sending import outbox_work
    from followthrough.outreach.services import campaigns_start_due

    first = timezone.now() - timedelta(minutes=1)
    campaign = make_campaign(send_at=first, every_weeks=2)
    assert campaigns_start_due() == 1
    while outbox_work(worker_id="t"):
        pass
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.next_run_at == first + timedelta(weeks=2)
    assert smtp_server.handler.recipients() == {
        "ann@example.test": 1,
        "sue@example.test": 1,
        "cap@example.test": 1,
    }


def test_it_starts_a_scheduled_campaign_from_the_periodic_task(
    workspace, make_campaign, crowd, smtp_server
):
    from followthrough.outreach.tasks import outbox_tick_task

    campaign = make_campaign(send_at=timezone.now() + timedelta(hours=1))
    outbox_tick_task()
    assert smtp_server.handler.count() == 0  # not yet
    campaign.next_run_at = timezone.now() - timedelta(seconds=1)
    campaign.save(update_fields=["next_run_at"])
    outbox_tick_task()  # huey runs the wake-up job at once in tests
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    assert set(smtp_server.handler.recipients()) == {
        "ann@example.test",
        "sue@example.test",
        "cap@example.test",
    }


def test_it_counts_logged_touches_toward_the_frequency_cap(
    workspace, make_campaign, make_contact, alice
):
    from followthrough.activity.services import interaction_log

    ok = {"stage": "client", "marketing_consent": True, "max_touches_per_month": 2}
    called = make_contact("Cal", "Called", email="cal@example.test", **ok)
    quiet = make_contact("Quinn", "Quiet", email="quinn@example.test", **ok)
    for person, days in ((called, 2), (called, 9), (quiet, 45)):
        # Cal: two calls this month, at the cap; Quinn: one call long ago, which does not count.
        interaction_log(
            contact=person, by=alice, channel="call", summary="Talked about the fitting",
            occurred_at=timezone.now() - timedelta(days=days),
        )
    campaign = make_campaign()
    campaign_start(campaign=campaign, wake=False)
    statuses = dict(OutboxMessage.objects.filter(campaign=campaign).values_list("email", "status"))
    assert statuses == {"cal@example.test": "skipped", "quinn@example.test": "queued"}
    assert skip_counts(campaign=campaign) == {"frequency": 1}
