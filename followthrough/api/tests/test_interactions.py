from datetime import timedelta

from followthrough.activity.services import interaction_log
from followthrough.api.tests.conftest import error_for, error_locs
from followthrough.conftest import NOW
from followthrough.people.services import contact_update


def test_it_logs_a_touch_and_moves_last_touched(alice_api, alice, contact) -> None:
    response = alice_api.post("/interactions", {
        "contact_id": contact.pk, "channel": "call", "summary": "Two-week check: all good",
        "cost": "2.50",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_followup"] is None
    touch = body["interaction"]
    assert (touch["channel"], touch["direction"], touch["user_id"]) == ("call", "out", alice.pk)
    assert touch["occurred_at"] == "2026-11-23T14:00:00Z" and touch["cost"] == "2.50"
    dana = alice_api.get(f"/contacts/{contact.pk}").json()
    assert dana["last_touched_at"] == "2026-11-23T14:00:00Z" and dana["last_heard_at"] is None


def test_an_inbound_touch_moves_last_heard(alice_api, contact) -> None:
    alice_api.post("/interactions", {"contact_id": contact.pk, "channel": "email",
                                     "summary": "Asked for a quote", "direction": "in",
                                     "occurred_at": "2026-11-22T10:00:00-05:00"})
    assert alice_api.get(f"/contacts/{contact.pk}").json()["last_heard_at"] == (
        "2026-11-22T15:00:00Z"
    )


def test_it_logs_and_schedules_the_next_in_one_step(alice_api, contact) -> None:
    response = alice_api.post("/interactions", {
        "contact_id": contact.pk, "channel": "meeting", "summary": "Sold a road bike",
        "schedule_next": {"purpose": "Two-week check on the new bike", "due": "2026-12-07",
                          "channel": "call"},
    })
    assert response.status_code == 201, response.content
    nxt = response.json()["next_followup"]
    assert nxt["purpose"] == "Two-week check on the new bike"
    assert nxt["due_at"].startswith("2026-12-07") and nxt["status"] == "open"
    assert nxt["contact"] == {"id": contact.pk, "name": "Dana Rider"}


def test_it_names_the_schedule_next_field_when_the_purpose_is_blank(alice_api, contact) -> None:
    response = alice_api.post("/interactions", {
        "contact_id": contact.pk, "channel": "call", "summary": "Chat",
        "schedule_next": {"purpose": "   "},
    })
    assert error_locs(response) == [["body", "schedule_next", "purpose"]]
    assert alice_api.get("/interactions").json()["total"] == 0


def test_it_names_the_schedule_next_channel_the_contact_refuses(alice_api, contact) -> None:
    contact_update(contact=contact, fields={"pref_phone": "refused"})
    response = alice_api.post("/interactions", {
        "contact_id": contact.pk, "channel": "email", "summary": "Sent the catalogue",
        "schedule_next": {"purpose": "Follow up on the catalogue", "channel": "call"},
    })
    assert error_locs(response) == [["body", "schedule_next", "channel"]]
    assert "refuses phone" in error_for(response, "body", "schedule_next", "channel")


def test_it_refuses_an_unknown_channel_and_an_empty_summary(alice_api, contact) -> None:
    response = alice_api.post("/interactions", {"contact_id": contact.pk, "channel": "fax",
                                                "summary": ""})
    assert sorted(error_locs(response)) == [["body", "channel"], ["body", "summary"]]


def test_it_refuses_a_touch_in_the_future(alice_api, contact) -> None:
    response = alice_api.post("/interactions", {"contact_id": contact.pk, "channel": "call",
                                                "summary": "Call", "occurred_at":
                                                "2026-11-25T10:00:00Z"})
    assert error_locs(response) == [["body", "occurred_at"]]


def test_it_lists_the_log_newest_first_and_by_contact(alice_api, alice, contact,
                                                      make_contact) -> None:
    erin = make_contact("Erin", "Climber")
    for days, who in ((3, contact), (1, erin), (2, contact)):
        interaction_log(contact=who, by=alice, channel="email", summary=f"{days} days ago",
                        occurred_at=NOW - timedelta(days=days))
    everything = alice_api.get("/interactions").json()
    assert [i["summary"] for i in everything["items"]] == [
        "1 days ago", "2 days ago", "3 days ago"
    ]
    danas = alice_api.get("/interactions", contact=contact.pk).json()
    assert danas["total"] == 2
    assert {i["contact"]["name"] for i in danas["items"]} == {"Dana Rider"}


def test_it_gets_one_touch(alice_api, alice, contact) -> None:
    interaction, _ = interaction_log(contact=contact, by=alice, channel="note",
                                     summary="Thank-you note")
    body = alice_api.get(f"/interactions/{interaction.pk}").json()
    assert (body["channel"], body["summary"]) == ("note", "Thank-you note")
