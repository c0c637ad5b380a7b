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
