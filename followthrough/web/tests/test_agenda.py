import re
from datetime import UTC, datetime, timedelta

from django.contrib.staticfiles import finders

from followthrough.conftest import NOW
from followthrough.people.services import contact_update

from .conftest import HTMX


def test_it_shows_overdue_today_and_next_week_with_counts(alice_client, contact, plan) -> None:
    plan(contact, "Ask about the fitting", NOW - timedelta(days=3))
    plan(contact, "Send winter tips", NOW + timedelta(hours=2))
    plan(contact, "Invite to the group ride", NOW + timedelta(days=4))
    plan(contact, "Too far away", NOW + timedelta(days=20))

    page = alice_client.get("/").content.decode()

    overdue, rest = page.split('id="today"')
    today, upcoming = rest.split('id="upcoming"')
    assert "Ask about the fitting" in overdue and "3 days late" in overdue
    assert "Send winter tips" in today
    assert "Invite to the group ride" in upcoming
    assert "Too far away" not in page
    assert '<strong>1</strong> overdue' in page
    assert '<strong>1</strong> today' in page


def test_it_links_the_contact_and_shows_their_tier_and_organization(
    alice_client, make_contact, plan
) -> None:
    from followthrough.people.services import organization_create

    shop = organization_create(workspace=make_contact().workspace, fields={"name": "Velo Club"})
    erin = make_contact("Erin", "Gold", tier="gold", organization=shop)
    plan(erin, "Thank for the referral", NOW - timedelta(hours=1))

    page = alice_client.get("/").content.decode()

    assert f'href="/contacts/{erin.pk}/"' in page
    assert 'class="tier tier-gold"' in page
    assert "Velo Club" in page


def test_it_shows_due_times_in_the_readers_time_zone(alice_client, contact, plan) -> None:
    # 20:30 UTC is 15:30 in New York, alice's (workspace's) zone.
    plan(contact, "Call back", datetime(2026, 11, 23, 20, 30, tzinfo=UTC))

    page = alice_client.get("/").content.decode()

    assert "Mon 23 Nov, 15:30" in page
    assert "20:30" not in page


def test_it_shows_mine_by_default_and_the_team_when_asked(
    alice_client, contact, plan, bob
) -> None:
    plan(contact, "Call for Alice", NOW)
    plan(contact, "Call for Bob", NOW, assignee=bob)

    mine = alice_client.get("/").content.decode()
    team = alice_client.get("/?who=team").content.decode()
    bobs = alice_client.get(f"/?who={bob.pk}").content.decode()

    assert "Call for Alice" in mine and "Call for Bob" not in mine
    assert "Call for Alice" in team and "Call for Bob" in team
    assert 'class="assignee">Bob<' in team
    assert "Call for Bob" in bobs and "Call for Alice" not in bobs


def test_it_hints_when_the_contact_prefers_another_channel(alice_client, contact, plan) -> None:
    plan(contact, "Quick call", NOW, channel="call")
    contact_update(contact=contact, fields={"pref_email": "preferred"})

    page = alice_client.get("/").content.decode()

    assert "prefers email" in page


def test_it_counts_neglected_clients_with_a_link(alice_client, make_contact, frozen) -> None:
    frozen.move_to(NOW - timedelta(days=200))
    make_contact("Old", "Client", stage="client", tier="gold")
    frozen.move_to(NOW)

    page = alice_client.get("/").content.decode()

    assert 'href="/neglected/"><strong>1</strong> neglected client<' in page


def test_it_has_keyboard_shortcuts_and_vendored_htmx(alice_client) -> None:
    page = alice_client.get("/").content.decode()

    assert "/static/web/agenda.js" in page
    assert "/static/web/vendor/htmx.min.js" in page
    assert 'id="shortcuts"' in page
    assert "https://" not in page.split("<body")[0]  # nothing from a CDN
    assert finders.find("web/agenda.js") and finders.find("web/vendor/htmx.min.js")


def test_it_answers_an_unknown_colleague_with_404(alice_client, charlie) -> None:
    assert alice_client.get(f"/?who={charlie.pk}").status_code == 404


def test_it_sends_htmx_to_the_login_page_when_the_session_ended(client) -> None:
    response = client.get("/", **HTMX)
    assert response.headers["HX-Redirect"] == "/login/?next=%2F"


def _purchase(contact, days_ago: int, key: str) -> None:
    from followthrough.events.services import ContactRef, EventInput, event_record
    from followthrough.playbooks.engine import event_process

    event = event_record(workspace=contact.workspace, item=EventInput(
        type="purchase.made", occurred_at=NOW - timedelta(days=days_ago), source="test",
        external_id=key, contact=ContactRef(id=contact.pk), data={"amount": "40"}))
    event_process(event_id=event.pk, now=NOW)


def test_it_says_which_playbook_step_planned_a_follow_up(alice_client, contact, plan) -> None:
    _purchase(contact, 5, "p1")  # 18 Nov: the thank-you note falls on Wed 25 Nov
    plan(contact, "Planned by hand", NOW + timedelta(days=1))

    upcoming = alice_client.get("/").content.decode().split('id="upcoming"')[1]

    note = upcoming.split("Handwritten thank-you note")[1].split("</li>")[0]
    assert '<p class="fu-from">First purchase · step 1 · from the purchase on 18 Nov</p>' in note
    by_hand = upcoming.split("Planned by hand")[1].split("</li>")[0]
    assert "fu-from" not in by_hand


def test_the_agenda_reads_provenance_without_a_query_per_row(
    alice_client, make_contact, django_assert_max_num_queries
) -> None:
    _purchase(make_contact("Erin", "Climb"), 5, "e1")
    alice_client.get("/")  # warm the session and the caches
    with django_assert_max_num_queries(100) as one:
        alice_client.get("/")
    for i in range(5):
        _purchase(make_contact(f"P{i}", "Buyer"), 5, f"b{i}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = alice_client.get("/").content.decode()

    assert body.count("First purchase · step 1") == 6


def test_a_long_overdue_list_starts_short_and_shows_more_on_request(
    alice_client, contact, plan
) -> None:
    for i in range(30):
        plan(contact, f"Late touch {i:02d}", NOW - timedelta(days=i + 1))

    def shown(page: str) -> int:
        return len(set(re.findall(r"Late touch \d\d", page)))

    short = alice_client.get("/").content.decode()
    assert shown(short) == 20
    assert "… and 10 more not shown." in short and "rows=all#overdue" in short

    full = alice_client.get("/?who=me&rows=all").content.decode()
    assert shown(full) == 30
