import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from followthrough.activity.models import FollowUp
from followthrough.conftest import NOW
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.playbooks.engine import event_process
from followthrough.playbooks.models import Playbook

from .conftest import HTMX
from .html_forms import form_data


@pytest.fixture
def first_purchase(workspace) -> Playbook:
    return Playbook.objects.get(workspace=workspace, key="first-purchase")


def bought(contact, days_ago: int = 0):
    event = event_record(workspace=contact.workspace, item=EventInput(
        type="purchase.made", occurred_at=NOW - timedelta(days=days_ago), source="test",
        external_id=f"p{days_ago}", contact=ContactRef(id=contact.pk), data={"amount": "1899"}))
    event_process(event_id=event.pk, now=NOW)
    return event


def editor(client, playbook) -> tuple[str, dict[str, list[str]]]:
    url = f"/playbooks/{playbook.pk}/"
    return url, form_data(client.get(url).content.decode(), "playbook-form")


def row(body: str, prefix: str) -> str:
    return body.split(f'data-row="{prefix}"')[1].split("data-row=")[0]


def test_it_lists_every_playbook_with_its_trigger_and_counts(
    alice_client, contact, first_purchase
) -> None:
    bought(contact)

    body = alice_client.get("/playbooks/").content.decode()

    assert Playbook.objects.filter(workspace=contact.workspace).count() >= 15
    line = body.split(f'href="/playbooks/{first_purchase.pk}/"')[1].split("</tr>")[0]
    assert "A purchase (amount, currency, items)" in line
    assert '<td class="num">1<' in line.replace('<span class="show-sm-inline">Started </span>', "")
    assert "4<span" in line  # the note, the call, the 3- and 6-month touches are open
    assert 'role="switch" aria-checked="true"' in line


def test_it_changes_a_step_offset(alice_client, first_purchase) -> None:
    url, data = editor(alice_client, first_purchase)
    assert data["steps-1-offset"] == ["14"] and data["steps-1-channel"] == ["call"]
    data["steps-1-offset"] = ["10"]

    response = alice_client.post(url, data)

    assert response.status_code == 302
    first_purchase.refresh_from_db()
    assert [s["offset"] for s in first_purchase.steps] == [7, 10, 91, 182]
    assert first_purchase.steps[1]["channel"] == "call"
    assert first_purchase.conditions == {
        "facts": [{"fact": "purchase_number", "op": "==", "value": 1}]}
    assert first_purchase.max_runs_per_contact == 1


def test_it_shows_a_bad_step_next_to_it_and_stores_nothing(alice_client, first_purchase) -> None:
    before = first_purchase.steps
    url, data = editor(alice_client, first_purchase)
    data["steps-1-offset"] = ["5000"]
    data["steps-2-purpose"] = ["Hello {{ nickname }}"]

    response = alice_client.post(url, data)

    assert response.status_code == 422
    body = response.content.decode()
    assert "A whole number of days between -366 and 3660." in row(body, "steps-1")
    assert "Unknown merge field “nickname”." in row(body, "steps-2")
    assert "between -366" not in row(body, "steps-0")
    assert 'value="5000"' in row(body, "steps-1")  # what was typed stays
    first_purchase.refresh_from_db()
    assert first_purchase.steps == before


def test_it_adds_and_removes_steps_and_conditions(alice_client, first_purchase) -> None:
    url, data = editor(alice_client, first_purchase)
    data["steps-3-DELETE"] = ["on"]
    data.update({"steps-4-offset": ["2"], "steps-4-unit": ["business_days"],
                 "steps-4-purpose": ["Text {{ first_name }} the fitting times"],
                 "steps-4-channel": ["text"], "tiers": ["gold", "none"],
                 "tags_none": ["wholesale, staff"], "stop_conditions": ["bought", "replied"]})

    assert alice_client.post(url, data).status_code == 302

    first_purchase.refresh_from_db()
    assert first_purchase.steps[-1] == {"offset": 2, "unit": "business_days", "channel": "text",
                                        "purpose": "Text {{ first_name }} the fitting times"}
    assert len(first_purchase.steps) == 4
    assert first_purchase.conditions["tier"] == ["gold", ""]
    assert first_purchase.conditions["tags_none"] == ["wholesale", "staff"]
    assert first_purchase.stop_conditions == ["bought", "replied"]


def test_it_creates_a_playbook_for_a_custom_event(alice_client, workspace, bob) -> None:
    response = alice_client.post("/playbooks/new/", {
        "name": "After a class", "trigger": "custom", "custom_trigger": "class.attended",
        "enabled": "on", "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
        "steps-0-offset": "1", "steps-0-unit": "days", "steps-0-anchor": "event",
        "steps-0-channel": "email", "steps-0-assignee": f"user:{bob.email}",
        "steps-0-purpose": "Send {{ first_name }} the notes from the class",
        "facts-TOTAL_FORMS": "1", "facts-INITIAL_FORMS": "0", "facts-0-op": "==",
        "datatests-TOTAL_FORMS": "1", "datatests-INITIAL_FORMS": "0",
        "datatests-0-name": "level", "datatests-0-op": "in", "datatests-0-value": "1, 2",
    })

    playbook = Playbook.objects.get(workspace=workspace, key="after-a-class")
    assert response.status_code == 302 and response.url == f"/playbooks/{playbook.pk}/"
    assert playbook.trigger == "class.attended"
    assert playbook.steps == [{"offset": 1, "channel": "email", "assignee": f"user:{bob.email}",
                               "purpose": "Send {{ first_name }} the notes from the class"}]
    assert playbook.conditions == {"data": [{"field": "level", "op": "in", "value": [1, 2]}]}
    page = alice_client.get(response.url).content.decode()
    assert 'value="class.attended"' in page and "A custom event type" not in page


def test_it_asks_for_a_step_and_a_custom_type(alice_client, workspace) -> None:
    response = alice_client.post("/playbooks/new/", {
        "name": "Empty", "trigger": "custom", "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0", "steps-0-unit": "days", "steps-0-channel": "preferred",
        "steps-0-assignee": "owner", "facts-TOTAL_FORMS": "0", "facts-INITIAL_FORMS": "0",
        "datatests-TOTAL_FORMS": "0", "datatests-INITIAL_FORMS": "0",
    })

    assert response.status_code == 422
    body = response.content.decode()
    assert "Type the event type" in body.split('data-field="custom_trigger"')[1][:600]
    assert not Playbook.objects.filter(workspace=workspace, name="Empty").exists()

    response = alice_client.post("/playbooks/new/", {
        "name": "Empty", "trigger": "purchase.made", "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0", "steps-0-unit": "days", "steps-0-channel": "preferred",
        "steps-0-assignee": "owner", "facts-TOTAL_FORMS": "0", "facts-INITIAL_FORMS": "0",
        "datatests-TOTAL_FORMS": "0", "datatests-INITIAL_FORMS": "0",
    })
    assert "A playbook needs at least one step." in response.content.decode()


def test_switching_a_playbook_off_stops_it_planning(alice_client, contact, first_purchase) -> None:
    response = alice_client.post(f"/playbooks/{first_purchase.pk}/enabled/", {"enabled": "0"},
                                 **HTMX)

    assert 'aria-checked="false"' in response.content.decode()
    first_purchase.refresh_from_db()
    assert not first_purchase.enabled

    page = alice_client.post(f"/contacts/{contact.pk}/record/purchase/", {
        "purchase-on": "2026-11-23", "purchase-amount": "1899"}, **HTMX).content.decode()

    assert "No playbook planned a follow-up from it." in page
    assert not FollowUp.objects.filter(contact=contact).exists()


def test_it_exports_and_imports_back(alice_client, workspace, first_purchase) -> None:
    response = alice_client.get("/playbooks/export/")
    assert response["Content-Disposition"] == 'attachment; filename="playbooks.json"'
    exported = response.content.decode()
    document = json.loads(exported)
    count = len(document["playbooks"])
    first_purchase.delete()
    Playbook.objects.filter(workspace=workspace, key="new-lead").update(name="Renamed")

    response = alice_client.post("/playbooks/import/", {
        "file": SimpleUploadedFile("playbooks.json", exported.encode())})

    assert response.status_code == 302
    page = alice_client.get("/playbooks/").content.decode()
    assert f"Imported: 1 playbook created, {count - 1} playbooks updated." in page
    assert alice_client.get("/playbooks/export/").content.decode() == exported


def test_it_shows_import_errors_with_their_paths_and_changes_nothing(
    alice_client, workspace, first_purchase
) -> None:
    document = json.loads(alice_client.get("/playbooks/export/").content)
    document["playbooks"][0]["name"] = "Changed"
    document["playbooks"][1]["steps"][0]["offset"] = "soon"
    before = alice_client.get("/playbooks/export/").content

    response = alice_client.post("/playbooks/import/", {
        "file": SimpleUploadedFile("playbooks.json", json.dumps(document).encode())})

    assert response.status_code == 422
    errors = response.content.decode().split('id="import-errors"')[1].split("</div>")[0]
    assert "Nothing was imported." in errors
    assert "<code>playbooks.1.steps.0.offset</code> A whole number of days" in errors
    assert alice_client.get("/playbooks/export/").content == before


def test_it_refuses_a_file_that_is_not_a_playbook_file(alice_client) -> None:
    response = alice_client.post("/playbooks/import/", {
        "file": SimpleUploadedFile("contacts.csv", b"name,email\nDana,dana@example.com\n")})

    assert response.status_code == 422
    assert "Not a playbook file" in response.content.decode()


def test_members_can_read_playbooks_but_not_change_them(client, bob, first_purchase) -> None:
    client.force_login(bob)

    listing = client.get("/playbooks/").content.decode()
    page = client.get(f"/playbooks/{first_purchase.pk}/").content.decode()

    assert "First purchase" in listing and 'role="switch"' not in listing
    assert "New playbook" not in listing and "Import playbooks" not in listing
    assert "only the workspace’s owner or an admin can change it" in page
    assert "Save playbook" not in page
    assert client.get("/playbooks/export/").status_code == 200
    assert client.get("/playbooks/new/").status_code == 403
    assert client.post(f"/playbooks/{first_purchase.pk}/", {"name": "Mine"}).status_code == 403
    assert client.post(f"/playbooks/{first_purchase.pk}/enabled/",
                       {"enabled": "0"}).status_code == 403
    assert client.post("/playbooks/import/", {}).status_code == 403
    first_purchase.refresh_from_db()
    assert first_purchase.enabled and first_purchase.name == "First purchase"


def test_saving_any_default_playbook_unchanged_keeps_its_meaning(alice_client, workspace) -> None:
    def meaning(playbook: Playbook) -> tuple:
        defaults = {"unit": "days", "anchor": "event", "channel": "preferred", "assignee": "owner"}
        steps = [{**defaults, **step} for step in playbook.steps]
        return (playbook.name, playbook.trigger, playbook.enabled, playbook.conditions, steps,
                playbook.stop_conditions, playbook.max_runs_per_contact)

    for playbook in Playbook.objects.filter(workspace=workspace):
        before = meaning(playbook)
        url, data = editor(alice_client, playbook)

        assert alice_client.post(url, data).status_code == 302, playbook.name
        playbook.refresh_from_db()
        assert meaning(playbook) == before, playbook.name
