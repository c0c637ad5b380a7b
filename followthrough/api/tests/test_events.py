"""POST /api/v1/events (one event or a list) and the reads of events and playbooks."""

from datetime import UTC, datetime

import pytest

from followthrough.activity.models import PENDING, FollowUp
from followthrough.api.tests.conftest import error_for, error_locs
from followthrough.events.models import Event
from followthrough.people.models import Contact
from followthrough.playbooks.models import Playbook
from followthrough.playbooks.services import playbook_set_enabled


def purchase(contact: dict, external_id: str = "order-1001", **data) -> dict:
    return {
        "type": "purchase.made",
        "occurred_at": "2026-11-23T09:00:00-05:00",
        "source": "shop",
        "external_id": external_id,
        "contact": contact,
        "data": {"amount": "1249.00", "currency": "USD", **data},
    }


def test_it_accepts_one_event_for_a_known_contact(alice_api, contact) -> None:
    response = alice_api.post("/events", purchase({"email": "DANA@example.com"}))
    assert response.status_code == 202, response.content
    body = response.json()
    event = Event.objects.get()
    assert body == {
        "id": event.pk, "status": "accepted", "contact_id": contact.pk, "type": "purchase.made",
        "source": "shop", "external_id": "order-1001", "occurred_at": "2026-11-23T14:00:00Z",
    }
    assert event.data == {"amount": "1249.00", "currency": "USD"}


def test_an_unknown_person_becomes_a_new_lead(alice_api, workspace) -> None:
    response = alice_api.post("/events", {
        "type": "lead.created", "occurred_at": "2026-11-23T14:00:00Z", "source": "website",
        "contact": {"email": "new.rider@example.com", "name": "Nina Newrider"},
        "data": {"channel": "web_form"},
    })
    assert response.status_code == 202, response.content
    lead = Contact.objects.get(pk=response.json()["contact_id"])
    assert (lead.name, lead.stage, lead.source) == ("Nina Newrider", "lead", "web_form")


def test_a_replay_answers_exactly_like_the_first_delivery(alice_api, contact) -> None:
    first = alice_api.post("/events", purchase({"id": contact.pk}))
    # The sender retries with a changed body: the first delivery stands.
    again = alice_api.post("/events", purchase({"id": contact.pk}, amount="1.00"))
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Event.objects.get().data["amount"] == "1249.00"


@pytest.mark.parametrize(("change", "loc"), [
    ({"type": "Purchase Made"}, ("body", "type")),
    ({"data": {"amount": "a lot"}}, ("body", "data", "amount")),
    ({"contact": {"phone": "12"}}, ("body", "contact", "phone")),
    ({"contact": {"name": "Nobody"}}, ("body", "contact")),
    ({"occurred_at": "2026-11-23T09:00:00"}, ("body", "occurred_at")),
    ({"occurred_at": None}, ("body", "occurred_at")),
    ({"data": ["not", "an", "object"]}, ("body", "data")),
    ({"type": "invoice.issued", "data": {"invoice_id": "SC-1"}}, ("body", "data", "due_date")),
])
def test_bad_input_is_refused_naming_the_field(alice_api, contact, change, loc) -> None:
    response = alice_api.post("/events", {**purchase({"email": "dana@example.com"}), **change})
    assert error_locs(response) == [list(loc)]
    assert error_for(response, *loc)
    assert not Event.objects.exists()


def test_a_body_that_is_not_json_is_a_bad_request(alice_api) -> None:
    response = alice_api.client.post("/api/v1/events", "{type: purchase",
                                     content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_another_workspaces_contact_is_not_found(charlie_api, contact) -> None:
    response = charlie_api.post("/events", purchase({"id": contact.pk}))
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "contact", "id"]
    missing = charlie_api.post("/events", purchase({"id": contact.pk + 1000}))
    assert (missing.status_code, missing.json()) == (404, response.json())
    assert not Event.objects.exists()


def test_a_list_gets_a_result_per_item(alice_api, contact, charlie_api) -> None:
    items = [
        purchase({"email": "dana@example.com"}, "order-1"),
        purchase({"email": "dana@example.com"}, "order-2", amount="lots"),
        {"type": "purchase.made", "source": "shop", "contact": {"email": "x@example.com"}},
        purchase({"id": contact.pk + 1000}, "order-3"),
        purchase({"email": "someone.new@example.com"}, "order-4"),
        "not an event",
    ]
    response = alice_api.client.post("/api/v1/events", items, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 4)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(6))
    assert [r["status"] for r in results] == [202, 422, 422, 404, 202, 422]
    assert results[0]["contact_id"] == contact.pk
    assert results[1]["errors"][0]["loc"] == ["body", 1, "data", "amount"]
    assert results[2]["errors"][0]["loc"] == ["body", 2, "occurred_at"]
    assert results[3]["errors"][0]["loc"] == ["body", 3, "contact", "id"]
    assert results[5]["errors"][0]["loc"] == ["body", 5]
    stored = Event.objects.order_by("id")
    assert [e.external_id for e in stored] == ["order-1", "order-4"]
    assert [e.pk for e in stored] == [results[0]["id"], results[4]["id"]]


def test_a_replayed_list_answers_exactly_the_same(alice_api, contact) -> None:
    items = [purchase({"id": contact.pk}, f"order-{n}") for n in range(3)]
    items.append(purchase({"id": contact.pk}, "order-x", amount="?"))

    def send():
        return alice_api.client.post("/api/v1/events", items, content_type="application/json")

    first, again = send(), send()
    assert again.json() == first.json()
    assert Event.objects.count() == 3


def test_in_a_list_another_workspaces_contact_is_not_found(charlie_api, contact) -> None:
    items = [purchase({"id": contact.pk}, "order-1"),
             purchase({"email": "cora@example.com"}, "order-2")]
    body = charlie_api.client.post("/api/v1/events", items,
                                   content_type="application/json").json()
    assert [r["status"] for r in body["results"]] == [404, 202]
    assert not Event.objects.filter(contact=contact).exists()
    assert not Contact.objects.filter(workspace=contact.workspace, emails__email="cora@example.com")


def test_more_than_a_thousand_events_are_refused_whole(alice_api, contact) -> None:
    items = [purchase({"id": contact.pk}, f"order-{n}") for n in range(1001)]
    response = alice_api.client.post("/api/v1/events", items, content_type="application/json")
    assert error_locs(response) == [["body"]]
    assert "At most 1,000 events" in error_for(response, "body")
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_purchase_through_the_api_plans_the_first_purchase_touches(
    alice_api, workspace, contact
) -> None:
    response = alice_api.post("/events", purchase({"email": "dana@example.com"}))
    assert response.status_code == 202
    followups = FollowUp.objects.filter(contact=contact, status__in=PENDING).order_by("due_at")
    assert [(f.channel, f.due_at) for f in followups[:2]] == [
        ("note", datetime(2026, 11, 30, 14, tzinfo=UTC)),
        ("call", datetime(2026, 12, 7, 14, tzinfo=UTC)),
    ]
    assert Event.objects.get().processed_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_list_is_evaluated_too(alice_api, workspace, contact, make_contact) -> None:
    make_contact("Erin", "Climber", email="erin@example.com")
    items = [purchase({"email": "dana@example.com"}, "order-1"),
             purchase({"email": "erin@example.com"}, "order-2")]
    alice_api.client.post("/api/v1/events", items, content_type="application/json")
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    notes = FollowUp.objects.filter(channel="note", status__in=PENDING)
    assert sorted(f.contact.first_name for f in notes) == ["Dana", "Erin"]


def test_it_lists_a_contacts_events_latest_first_and_by_type(alice_api, contact,
                                                             make_contact) -> None:
    erin = make_contact("Erin", "Climber")
    sends = [
        ({"id": contact.pk}, "purchase.made", "2026-10-01T10:00:00Z", {"amount": "10"}),
        ({"id": contact.pk}, "service.interaction", "2026-11-01T10:00:00Z", {}),
        ({"id": contact.pk}, "purchase.made", "2026-11-20T10:00:00Z", {"amount": "30"}),
        ({"id": erin.pk}, "purchase.made", "2026-11-21T10:00:00Z", {"amount": "99"}),
    ]
    for n, (who, kind, at, data) in enumerate(sends):
        alice_api.post("/events", {"type": kind, "occurred_at": at, "source": "shop",
                                   "external_id": f"e{n}", "contact": who, "data": data})
    danas = alice_api.get("/events", contact=contact.pk).json()
    assert danas["total"] == 3
    assert [e["occurred_at"][:10] for e in danas["items"]] == [
        "2026-11-20", "2026-11-01", "2026-10-01"
    ]
    assert danas["items"][0]["contact"] == {"id": contact.pk, "name": "Dana Rider"}
    assert danas["items"][0]["data"] == {"amount": "30"}
    assert danas["items"][0]["processed_at"] is None
    bought = alice_api.get("/events", contact=contact.pk, type="purchase.made").json()
    assert [e["data"]["amount"] for e in bought["items"]] == ["30", "10"]
    assert alice_api.get("/events", type="purchase.made").json()["total"] == 3


def test_he_cannot_list_alices_events(charlie_api, alice_api, contact) -> None:
    alice_api.post("/events", purchase({"id": contact.pk}))
    assert error_locs(charlie_api.get("/events", contact=contact.pk)) == [["query", "contact"]]
    assert charlie_api.get("/events").json()["total"] == 0


def test_it_lists_the_playbooks_with_their_enabled_flag(alice_api, workspace, charlie_api,
                                                         other_workspace) -> None:
    playbook_set_enabled(playbook=Playbook.objects.get(workspace=workspace, key="birthday-card"),
                         enabled=False)
    Playbook.objects.filter(workspace=other_workspace, key="keep-in-touch").update(name="Mine")
    everything = alice_api.get("/playbooks", limit=100).json()
    assert everything["total"] == Playbook.objects.filter(workspace=workspace).count() > 10
    by_key = {p["key"]: p for p in everything["items"]}
    assert by_key["birthday-card"]["enabled"] is False
    assert by_key["keep-in-touch"]["name"] != "Mine"
    first = by_key["first-purchase"]
    assert (first["enabled"], first["trigger"]) == (True, "purchase.made")
    assert [s["offset"] for s in first["steps"]][:2] == [7, 14]
    disabled = alice_api.get("/playbooks", enabled="false").json()["items"]
    assert [p["key"] for p in disabled] == ["birthday-card"]
    assert "birthday-card" in [p["key"] for p in charlie_api.get("/playbooks",
                                                                 enabled="true").json()["items"]]


def test_the_openapi_document_describes_events_and_playbooks(alice_api) -> None:
    schema = alice_api.client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/events"]["post"]
    one, many = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert {"type", "occurred_at", "source", "contact"} <= set(one["required"])
    assert "email" in one["properties"]["contact"]["properties"]
    assert many["maxItems"] == 1000
    assert {"200", "202", "404"} <= set(post["responses"])
    assert "/api/v1/playbooks" in schema["paths"]
