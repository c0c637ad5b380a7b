from datetime import date

import pytest

from followthrough.activity.models import FollowUp
from followthrough.activity.services import followup_create
from followthrough.api.tests.conftest import error_for, error_locs
from followthrough.people.services import contact_update


@pytest.fixture
def followup(contact, alice) -> FollowUp:
    return followup_create(contact=contact, by=alice, purpose="Two-week check on the new bike",
                           channel="call", due=date(2026, 11, 25))


def test_it_plans_a_follow_up_in_the_contacts_hours(alice_api, alice, contact) -> None:
    response = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": "Fit check",
                                             "due": "2026-11-28", "channel": "call"})
    assert response.status_code == 201, response.content
    planned = response.json()
    # Saturday the 28th is not a weekday for Dana: Monday 30th, 09:00 in New York.
    assert planned["due_at"] == "2026-11-30T14:00:00Z"
    assert (planned["status"], planned["origin"], planned["channel"]) == ("open", "manual", "call")
    assert planned["assignee_id"] == alice.pk and planned["contact_tier"] == "gold"


def test_without_a_channel_it_uses_the_one_they_prefer(alice_api, contact) -> None:
    contact_update(contact=contact, fields={"pref_text": "preferred"})
    response = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": "Fit check"})
    assert response.json()["channel"] == "text"


def test_it_refuses_a_channel_the_contact_refuses(alice_api, contact) -> None:
    contact_update(contact=contact, fields={"pref_phone": "refused"})
    response = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": "Fit check",
                                             "channel": "call"})
    assert error_locs(response) == [["body", "channel"]]
    assert "refuses phone" in error_for(response, "body", "channel")


def test_it_asks_for_a_purpose(alice_api, contact) -> None:
    empty = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": ""})
    blank = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": "   "})
    assert error_locs(empty) == error_locs(blank) == [["body", "purpose"]]
    assert "why" in error_for(blank, "body", "purpose")


def test_it_assigns_to_a_colleague(alice_api, bob, contact) -> None:
    response = alice_api.post("/followups", {"contact_id": contact.pk, "purpose": "Tune-up",
                                             "assignee_id": bob.pk})
    assert response.json()["assignee_id"] == bob.pk


def test_it_lists_with_filters(alice_api, alice, bob, contact, make_contact, followup) -> None:
    erin = make_contact("Erin", "Climber")
    followup_create(contact=erin, by=alice, purpose="Welcome call", assignee=bob,
                    due=date(2026, 12, 15))

    def purposes(**params: object) -> list[str]:
        return [f["purpose"] for f in alice_api.get("/followups", **params).json()["items"]]

    assert purposes() == ["Two-week check on the new bike", "Welcome call"]
    assert purposes(assignee=bob.pk) == ["Welcome call"]
    assert purposes(contact=contact.pk) == ["Two-week check on the new bike"]
    assert purposes(due_from="2026-12-01T00:00:00") == ["Welcome call"]
    assert purposes(due_before="2026-12-01T00:00:00Z") == ["Two-week check on the new bike"]
    alice_api.post(f"/followups/{followup.pk}/skip", {"reason": "Moved away"})
    assert purposes(status="pending") == ["Welcome call"]
    assert purposes(status="skipped") == ["Two-week check on the new bike"]


def test_it_completes_a_follow_up_and_logs_the_touch(alice_api, contact, followup) -> None:
    response = alice_api.post(f"/followups/{followup.pk}/complete",
                              {"outcome": "Loves it; wants a fit"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["followup"]["status"] == "done"
    assert body["followup"]["interaction_id"] == body["interaction"]["id"]
    assert (body["interaction"]["channel"], body["interaction"]["summary"]) == (
        "call", "Loves it; wants a fit"
    )
    dana = alice_api.get(f"/contacts/{contact.pk}").json()
    assert dana["last_touched_at"] == "2026-11-23T14:00:00Z"


def test_completing_can_schedule_the_next(alice_api, contact, followup) -> None:
    alice_api.post(f"/followups/{followup.pk}/complete", {
        "outcome": "Happy", "schedule_next": {"purpose": "Three-month check-in",
                                              "due": "2027-02-23"},
    })
    pending = alice_api.get("/followups", status="pending", contact=contact.pk).json()["items"]
    assert [(f["purpose"], f["due_at"][:10]) for f in pending] == [
        ("Three-month check-in", "2027-02-23")
    ]


def test_it_refuses_to_complete_twice(alice_api, followup) -> None:
    alice_api.post(f"/followups/{followup.pk}/complete", {})
    again = alice_api.post(f"/followups/{followup.pk}/complete", {})
    assert error_locs(again) == [["body", "status"]]
    assert "already done" in error_for(again, "body", "status")


def test_it_snoozes_to_the_contacts_next_slot(alice_api, followup) -> None:
    response = alice_api.post(f"/followups/{followup.pk}/snooze", {"days": 5})
    assert response.status_code == 200, response.content
    snoozed = response.json()
    # Five days from Monday is Saturday; Dana takes calls on weekdays only.
    assert snoozed["due_at"] == "2026-11-30T14:00:00Z"
    assert (snoozed["status"], snoozed["snooze_count"]) == ("snoozed", 1)


def test_it_refuses_a_snooze_out_of_range(alice_api, followup) -> None:
    assert error_locs(alice_api.post(f"/followups/{followup.pk}/snooze", {"days": 0})) == [
        ["body", "days"]
    ]


def test_it_reschedules_to_another_day_and_assignee(alice_api, bob, followup) -> None:
    response = alice_api.post(f"/followups/{followup.pk}/reschedule",
                              {"due": "2026-12-02", "channel": "email", "assignee_id": bob.pk})
    assert response.status_code == 200, response.content
    moved = response.json()
    assert moved["due_at"] == "2026-12-02T14:00:00Z"
    assert (moved["channel"], moved["assignee_id"], moved["status"]) == ("email", bob.pk, "open")


def test_it_needs_a_day_to_reschedule(alice_api, followup) -> None:
    response = alice_api.post(f"/followups/{followup.pk}/reschedule", {"due": "someday"})
    assert error_locs(response) == [["body", "due"]]


def test_it_skips_with_a_reason(alice_api, followup) -> None:
    response = alice_api.post(f"/followups/{followup.pk}/skip", {"reason": "Moved to Denver"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["skip_reason"]) == (
        "skipped", "Moved to Denver"
    )


def test_it_asks_why_a_follow_up_is_skipped(alice_api, followup) -> None:
    assert error_locs(alice_api.post(f"/followups/{followup.pk}/skip", {"reason": " "})) == [
        ["body", "reason"]
    ]
    assert alice_api.get(f"/followups/{followup.pk}").json()["status"] == "open"


def test_a_page_of_follow_ups_costs_a_fixed_number_of_queries(
    alice_api, alice, make_contact, django_assert_max_num_queries
) -> None:
    for i in range(20):
        followup_create(contact=make_contact("Rider", f"{i:02d}"), by=alice, purpose="Check-in")
    alice_api.get("/followups")
    with django_assert_max_num_queries(4):
        assert alice_api.get("/followups").json()["total"] == 20
