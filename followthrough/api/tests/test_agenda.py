from datetime import UTC, date, datetime

from followthrough.activity.services import followup_create

LAST_MONDAY = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)


def test_it_returns_my_overdue_today_and_upcoming(alice_api, alice, bob, make_contact) -> None:
    bronze = make_contact("Bea", "Bronze", tier="bronze")
    gold = make_contact("Gus", "Gold", tier="gold")
    followup_create(contact=bronze, by=alice, purpose="Overdue call",
                    now=LAST_MONDAY, due=date(2026, 11, 16))
    followup_create(contact=bronze, by=alice, purpose="Bronze today", due=date(2026, 11, 23))
    followup_create(contact=gold, by=alice, purpose="Gold today", due=date(2026, 11, 23))
    followup_create(contact=gold, by=alice, purpose="Thursday", due=date(2026, 11, 26))
    followup_create(contact=gold, by=alice, purpose="Bob's", assignee=bob, due=date(2026, 11, 23))
    agenda = alice_api.get("/agenda").json()
    assert (agenda["day"], agenda["timezone"]) == ("2026-11-23", "America/New_York")
    assert [f["purpose"] for f in agenda["overdue"]["items"]] == ["Overdue call"]
    assert [f["purpose"] for f in agenda["today"]["items"]] == ["Gold today", "Bronze today"]
    assert [f["purpose"] for f in agenda["upcoming"]["items"]] == ["Thursday"]
    assert agenda["today"]["total"] == 2
    team = alice_api.get("/agenda", who="team").json()
    assert team["today"]["total"] == 3
    assert [f["purpose"] for f in alice_api.get("/agenda", who=bob.pk).json()["today"]["items"]] \
        == ["Bob's"]

