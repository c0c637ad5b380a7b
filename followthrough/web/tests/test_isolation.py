"""charlie works for another business: every id of alice's workspace answers 404 to him,
for pages and for actions, and nothing changes."""

from datetime import timedelta

import pytest

from followthrough.activity.models import FollowUp, Interaction, Status
from followthrough.conftest import NOW
from followthrough.events.models import Event, LeadForm
from followthrough.insight.models import TierPin
from followthrough.people.services import organization_create
from followthrough.playbooks.models import Playbook


@pytest.fixture
def alices(contact, plan, workspace):
    organization = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    followup = plan(contact, "Call back", NOW - timedelta(days=1))
    playbook = Playbook.objects.get(workspace=workspace, key="first-purchase")
    lead_form = LeadForm.objects.create(workspace=workspace, name="Velo fitting request")
    return {"contact": contact.pk, "followup": followup.pk, "organization": organization.pk,
            "playbook": playbook.pk, "lead_form": lead_form.pk}


PAGES = ["/contacts/{contact}/", "/contacts/{contact}/edit/", "/contacts/{contact}/followups/new/",
         "/organizations/{organization}/", "/organizations/{organization}/edit/",
         "/playbooks/{playbook}/", "/settings/forms/{lead_form}/", "/playbooks/{playbook}/lift/"]
ACTIONS = [
    ("/contacts/{contact}/edit/", {"first_name": "Hacked", "stage": "lead"}),
    ("/contacts/{contact}/log/", {"channel": "call", "direction": "out", "summary": "x"}),
    ("/contacts/{contact}/followups/new/", {"purpose": "x"}),
    ("/contacts/{contact}/flag/", {"flagged": "1"}),
    ("/followups/{followup}/complete/", {}),
    ("/followups/{followup}/snooze/", {"choice": "1d"}),
    ("/followups/{followup}/reschedule/", {"due": "2026-12-01"}),
    ("/followups/{followup}/skip/", {"reason": "x"}),
    ("/organizations/{organization}/edit/", {"name": "Hacked"}),
    ("/contacts/{contact}/record/purchase/", {"purchase-on": "2026-11-23"}),
    ("/contacts/{contact}/record/hold/", {"hold-revisit_on": "2027-03-01"}),
    ("/playbooks/{playbook}/", {"name": "Hacked"}),
    ("/playbooks/{playbook}/enabled/", {"enabled": "0"}),
    ("/settings/forms/{lead_form}/", {"name": "Hacked"}),
    ("/contacts/{contact}/tier/", {"tier": "bronze"}),
    ("/at-risk/{contact}/plan/", {"purpose": "x", "channel": "call"}),
]


@pytest.mark.parametrize("url", PAGES)
def test_it_hides_another_workspaces_pages(charlie_client, alices, url) -> None:
    assert charlie_client.get(url.format(**alices)).status_code == 404


@pytest.mark.parametrize(("url", "data"), ACTIONS)
def test_it_refuses_actions_on_another_workspaces_rows(charlie_client, alices, contact, url,
                                                       data) -> None:
    assert charlie_client.post(url.format(**alices), data).status_code == 404

    contact.refresh_from_db()
    assert contact.first_name == "Dana" and not contact.review_flag
    assert not Interaction.objects.exists() and not Event.objects.exists()
    assert FollowUp.objects.get(pk=alices["followup"]).status == Status.OPEN
    playbook = Playbook.objects.get(pk=alices["playbook"])
    assert playbook.enabled and playbook.name == "First purchase"
    assert LeadForm.objects.get(pk=alices["lead_form"]).name == "Velo fitting request"
    assert contact.tier == "gold" and not TierPin.objects.exists()
    assert FollowUp.objects.filter(contact=contact).count() == 1


def test_it_keeps_another_workspace_out_of_lists_and_agenda(charlie_client, alices) -> None:
    for url in ("/", "/?who=team", "/contacts/", "/organizations/", "/review/", "/neglected/",
                "/settings/", "/playbooks/", "/reports/", "/at-risk/", "/settings/tiers/"):
        body = charlie_client.get(url).content.decode()
        assert "Dana Rider" not in body and "Velo" not in body, url
    assert f'href="/playbooks/{alices["playbook"]}/"' not in charlie_client.get(
        "/playbooks/").content.decode()
    assert "Velo" not in charlie_client.get("/playbooks/export/").content.decode()


def test_it_refuses_another_workspaces_organization_in_the_contact_form(
    charlie_client, alices
) -> None:
    response = charlie_client.post("/contacts/new/", {
        "first_name": "Eve", "stage": "lead", "organization": alices["organization"],
        **{f"pref_{m}": "ok" for m in ("phone", "text", "email", "mail", "in_person", "social")},
    })

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
