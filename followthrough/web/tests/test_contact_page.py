from datetime import timedelta

from followthrough.activity.models import FollowUp, Interaction
from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.people.services import DateInput, contact_update

from .conftest import HTMX


def test_it_shows_who_they_are_and_how_to_reach_them(alice_client, contact) -> None:
    contact_update(contact=contact, fields={
        "timezone": "Europe/London", "pref_phone": "refused", "pref_email": "preferred",
        "best_days": [0, 2], "influence": True,
    }, dates=[DateInput("birthday", 4, 12)])

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert "<h1>Dana Rider" in body and 'class="tier tier-gold"' in body
    assert "Opinion leader" in body and "Client" in body
    assert 'href="tel:+14155550100">+1 415-555-0100</a>' in body
    assert 'href="mailto:dana@example.com"' in body
    assert "calls" in body.split("Refuses")[1][:60]
    assert "email" in body.split("Prefers")[1][:60]
    assert "Mon, Wed" in body
    assert "Mon 14:00" in body and "Europe/London" in body  # their local time now
    assert "12 April" in body
    assert "road cycling" in body


def test_it_shows_last_touched_heard_from_and_touches(alice_client, contact) -> None:
    interaction_log(contact=contact, by=None, channel="call", summary="Out",
                    occurred_at=NOW - timedelta(days=3))
    interaction_log(contact=contact, by=None, channel="email", summary="In", direction="in",
                    occurred_at=NOW - timedelta(days=10))
    interaction_log(contact=contact, by=None, channel="email", summary="Long ago",
                    occurred_at=NOW - timedelta(days=100))

    stats = alice_client.get(f"/contacts/{contact.pk}/").content.decode().split(
        'id="contact-stats"')[1].split("</section>")[0]

    assert "3 days ago" in stats and "10 days ago" in stats
    assert "<dd>2</dd>" in stats


def test_it_logs_a_touch_and_plans_the_next_in_one_submit(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/log/", {
        "channel": "call", "direction": "out", "summary": "Talked about the spring tour",
        "needs": "Lighter wheels", "next_purpose": "Send the wheel catalogue",
        "next_due": "2026-11-30",
    }, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Talked about the spring tour" in body and "Send the wheel catalogue" in body
    assert "Touch logged; next touch planned for Mon 30 Nov" in body
    assert 'id="contact-stats" hx-swap-oob="true"' in body and "today" in body
    interaction = Interaction.objects.get(contact=contact)
    assert interaction.user is not None and interaction.needs == "Lighter wheels"
    assert FollowUp.objects.get(contact=contact).purpose == "Send the wheel catalogue"


def test_it_keeps_the_input_and_writes_nothing_when_the_next_channel_is_refused(
    alice_client, contact
) -> None:
    contact_update(contact=contact, fields={"pref_phone": "refused"})

    response = alice_client.post(f"/contacts/{contact.pk}/log/", {
        "channel": "email", "direction": "out", "summary": "Sent the quote",
        "next_purpose": "Call about it", "next_channel": "call",
    }, **HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    next_channel = body.split('data-field="next_channel"')[1].split("data-field=")[0]
    assert "refuses phone" in next_channel
    assert "Sent the quote" in body
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()


def test_it_requires_a_summary(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/log/",
                                 {"channel": "call", "direction": "out", "summary": ""})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode().split('data-field="summary"')[1]


def test_it_logs_without_javascript_and_comes_back(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/log/",
                                 {"channel": "note", "direction": "out", "summary": "Sent a card"})

    assert response.status_code == 302 and response.url == f"/contacts/{contact.pk}/"
    assert "Sent a card" in alice_client.get(response.url).content.decode()


def test_it_offers_their_preferred_channel_first(alice_client, contact) -> None:
    contact_update(contact=contact, fields={"pref_mail": "preferred"})

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert '<option value="letter" selected>Letter</option>' in body


def test_it_plans_a_follow_up(alice_client, contact, bob) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/followups/new/", {
        "purpose": "Invite to the winter ride", "due": "2026-12-02", "channel": "email",
        "assignee": bob.pk, "view": "contact",
    }, **HTMX)

    assert "Follow-up planned for Wed 2 Dec" in response.content.decode()
    followup = FollowUp.objects.get(contact=contact)
    assert followup.assignee == bob and followup.channel == "email"


def test_it_shows_the_error_when_planning_without_a_purpose(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/followups/new/", {"purpose": ""},
                                 **HTMX)

    assert response.status_code == 422
    assert "Say why you are getting in touch." in response.content.decode()


def test_it_shows_one_timeline_of_touches_and_follow_ups(alice_client, contact, plan) -> None:
    interaction_log(contact=contact, by=None, channel="call", summary="First call",
                    occurred_at=NOW - timedelta(days=5))
    plan(contact, "Send photos of the build", NOW + timedelta(days=2))
    skipped = plan(contact, "Ask for a review", NOW - timedelta(days=1))
    alice_client.post(f"/followups/{skipped.pk}/skip/", {"reason": "Not a good moment"})

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    timeline = body.split('id="timeline"')[1]

    assert timeline.index("Send photos of the build") < timeline.index("Not a good moment")
    assert timeline.index("Not a good moment") < timeline.index("First call")
    planned = timeline.split("Send photos of the build")[0].rsplit('<li class="tl', 1)[1]
    assert "Planned" in planned
    assert "/complete/" in timeline.split("Send photos of the build")[1].split("</li>")[0]


def test_it_flags_from_the_contact_page(alice_client, contact) -> None:
    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Flag for review" in body

    response = alice_client.post(f"/contacts/{contact.pk}/flag/", {"flagged": "1"}, **HTMX)

    assert "Flagged for review" in response.content.decode()
