from followthrough.api.tests.conftest import error_for, error_locs
from followthrough.people.services import organization_create


def test_it_creates_an_organization_with_its_phone_in_e164(alice_api, alice) -> None:
    response = alice_api.post("/organizations", {
        "name": "Velo Club", "phone": "(415) 555-0142", "tier": "gold", "owner_id": alice.pk,
        "city": "San Francisco", "country": "US",
    })
    assert response.status_code == 201, response.content
    club = response.json()
    assert (club["name"], club["phone"], club["tier"]) == ("Velo Club", "+14155550142", "gold")
    assert club["owner_id"] == alice.pk


def test_it_needs_a_name(alice_api) -> None:
    assert error_locs(alice_api.post("/organizations", {"industry": "Cycling"})) == [
        ["body", "name"]
    ]


def test_it_names_the_field_of_a_bad_phone(alice_api) -> None:
    response = alice_api.post("/organizations", {"name": "Velo Club", "phone": "12"})
    assert error_locs(response) == [["body", "phone"]]
    assert "12" in error_for(response, "body", "phone")


def test_it_names_the_field_of_a_bad_website(alice_api) -> None:
    response = alice_api.post("/organizations", {"name": "Velo Club", "website": "not a url"})
    assert error_locs(response) == [["body", "website"]]


def test_it_lists_organizations_by_name(alice_api, workspace) -> None:
    for name in ("Velo Club", "Alpine Riders", "City Velo Couriers"):
        organization_create(workspace=workspace, fields={"name": name})
    page = alice_api.get("/organizations").json()
    assert page["total"] == 3
    assert [o["name"] for o in page["items"]] == ["Alpine Riders", "City Velo Couriers",
                                                  "Velo Club"]
    assert [o["name"] for o in alice_api.get("/organizations", q="velo").json()["items"]] == [
        "City Velo Couriers", "Velo Club"
    ]


def test_it_gets_and_updates_an_organization(alice_api, workspace) -> None:
    club = organization_create(workspace=workspace, fields={"name": "Velo Club",
                                                            "industry": "Cycling"})
    assert alice_api.get(f"/organizations/{club.pk}").json()["industry"] == "Cycling"
    response = alice_api.patch(f"/organizations/{club.pk}", {"name": "Velo Club SF"})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Velo Club SF"
    assert response.json()["industry"] == "Cycling"


def test_it_refuses_to_blank_the_name(alice_api, workspace) -> None:
    club = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    assert error_locs(alice_api.patch(f"/organizations/{club.pk}", {"name": ""})) == [
        ["body", "name"]
    ]
