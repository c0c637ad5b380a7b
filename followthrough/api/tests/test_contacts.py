from datetime import timedelta

from followthrough.activity.services import interaction_log
from followthrough.api.tests.conftest import error_for, error_locs
from followthrough.conftest import NOW
from followthrough.people.models import Stage
from followthrough.people.services import organization_create


def test_it_creates_a_contact_with_emails_phones_and_tags(alice_api, alice) -> None:
    response = alice_api.post("/contacts", {
        "first_name": "Erin", "last_name": "Climber", "stage": "prospect", "tier": "silver",
        "emails": ["Erin@Example.com"], "phones": ["(415) 555-0199", {"number": "+44 20 7946 0958",
                                                                      "label": "work"}],
        "tags": ["Gravel"], "preferences": {"phone": "refused"},
        "dates": [{"kind": "birthday", "month": 2, "day": 29}],
    })
    assert response.status_code == 201, response.content
    erin = response.json()
    assert erin["name"] == "Erin Climber"
    assert erin["emails"] == ["erin@example.com"]
    assert erin["phones"] == [{"number": "+14155550199", "label": ""},
                              {"number": "+442079460958", "label": "work"}]
    assert erin["tags"] == ["gravel"]
    assert erin["preferences"]["phone"] == "refused" and erin["preferences"]["email"] == "ok"
    assert erin["dates"] == [{"kind": "birthday", "month": 2, "day": 29, "year": None,
                              "label": ""}]
    assert erin["owner_id"] == alice.pk
    assert erin["last_touched_at"] is None and erin["last_heard_at"] is None


def test_it_accepts_every_stage_the_product_knows(alice_api) -> None:
    for stage in Stage.values:
        response = alice_api.post("/contacts", {"first_name": stage, "stage": stage})
        assert response.status_code == 201, response.content


def test_it_names_the_field_of_a_bad_phone(alice_api) -> None:
    response = alice_api.post("/contacts", {"first_name": "Erin", "phones": ["555-01"]})
    assert error_locs(response) == [["body", "phones"]]
    assert "555-01" in error_for(response, "body", "phones")


def test_it_names_the_field_of_an_unknown_stage(alice_api) -> None:
    response = alice_api.post("/contacts", {"first_name": "Erin", "stage": "disqualified"})
    assert error_locs(response) == [["body", "stage"]]


def test_it_asks_for_a_name(alice_api) -> None:
    response = alice_api.post("/contacts", {"emails": ["nobody@example.com"]})
    assert error_locs(response) == [["body", "first_name"]]


def test_it_names_the_field_of_a_bad_email(alice_api) -> None:
    response = alice_api.post("/contacts", {"first_name": "Erin", "emails": ["erin@"]})
    assert error_locs(response) == [["body", "emails"]]


def test_it_names_the_preference_that_is_not_a_choice(alice_api) -> None:
    response = alice_api.post("/contacts", {"first_name": "Erin",
                                            "preferences": {"email": "never"}})
    assert error_locs(response) == [["body", "preferences", "email"]]


def test_it_attaches_an_organization(alice_api, workspace) -> None:
    shop = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    response = alice_api.post("/contacts", {"first_name": "Erin", "organization_id": shop.pk})
    assert response.status_code == 201
    assert response.json()["organization_name"] == "Velo Club"


def test_it_gets_a_contact_with_last_touched_and_last_heard(alice_api, alice, contact) -> None:
    interaction_log(contact=contact, by=alice, channel="call", summary="Asked about a fit",
                    direction="in", occurred_at=NOW - timedelta(days=2))
    dana = alice_api.get(f"/contacts/{contact.pk}").json()
    assert dana["phones"] == [{"number": "+14155550100", "label": ""}]
    assert dana["last_touched_at"] == dana["last_heard_at"] == "2026-11-21T14:00:00Z"


def test_it_answers_404_for_a_missing_contact(alice_api) -> None:
    assert alice_api.get("/contacts/999999").status_code == 404


def test_it_updates_only_the_fields_sent(alice_api, contact) -> None:
    response = alice_api.patch(f"/contacts/{contact.pk}", {
        "stage": "lapsed", "preferences": {"email": "preferred"},
    })
    assert response.status_code == 200, response.content
    dana = response.json()
    assert dana["stage"] == "lapsed" and dana["tier"] == "gold"
    assert dana["preferences"]["email"] == "preferred" and dana["preferences"]["phone"] == "ok"
    assert dana["emails"] == ["dana@example.com"] and dana["tags"] == ["road cycling"]


def test_it_replaces_the_phones_when_sent(alice_api, contact) -> None:
    response = alice_api.patch(f"/contacts/{contact.pk}", {"phones": ["+1 212 555 0111"]})
    assert response.json()["phones"] == [{"number": "+12125550111", "label": ""}]


def test_an_update_refused_by_the_service_changes_nothing(alice_api, contact) -> None:
    response = alice_api.patch(f"/contacts/{contact.pk}", {"stage": "client",
                                                            "timezone": "Mars/Olympus"})
    assert error_locs(response) == [["body", "timezone"]]
    assert alice_api.get(f"/contacts/{contact.pk}").json()["timezone"] == ""


def test_it_lists_contacts_with_search_and_a_total(alice_api, make_contact) -> None:
    for i in range(5):
        make_contact("Rider", f"{i:02d}", stage="client", tags=("gravel",) if i % 2 else ())
    make_contact("Sam", "Lead", stage="lead")
    page = alice_api.get("/contacts", q="rider", limit=2, offset=2).json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [c["name"] for c in page["items"]] == ["Rider 02", "Rider 03"]
    assert alice_api.get("/contacts", tag="gravel").json()["total"] == 2
    assert alice_api.get("/contacts", stage="lead").json()["items"][0]["name"] == "Sam Lead"


def test_it_filters_by_tier_owner_touch_and_flag(alice_api, make_contact, bob) -> None:
    make_contact("Gold", "One", tier="gold")
    make_contact("No", "Tier", owner=bob, review_flag=True)

    def names(**params: object) -> list[str]:
        return [c["name"] for c in alice_api.get("/contacts", **params).json()["items"]]

    assert names(tier="gold") == ["Gold One"]
    assert names(tier="none") == ["No Tier"]
    assert names(owner=bob.pk) == ["No Tier"]
    assert names(flagged="true") == ["No Tier"]
    assert names(touched="never") == ["Gold One", "No Tier"]
    assert names(touched="0-30") == []


def test_it_refuses_an_unknown_filter_value(alice_api) -> None:
    assert error_locs(alice_api.get("/contacts", touched="yesterday")) == [["query", "touched"]]
    assert error_locs(alice_api.get("/contacts", limit=0)) == [["query", "limit"]]


def test_a_page_of_contacts_costs_a_fixed_number_of_queries(
    alice_api, make_contact, django_assert_max_num_queries
) -> None:
    for i in range(30):
        make_contact("Rider", f"{i:02d}", email=f"rider{i}@example.com", tags=("gravel",),
                     phone=f"+1 415 555 01{i:02d}")
    alice_api.get("/contacts")  # the token's "last used" is written once, not per request
    with django_assert_max_num_queries(8):
        assert len(alice_api.get("/contacts", limit=30).json()["items"]) == 30
