from datetime import UTC, date, datetime, timedelta

from followthrough.activity.models import FollowUp
from followthrough.activity.selectors import agenda_get, contact_timeline
from followthrough.activity.services import followup_create, followup_skip, interaction_log
from followthrough.conftest import NOW


def plan(contact, by, purpose, due_at, assignee=None):
    followup = followup_create(
        contact=contact, by=by, purpose=purpose, assignee=assignee, now=NOW - timedelta(days=30)
    )
    FollowUp.objects.filter(pk=followup.pk).update(due_at=due_at)
    return followup


def purposes(section) -> list[str]:
    return [f.purpose for f in section.followups]


def test_it_splits_overdue_today_and_upcoming_in_the_readers_zone(make_contact, alice) -> None:
    dana = make_contact("Dana", "Rider")
    plan(dana, alice, "Late", NOW - timedelta(days=3))
    # 04:00 UTC on the 23rd is still the 22nd in New York: overdue there, today in London.
    plan(dana, alice, "Last night", datetime(2026, 11, 23, 4, 0, tzinfo=UTC))
    plan(dana, alice, "Today", NOW + timedelta(hours=2))
    plan(dana, alice, "Friday", NOW + timedelta(days=4))
    plan(dana, alice, "Far", NOW + timedelta(days=30))

    agenda = agenda_get(workspace=alice.workspace, user=alice, now=NOW, tz_name="America/New_York")
    assert agenda.day == date(2026, 11, 23)
    assert purposes(agenda.overdue) == ["Late", "Last night"]
    assert purposes(agenda.today) == ["Today"]
    assert purposes(agenda.upcoming) == ["Friday"]

    london = agenda_get(workspace=alice.workspace, user=alice, now=NOW, tz_name="Europe/London")
    assert purposes(london.today) == ["Last night", "Today"]


def test_it_orders_by_tier_then_lateness(make_contact, alice) -> None:
    bronze = make_contact("Bo", "Bronze", tier="bronze")
    gold = make_contact("Go", "Gold", tier="gold")
    none = make_contact("No", "Tier")
    plan(bronze, alice, "bronze, very late", NOW - timedelta(days=20))
    plan(gold, alice, "gold, a little late", NOW - timedelta(days=1))
    plan(gold, alice, "gold, later", NOW - timedelta(days=5))
    plan(none, alice, "untiered", NOW - timedelta(days=50))
    agenda = agenda_get(workspace=alice.workspace, user=None, now=NOW, tz_name="UTC")
    assert purposes(agenda.overdue) == [
        "gold, later",
        "gold, a little late",
        "bronze, very late",
        "untiered",
    ]


def test_it_shows_mine_or_the_team(make_contact, alice, bob) -> None:
    dana = make_contact("Dana", "Rider")
    plan(dana, alice, "Alice's", NOW)
    plan(dana, alice, "Bob's", NOW, assignee=bob)
    mine = agenda_get(workspace=alice.workspace, user=bob, now=NOW, tz_name="UTC")
    team = agenda_get(workspace=alice.workspace, user=None, now=NOW, tz_name="UTC")
    assert purposes(mine.today) == ["Bob's"]
    assert sorted(purposes(team.today)) == ["Alice's", "Bob's"]


def test_closed_followups_leave_the_agenda(make_contact, alice) -> None:
    dana = make_contact("Dana", "Rider")
    followup = plan(dana, alice, "Skip me", NOW - timedelta(days=1))
    followup_skip(followup=followup, by=alice, reason="Already spoke at the shop")
    agenda = agenda_get(workspace=alice.workspace, user=alice, now=NOW, tz_name="UTC")
    assert agenda.overdue.total == 0


def test_the_section_counts_what_is_not_shown(make_contact, alice) -> None:
    dana = make_contact("Dana", "Rider")
    for i in range(5):
        plan(dana, alice, f"late {i}", NOW - timedelta(days=i + 1))
    agenda = agenda_get(workspace=alice.workspace, user=alice, now=NOW, tz_name="UTC", limit=3)
    assert (len(agenda.overdue.followups), agenda.overdue.total, agenda.overdue.more) == (3, 5, 2)


def test_the_timeline_shows_touches_and_followups_newest_first(contact, alice) -> None:
    interaction_log(
        contact=contact,
        by=alice,
        channel="call",
        summary="Old call",
        occurred_at=NOW - timedelta(days=10),
        now=NOW,
    )
    plan(contact, alice, "Next month", NOW + timedelta(days=30))
    skipped = plan(contact, alice, "Skipped", NOW - timedelta(days=2))
    followup_skip(followup=skipped, by=alice, reason="On holiday", now=NOW - timedelta(days=1))
    entries = contact_timeline(contact=contact)
    assert [(e.kind, getattr(e.item, "purpose", None) or e.item.summary) for e in entries] == [
        ("followup", "Next month"),
        ("followup", "Skipped"),
        ("interaction", "Old call"),
    ]
