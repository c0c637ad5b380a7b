from datetime import timedelta

from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.people.models import Contact, Organization
from followthrough.people.services import organization_create


def test_it_lists_and_searches_organizations(alice_client, workspace) -> None:
    organization_create(workspace=workspace, fields={"name": "Velo Club"})
    organization_create(workspace=workspace, fields={"name": "Harbor Law"})

    body = alice_client.get("/organizations/", {"q": "velo"}).content.decode()

    assert "Velo Club" in body and "Harbor Law" not in body


def test_it_creates_an_organization(alice_client) -> None:
    response = alice_client.post("/organizations/new/", {
        "name": "Velo Club", "website": "veloclub.test", "phone": "(415) 555-0199",
        "tier": "gold", "city": "Oakland", "country": "us",
    })

    velo = Organization.objects.get(name="Velo Club")
    assert response.url == f"/organizations/{velo.pk}/"
    assert velo.phone == "+14155550199" and velo.website == "https://veloclub.test"


def test_it_shows_a_bad_phone_next_to_the_phone(alice_client) -> None:
    response = alice_client.post("/organizations/new/", {"name": "Velo", "phone": "12"})

    assert response.status_code == 400
    field = response.content.decode().split('data-field="phone"')[1].split("data-field=")[0]
    assert "phone number" in field and 'value="12"' in field


def test_it_shows_its_people_and_their_last_touches(alice_client, workspace, make_contact) -> None:
    velo = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    erin = make_contact("Erin", "Climb", organization=velo)
    interaction_log(contact=erin, by=None, channel="call", summary="Hi",
                    occurred_at=NOW - timedelta(days=5))
    make_contact("Frank", "Flat", organization=velo)

    body = alice_client.get(f"/organizations/{velo.pk}/").content.decode()

    assert body.index("Frank Flat") < body.index("Erin Climb")  # never touched first
    assert "5 days ago" in body and "never" in body
    assert f'/contacts/new/?organization={velo.pk}' in body


def test_it_edits_an_organization_and_renames_it_in_search(alice_client, workspace,
                                                          make_contact) -> None:
    velo = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    make_contact("Erin", "Climb", organization=velo)

    form = alice_client.get(f"/organizations/{velo.pk}/edit/").content.decode()
    assert 'value="Velo Club"' in form
    alice_client.post(f"/organizations/{velo.pk}/edit/", {"name": "Velo Collective"})

    found = alice_client.get("/contacts/", {"q": "collective"}).context["page"].object_list
    assert [c.name for c in found] == ["Erin Climb"]
    assert Contact.objects.get(first_name="Erin").organization.name == "Velo Collective"
