from datetime import timedelta

from followthrough.activity.models import FollowUp, Status
from followthrough.conftest import NOW
from followthrough.people.services import contact_update

from .conftest import HTMX


def test_it_completes_from_the_agenda_and_logs_the_touch(alice_client, contact, plan) -> None:
    followup = plan(contact, "Ask how the new wheels ride", NOW - timedelta(days=2))

    response = alice_client.post(f"/followups/{followup.pk}/complete/",
                                 {"outcome": "Loves them; wants a bike fit", "view": "agenda"},
                                 **HTMX)

    assert response.status_code == 200
    assert "Done: logged on Dana Rider" in response.content.decode()
    assert "Ask how the new wheels ride" not in alice_client.get("/").content.decode()
    timeline = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Loves them; wants a bike fit" in timeline
    assert "Completed follow-up: Ask how the new wheels ride" in timeline


def test_it_completes_and_plans_the_next_touch(alice_client, contact, plan) -> None:
    followup = plan(contact, "Check in", NOW - timedelta(days=1))

    alice_client.post(f"/followups/{followup.pk}/complete/",
                      {"next_due": "2026-12-01", "next_purpose": "Book the bike fit"}, **HTMX)

    next_one = FollowUp.objects.get(purpose="Book the bike fit")
    assert next_one.status == Status.OPEN
    assert next_one.due_at.date().isoformat() == "2026-12-01"


def test_it_asks_for_a_purpose_when_a_next_day_is_given(alice_client, contact, plan) -> None:
    followup = plan(contact, "Check in", NOW - timedelta(days=1))

    response = alice_client.post(f"/followups/{followup.pk}/complete/",
                                 {"outcome": "Fine", "next_due": "2026-12-01"}, **HTMX)

    assert response.status_code == 422
    body = response.content.decode()
    assert "Say why you will get in touch next time." in body
    assert 'value="Fine"' in body  # what was typed is kept
    followup.refresh_from_db()
    assert followup.status == Status.OPEN


def test_it_snoozes_to_the_contacts_next_good_slot(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    response = alice_client.post(f"/followups/{followup.pk}/snooze/", {"choice": "1w"}, **HTMX)

    followup.refresh_from_db()
    assert followup.status == Status.SNOOZED
    assert followup.due_at >= NOW + timedelta(days=7)
    assert "Snoozed to Mon 30 Nov, 09:00" in response.content.decode()


def test_it_reschedules_to_a_day(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    response = alice_client.post(f"/followups/{followup.pk}/reschedule/", {"due": "2026-12-03"},
                                 **HTMX)

    assert "Moved to Thu 3 Dec, 09:00" in response.content.decode()


def test_it_requires_a_reason_to_skip_and_shows_it_in_the_row(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    refused = alice_client.post(f"/followups/{followup.pk}/skip/", {"reason": "  "}, **HTMX)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert f'id="fu-{followup.pk}"' in body
    assert "Say why this follow-up is skipped." in body
    assert f'name="act-{followup.pk}" data-action="skip" open>' in body

    alice_client.post(f"/followups/{followup.pk}/skip/", {"reason": "They moved to Spain"}, **HTMX)
    timeline = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "They moved to Spain" in timeline and "Skipped" in timeline


def test_it_works_without_javascript(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    response = alice_client.post(f"/followups/{followup.pk}/complete/",
                                 {"outcome": "Done by phone", "next": "/?who=team"})

    assert response.status_code == 302 and response.url == "/?who=team"
    page = alice_client.get(response.url).content.decode()
    assert "Done: logged on Dana Rider" in page  # the message


def test_it_never_redirects_off_site(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    response = alice_client.post(f"/followups/{followup.pk}/snooze/",
                                 {"choice": "1d", "next": "https://evil.example/"})

    assert response.url == "/"


def test_it_shows_an_error_page_without_javascript(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))

    response = alice_client.post(f"/followups/{followup.pk}/skip/", {"reason": ""})

    assert response.status_code == 422
    assert "Say why this follow-up is skipped." in response.content.decode()


def test_it_says_when_the_follow_up_is_already_done(alice_client, contact, plan) -> None:
    followup = plan(contact, "Call back", NOW - timedelta(hours=1))
    alice_client.post(f"/followups/{followup.pk}/complete/", {}, **HTMX)

    again = alice_client.post(f"/followups/{followup.pk}/complete/", {}, **HTMX)

    assert again.status_code == 422
    assert "This follow-up is already done." in again.content.decode()


def test_it_refreshes_the_timeline_when_acting_from_the_contact_page(
    alice_client, contact, plan
) -> None:
    followup = plan(contact, "Send the catalogue", NOW + timedelta(days=1))

    response = alice_client.post(f"/followups/{followup.pk}/complete/",
                                 {"outcome": "Posted it", "view": "contact"}, **HTMX)

    body = response.content.decode()
    assert body.startswith('<div id="contact-activity"') or 'id="contact-activity"' in body
    assert "Posted it" in body
    assert 'hx-swap-oob="true"' in body  # the touch counts follow


def test_it_keeps_a_refused_channel_from_being_planned_next(alice_client, contact, plan) -> None:
    followup = plan(contact, "Check in", NOW - timedelta(days=1), channel="email")
    contact_update(contact=contact, fields={"pref_phone": "refused"})

    response = alice_client.post(f"/followups/{followup.pk}/complete/",
                                 {"next_purpose": "Call about the race"}, **HTMX)

    # The next one goes to a channel they accept (their preferred, since none was chosen).
    assert response.status_code == 200
    assert FollowUp.objects.get(purpose="Call about the race").channel != "call"
