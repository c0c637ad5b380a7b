"""One person's data as JSON (a subject access request), from the contact page and the CLI."""

import io
import json

from django.core.management import call_command
from django.test import Client

from followthrough.activity.services import followup_create, interaction_log


def test_it_gives_everything_about_one_person(client: Client, alice, contact, make_contact) -> None:
    interaction_log(contact=contact, by=alice, channel="call", summary="Talked about tyres")
    followup_create(contact=contact, by=alice, purpose="Send the tyre guide")
    make_contact("Someone", "Else", email="else@example.com")
    client.force_login(alice)

    response = client.get(f"/contacts/{contact.pk}/export.json")

    assert response.status_code == 200
    assert f"contact-{contact.pk}.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["contact"]["name"] == "Dana Rider"
    assert data["contact"]["tags"] == ["road cycling"]
    assert [e["email"] for e in data["people.contactemail"]] == ["dana@example.com"]
    assert [i["summary"] for i in data["activity.interaction"]] == ["Talked about tyres"]
    assert "Send the tyre guide" in [f["purpose"] for f in data["activity.followup"]]
    assert "else@example.com" not in response.content.decode()


def test_it_exports_one_person_from_the_command_line(contact) -> None:
    out = io.StringIO()
    call_command("export", "contact", str(contact.pk), stdout=out)
    data = json.loads(out.getvalue())
    assert data["contact"]["first_name"] == "Dana"


def test_it_includes_their_events_dates_campaign_email_and_playbook_runs(
    client: Client, alice, contact, workspace
) -> None:
    from django.utils import timezone

    from followthrough.events.services import ContactRef, EventInput, event_record
    from followthrough.outreach.services import (
        campaign_create,
        campaign_start,
        segment_create,
        template_create,
    )
    from followthrough.people.models import ImportantDate
    from followthrough.playbooks.engine import event_process, playbooks_install_defaults

    playbooks_install_defaults(workspace=workspace)
    ImportantDate.objects.create(contact=contact, kind="birthday", month=4, day=12)
    recorded = event_record(
        workspace=workspace,
        item=EventInput(
            type="purchase.made",
            occurred_at=timezone.now(),
            source="pos",
            external_id="order-7",
            contact=ContactRef(id=contact.pk),
            data={"amount": "1899.00", "items": ["gravel bike"]},
        ),
    )
    event_process(event_id=recorded.pk)  # the first-purchase playbook starts a run
    workspace.postal_address = "12 Spoke Street, Portland"
    workspace.save(update_fields=["postal_address"])
    template = template_create(
        workspace=workspace, fields={"name": "N", "subject": "Hi", "body_html": "<p>Hi</p>"}
    )
    segment = segment_create(workspace=workspace, name="All", filters={})
    campaign = campaign_create(
        workspace=workspace, by=alice, name="News", template=template, segment=segment
    )
    campaign_start(campaign=campaign, wake=False)
    client.force_login(alice)

    data = json.loads(client.get(f"/contacts/{contact.pk}/export.json").content)

    assert [(d["kind"], d["month"], d["day"]) for d in data["people.importantdate"]] == [
        ("birthday", 4, 12)
    ]
    [purchase] = [e for e in data["events.event"] if e["type"] == "purchase.made"]
    assert purchase["data"]["items"] == ["gravel bike"]
    assert [m["email"] for m in data["outreach.outboxmessage"]] == ["dana@example.com"]
    assert {run["playbook_id"] for run in data["playbooks.playbookrun"]}
