"""The whole workspace as JSON, read back as a new workspace: the same data, new ids."""

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models

from followthrough.accounts.models import User, Workspace
from followthrough.activity.services import followup_create, interaction_log
from followthrough.conftest import NOW
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.insight.services import tier_pin_set
from followthrough.outreach.models import Segment, Suppression, address_digest
from followthrough.people.models import Contact, ImportantDate
from followthrough.people.services import organization_create
from followthrough.transfer.importing.jobs import import_job_create
from followthrough.transfer.models import ImportJob
from followthrough.transfer.workspace_json import workspace_export_json, workspace_import_json


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def busy(workspace, alice, bob, make_contact):
    acme = organization_create(workspace=workspace, fields={"name": "Acme", "owner": bob})
    dana = make_contact(
        "Dana",
        "Rider",
        email="dana@example.com",
        phone="+1 415 555 0100",
        organization=acme,
        tags=("road", "coffee"),
        stage="client",
        owner=bob,
    )
    erin = make_contact("Erin", "Climb", referred_by=dana, tags=("road",), notes="Zoë’s friend")
    ImportantDate.objects.create(contact=dana, kind="birthday", month=5, day=12, year=1980)
    interaction_log(
        contact=dana, by=bob, channel="call", summary="Fitting", occurred_at=NOW - timedelta(days=4)
    )
    followup_create(contact=erin, by=alice, purpose="Welcome call", assignee=bob)
    event_record(
        workspace=workspace,
        item=EventInput(
            type="purchase.made",
            occurred_at=NOW - timedelta(days=1),
            source="shop",
            external_id="o-1",
            contact=ContactRef(id=dana.pk),
            data={"amount": "99.50"},
        ),
    )
    tier_pin_set(contact=dana, tier="gold", by=alice)
    import_job_create(
        workspace=workspace, by=alice, file_name="book.csv", data=b"Name,Email\nAl Bo,al@b.test\n"
    )
    Segment.objects.create(
        workspace=workspace,
        name="Bob's clients",
        filters={"owners": [bob.pk], "stages": ["client"]},
    )
    Suppression.objects.create(
        workspace=workspace, digest=address_digest("gone@example.com"), reason="unsubscribed"
    )
    return workspace


def _export(workspace: Workspace) -> dict[str, Any]:
    out = io.StringIO()
    workspace_export_json(workspace=workspace, file=out, now=NOW)
    return json.loads(out.getvalue())


def _normalized(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The export with every id replaced by the row's position in its table."""
    position = {
        label: {row["id"]: i for i, row in enumerate(rows)}
        for label, rows in data["tables"].items()
    }
    position["accounts.workspace"] = {data["workspace"]["id"]: 0}
    tables = {}
    for label, rows in data["tables"].items():
        model = apps.get_model(label)
        keys = {
            f.attname: f.related_model._meta.label_lower
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey)
        }
        m2m = {f.name: f.related_model._meta.label_lower for f in model._meta.many_to_many}
        out = []
        for row in rows:
            row = dict(row)
            row.pop("id")
            row.pop("slug", None)  # a public form's address is new in the copy
            for attname, target in keys.items():
                if row.get(attname) is not None:
                    row[attname] = position[target][row[attname]]
            if label == "outreach.segment":  # user ids inside the filter
                owners = [position["accounts.user"][i] for i in row["filters"]["owners"]]
                row["filters"] = {**row["filters"], "owners": owners}
            for name, target in m2m.items():
                row[name] = sorted(position[target][i] for i in row[name])
            out.append(row)
        tables[label] = out
    return tables


def test_it_round_trips_into_a_new_workspace(busy) -> None:
    first = _export(busy)
    assert len(first["tables"]["people.contact"]) == 2
    assert "password" not in first["tables"]["accounts.user"][0]
    # Moving to a new server: the old workspace and its users are gone.
    User.objects.filter(workspace=busy).delete()
    busy.delete()

    report = workspace_import_json(file=io.StringIO(json.dumps(first)), name="Spoke & Chain")

    copy = report.workspace
    second = _export(copy)
    assert _normalized(second) == _normalized(first)
    assert copy.name == "Spoke & Chain" and report.skipped_users == []
    dana = Contact.objects.get(workspace=copy, first_name="Dana")
    assert dana.owner.email == "bob@spokechain.test"
    assert not dana.owner.has_usable_password()
    assert sorted(t.name for t in dana.tags.all()) == ["coffee", "road"]
    assert dana.referrals.get().first_name == "Erin"
    assert dana.created_at == NOW
    assert bytes(ImportJob.objects.get(workspace=copy).data) == b"Name,Email\nAl Bo,al@b.test\n"
    new_bob = User.objects.get(email="bob@spokechain.test")
    assert Segment.objects.get(workspace=copy).filters["owners"] == [new_bob.pk]


def test_it_imports_beside_the_original_without_touching_it(busy, alice) -> None:
    first = _export(busy)
    report = workspace_import_json(file=io.StringIO(json.dumps(first)), name="Copy")

    assert report.skipped_users == ["alice@spokechain.test", "bob@spokechain.test"]
    copy = report.workspace
    assert Contact.objects.filter(workspace=copy).count() == 2
    assert Contact.objects.filter(workspace=busy).count() == 2
    dana = Contact.objects.get(workspace=copy, first_name="Dana")
    assert dana.owner is None  # bob belongs to the original workspace
    assert dana.emails.get().email == "dana@example.com"
    assert dana.events.get(type="purchase.made").data == {"amount": "99.50"}
    assert Suppression.objects.filter(workspace=copy).count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "Not a JSON file"),
        ("[1, 2]", "Not a Followthrough workspace export"),
        ('{"format": "followthrough-workspace", "version": 99}', "version 99"),
    ],
)
def test_it_names_what_is_wrong_with_a_bad_file(db, content, message) -> None:
    with pytest.raises(ValidationError) as error:
        workspace_import_json(file=io.StringIO(content), name="X")
    assert message in str(error.value.message_dict["file"])
    assert not Workspace.objects.filter(name="X").exists()


def test_it_round_trips_through_the_command_line(busy, tmp_path: Path) -> None:
    target = tmp_path / "workspace.json"
    call_command("export", "workspace", "--output", str(target), stderr=io.StringIO())
    out = io.StringIO()
    call_command("restore", "--json", str(target), "--workspace-name", "Restored", stdout=out)
    assert "New workspace" in out.getvalue()
    restored = Workspace.objects.get(name="Restored")
    assert Contact.objects.filter(workspace=restored).count() == 2
