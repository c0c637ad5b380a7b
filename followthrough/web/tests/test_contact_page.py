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


def test_it_offers_to_complete_the_most_overdue_follow_up(alice_client, contact, plan) -> None:
    plan(contact, "Later this week", NOW + timedelta(days=3))
    older = plan(contact, "Ask about the fitting", NOW - timedelta(days=2))
    plan(contact, "Send the tips", NOW - timedelta(days=1))

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    completes = body.split('data-field="completes"')[1].split("</select>")[0]
    assert '<option value="">Nothing planned</option>' in completes
    chosen = f'<option value="{older.pk}" selected>Email · Ask about the fitting · due Sat 21 Nov'
    assert chosen in completes
    assert "Later this week" in completes


def test_it_leaves_nothing_chosen_when_nothing_is_due_yet(alice_client, contact, plan) -> None:
    plan(contact, "Later this week", NOW + timedelta(days=3))

    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert '<option value="" selected>Nothing planned</option>' in body


def test_it_has_no_choice_when_nothing_is_planned(alice_client, contact) -> None:
    assert 'data-field="completes"' not in alice_client.get(
        f"/contacts/{contact.pk}/").content.decode()


def test_logging_a_touch_completes_the_chosen_follow_up(alice_client, contact, plan) -> None:
    followup = plan(contact, "Ask about the fitting", NOW - timedelta(days=2), channel="call")

    response = alice_client.post(f"/contacts/{contact.pk}/log/", {
        "channel": "email", "direction": "in", "summary": "They wrote: the fit is perfect",
        "completes": followup.pk,
    }, **HTMX)

    assert "Touch logged; “Ask about the fitting” is done." in response.content.decode()
    followup.refresh_from_db()
    interaction = Interaction.objects.get(contact=contact)
    assert followup.status == "done" and followup.interaction == interaction
    assert (interaction.channel, interaction.direction) == ("email", "in")
    assert interaction.summary == "They wrote: the fit is perfect"
    assert "Ask about the fitting" not in alice_client.get("/").content.decode()
    timeline = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Completed follow-up: Ask about the fitting" in timeline


def test_it_refuses_to_complete_someone_elses_follow_up(alice_client, contact, make_contact,
                                                        plan) -> None:
    other = plan(make_contact("Erin", "Climb"), "Call Erin", NOW - timedelta(days=1))
    plan(contact, "Ask about the fitting", NOW - timedelta(days=2))

    response = alice_client.post(f"/contacts/{contact.pk}/log/", {
        "channel": "call", "direction": "out", "summary": "Talked", "completes": other.pk,
    }, **HTMX)

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode().split(
        'data-field="completes"')[1]
    assert not Interaction.objects.exists()


def _event(contact, kind: str, days_ago: int, key: str, source: str = "stripe", **data) -> None:
    from followthrough.events.services import ContactRef, EventInput, event_record
    from followthrough.playbooks.engine import event_process

    event = event_record(workspace=contact.workspace, item=EventInput(
        type=kind, occurred_at=NOW - timedelta(days=days_ago), source=source, external_id=key,
        contact=ContactRef(id=contact.pk), data=data))
    event_process(event_id=event.pk, now=NOW)


def test_the_timeline_shows_events_in_words_with_where_follow_ups_came_from(
    alice_client, contact
) -> None:
    interaction_log(contact=contact, by=None, channel="meeting", summary="Test ride",
                    occurred_at=NOW - timedelta(days=5))
    _event(contact, "purchase.made", 3, "ch_1", amount="1899", currency="usd",
           items=["gravel bike"])
    _event(contact, "invoice.issued", 40, "in_1", source="api", invoice_id="SC-0041",
           amount="120", due_date="2026-10-30")
    _event(contact, "invoice.paid", 2, "in_2", source="api", invoice_id="SC-0041")

    timeline = alice_client.get(f"/contacts/{contact.pk}/").content.decode().split(
        'id="timeline"')[1]

    purchase = timeline.split("Purchase — $1,899 — gravel bike")[1].split("</li>")[0]
    assert "Fri 20 Nov 2026" in purchase and "via Stripe" in purchase
    assert "Invoice SC-0041 paid 22 days late" in timeline
    assert "Invoice SC-0041 issued — $120 — due 30 Oct" in timeline
    assert (timeline.index("Invoice SC-0041 paid") < timeline.index("Purchase — $1,899")
            < timeline.index("Test ride") < timeline.index("Invoice SC-0041 issued"))
    note = timeline.split("Handwritten thank-you note")[1].split("</li>")[0]
    assert "First purchase · step 1 · from the purchase on 20 Nov" in note
    late = timeline.split("paid 22 days late: would other")[1].split("</li>")[0]
    assert "Invoice paid late · step 1 · from the payment of invoice SC-0041 on 21 Nov" in late


def test_the_contact_page_reads_the_timeline_without_a_query_per_row(
    alice_client, contact, django_assert_max_num_queries
) -> None:
    _event(contact, "purchase.made", 3, "p1", amount="10")
    alice_client.get(f"/contacts/{contact.pk}/")
    with django_assert_max_num_queries(100) as one:
        alice_client.get(f"/contacts/{contact.pk}/")
    for i in range(4):
        _event(contact, "purchase.made", 2 - i % 2, f"p{i + 2}", amount="10")
        _event(contact, "service.interaction", 1, f"s{i}", note=f"Visit {i}")

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    assert body.count("Service visit — Visit") == 4
