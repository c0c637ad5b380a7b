"""charlie (another business) must not see or touch alice's rows: every id of hers answers like
a missing one, and he cannot point his own rows at hers."""

from datetime import date

import pytest

from followthrough.activity.services import followup_create, interaction_log
from followthrough.api.tests.conftest import error_locs
from followthrough.people.services import contact_create, organization_create


@pytest.fixture
def alices(workspace, alice, contact):
    interaction, followup = interaction_log(contact=contact, by=alice, channel="call",
                                            summary="Sold a road bike")
    followup = followup_create(contact=contact, by=alice, purpose="Two-week check",
                               due=date(2026, 12, 7))
    organization = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    return {"contact": contact, "interaction": interaction, "followup": followup,
            "organization": organization}


@pytest.fixture
def charlies_contact(other_workspace, charlie):
    return contact_create(workspace=other_workspace, by=charlie, fields={"first_name": "Cora"})


def test_it_answers_404_for_every_row_of_another_workspace(charlie_api, alices) -> None:
    for path in (f"/contacts/{alices['contact'].pk}",
                 f"/interactions/{alices['interaction'].pk}",
                 f"/followups/{alices['followup'].pk}",
                 f"/organizations/{alices['organization'].pk}"):
        assert charlie_api.get(path).status_code == 404, path
        assert charlie_api.get(path).json() == charlie_api.get(path + "0000").json()


def test_it_answers_404_to_changes_of_another_workspaces_rows(charlie_api, alices) -> None:
    followup = alices["followup"].pk
    assert charlie_api.patch(f"/contacts/{alices['contact'].pk}", {"stage": "former"}) \
        .status_code == 404
    assert charlie_api.patch(f"/organizations/{alices['organization'].pk}", {"name": "Mine"}) \
        .status_code == 404
    for action, body in (("complete", {}), ("snooze", {"days": 1}), ("skip", {"reason": "x"}),
                         ("reschedule", {"due": "2026-12-10"})):
        assert charlie_api.post(f"/followups/{followup}/{action}", body).status_code == 404
    alices["followup"].refresh_from_db()
    assert alices["followup"].status == "open"


def test_lists_show_only_the_own_workspace(charlie_api, alices, charlies_contact) -> None:
    assert [c["name"] for c in charlie_api.get("/contacts").json()["items"]] == ["Cora"]
    for path in ("/organizations", "/interactions", "/followups"):
        assert charlie_api.get(path).json()["total"] == 0, path
    agenda = charlie_api.get("/agenda", who="team").json()
    assert agenda["today"]["total"] == agenda["upcoming"]["total"] == 0


def test_he_cannot_attach_alices_organization_to_his_contact(charlie_api, alices,
                                                             charlies_contact) -> None:
    org = alices["organization"].pk
    response = charlie_api.patch(f"/contacts/{charlies_contact.pk}", {"organization_id": org})
    assert error_locs(response) == [["body", "organization_id"]]
    response = charlie_api.post("/contacts", {"first_name": "Carl", "organization_id": org})
    assert error_locs(response) == [["body", "organization_id"]]
    charlies_contact.refresh_from_db()
    assert charlies_contact.organization_id is None


def test_he_cannot_point_at_alices_people(charlie_api, alice, alices, charlies_contact) -> None:
    dana = alices["contact"].pk
    assert error_locs(charlie_api.post("/contacts", {"first_name": "Carl", "owner_id": alice.pk,
                                                     "referred_by_id": dana})) == [
        ["body", "owner_id"]
    ]
    assert error_locs(charlie_api.post("/contacts", {"first_name": "Carl",
                                                     "referred_by_id": dana})) == [
        ["body", "referred_by_id"]
    ]
    assert error_locs(charlie_api.post("/interactions", {"contact_id": dana, "channel": "call",
                                                         "summary": "Hi"})) == [
        ["body", "contact_id"]
    ]
    assert error_locs(charlie_api.post("/followups", {"contact_id": charlies_contact.pk,
                                                      "purpose": "Call",
                                                      "assignee_id": alice.pk})) == [
        ["body", "assignee_id"]
    ]
    assert error_locs(charlie_api.post("/organizations", {"name": "Mine",
                                                          "owner_id": alice.pk})) == [
        ["body", "owner_id"]
    ]


def test_he_cannot_filter_by_alices_rows(charlie_api, alice, alices) -> None:
    assert error_locs(charlie_api.get("/interactions", contact=alices["contact"].pk)) == [
        ["query", "contact"]
    ]
    assert error_locs(charlie_api.get("/followups", assignee=alice.pk)) == [["query", "assignee"]]
    assert error_locs(charlie_api.get("/contacts", owner=alice.pk)) == [["query", "owner"]]
    assert error_locs(charlie_api.get("/agenda", who=alice.pk)) == [["query", "who"]]
