"""The Outreach pages through the test client: templates (errors named by part, preview with a
real contact, test send to yourself), segments with a live count, campaigns with progress, and
another workspace's rows answering 404."""

from followthrough.outreach.models import Campaign, CampaignStatus, EmailTemplate
from followthrough.outreach.tests.conftest import NEWSLETTER_HTML, audience


def test_it_links_outreach_from_the_main_navigation(alice_client):
    page = alice_client.get("/outreach/").content.decode()
    assert 'href="/outreach/"' in page and "Campaigns" in page


def test_it_names_the_part_with_a_template_error(alice_client):
    response = alice_client.post(
        "/outreach/templates/new/",
        {"name": "Broken", "subject": "Hi", "body_html": "<p>{% if %}</p>", "body_text": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-field="body_html"' in body and "Line 1" in body
    assert not EmailTemplate.objects.exists()


def test_it_saves_a_template_and_previews_it_as_a_real_contact(alice_client, contact):
    response = alice_client.post(
        "/outreach/templates/new/",
        {
            "name": "News",
            "subject": "Rides for {{ first_name }}",
            "body_html": NEWSLETTER_HTML,
            "body_text": "",
        },
    )
    assert response.status_code == 302
    preview = alice_client.post(
        "/outreach/templates/preview/",
        {
            "subject": "Rides for {{ first_name }}",
            "body_html": NEWSLETTER_HTML,
            "preview_contact": contact.pk,
        },
    ).content.decode()
    assert "Rides for Dana" in preview and "Hi Dana" in preview


def test_it_refuses_a_template_that_reaches_for_settings_in_the_preview(
    alice_client, contact, settings
):
    preview = alice_client.post(
        "/outreach/templates/preview/",
        {"subject": "x", "body_html": "{{ settings.SECRET_KEY }}", "preview_contact": contact.pk},
    ).content.decode()
    assert "Unknown merge field settings" in preview
    assert settings.SECRET_KEY not in preview


def test_it_sends_a_test_to_the_logged_in_user(
    alice_client, alice, contact, newsletter, smtp_server
):
    response = alice_client.post(
        f"/outreach/templates/{newsletter.pk}/test/", {"preview_contact": contact.pk}
    )
    assert response.status_code == 302
    [received] = smtp_server.handler.received
    assert received.rcpt == alice.email
    assert received.message["Subject"] == "[Test] Rides for Dana"


def test_it_counts_the_segment_as_the_filter_changes(alice_client, workspace):
    audience(workspace, 7)
    part = alice_client.post("/outreach/segments/count/", {"stages": ["client"]})
    assert '<strong id="count-value">7</strong>' in part.content.decode()
    part = alice_client.post("/outreach/segments/count/", {"stages": ["lead"]})
    assert '<strong id="count-value">0</strong>' in part.content.decode()


def test_it_sends_a_campaign_now_and_shows_its_progress(
    alice_client,
    workspace,
    newsletter,
    clients_segment,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    audience(workspace, 5)
    with django_capture_on_commit_callbacks(execute=True):  # the worker is woken on commit
        response = alice_client.post(
            "/outreach/campaigns/new/",
            {
                "name": "November news",
                "template": newsletter.pk,
                "segment": clients_segment.pk,
                "when": "now",
                "require_consent": "on",
            },
        )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.DONE  # huey runs the worker at once in tests
    progress = alice_client.get(f"/outreach/campaigns/{campaign.pk}/progress/").content.decode()
    assert 'data-count="sent">5<' in progress and "Done" in progress
    assert smtp_server.handler.count() == 5


def test_it_refuses_a_campaign_without_a_postal_address(
    alice_client, workspace, newsletter, clients_segment
):
    workspace.postal_address = ""
    workspace.save(update_fields=["postal_address"])
    response = alice_client.post(
        "/outreach/campaigns/new/",
        {
            "name": "November news",
            "template": newsletter.pk,
            "segment": clients_segment.pk,
            "when": "now",
        },
    )
    assert response.status_code == 422
    assert "postal address" in response.content.decode()
    assert not Campaign.objects.exists()


def test_it_hides_another_workspaces_outreach(
    charlie_client, make_campaign, newsletter, clients_segment
):
    campaign = make_campaign()
    for url in (
        f"/outreach/templates/{newsletter.pk}/",
        f"/outreach/segments/{clients_segment.pk}/",
        f"/outreach/campaigns/{campaign.pk}/",
        f"/outreach/campaigns/{campaign.pk}/progress/",
    ):
        assert charlie_client.get(url).status_code == 404, url
    assert charlie_client.post(f"/outreach/campaigns/{campaign.pk}/start/").status_code == 404


def test_it_schedules_a_recurring_campaign_in_the_users_time_zone(
    alice_client, workspace, newsletter, clients_segment
):
    from datetime import UTC, datetime

    from followthrough.outreach.services import campaigns_start_due

    audience(workspace, 3)
    form = {
        "name": "Monthly news",
        "template": newsletter.pk,
        "segment": clients_segment.pk,
        "when": "recurring",
        "send_at": "2027-01-07T09:00",  # 09:00 in New York, alice's time zone
        "require_consent": "on",
    }
    refused = alice_client.post("/outreach/campaigns/new/", form)
    assert "How many weeks between sends?" in refused.content.decode()
    assert not Campaign.objects.exists()

    assert (
        alice_client.post("/outreach/campaigns/new/", {**form, "every_weeks": 4}).status_code == 302
    )
    campaign = Campaign.objects.get()
    first = datetime(2027, 1, 7, 14, 0, tzinfo=UTC)
    assert (campaign.status, campaign.next_run_at, campaign.every_weeks) == (
        CampaignStatus.SCHEDULED,
        first,
        4,
    )
    assert campaigns_start_due(now=first) == 1
    campaign.refresh_from_db()
    assert campaign.next_run_at == datetime(2027, 2, 4, 14, 0, tzinfo=UTC)  # four weeks on
    assert campaign.outbox.count() == 3
