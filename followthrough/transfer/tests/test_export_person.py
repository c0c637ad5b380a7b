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
