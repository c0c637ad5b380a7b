"""The morning journey in a real browser: log in → the agenda shows an overdue follow-up → open
the contact → log a touch and plan the next in one submit → the timeline shows both.

Runs headless Chromium from the system (never `playwright install`). Screenshots of the agenda
and the contact page at laptop and phone sizes go to /tmp/ft-shots/ for a person to look at."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.models import FollowUp, Interaction
from followthrough.activity.services import followup_create, interaction_log
from followthrough.people.models import Contact
from followthrough.people.services import PhoneInput, contact_create, organization_create
from followthrough.tests.browser import BROWSER, LAPTOP, PHONE, SHOTS, log_in, shot

pytestmark = BROWSER


def _person(alice: User, first: str, last: str, **fields: Any) -> Contact:
    phone = fields.pop("phone", "")
    return contact_create(workspace=alice.workspace, by=alice,
                          fields={"first_name": first, "last_name": last, **fields},
                          phones=[PhoneInput(phone, "mobile")] if phone else [])


def _plan(contact: Contact, by: User, purpose: str, days: float, **kwargs: Any) -> FollowUp:
    """A follow-up due `days` from now (negative: overdue), at an exact moment."""
    followup = followup_create(contact=contact, by=by, purpose=purpose, **kwargs)
    due = timezone.now() + timedelta(days=days)
    FollowUp.objects.filter(pk=followup.pk).update(due_at=due)
    return followup


@pytest.fixture
def morning(alice: User, bob: User) -> Contact:
    """A small but believable morning for alice; returns the overdue contact of the journey."""
    workspace = alice.workspace
    velo = organization_create(workspace=workspace, fields={"name": "Velo Club Oakland"})
    dana = _person(alice, "Dana", "Rider", stage="client", tier="gold", organization=velo,
                   phone="+1 415 555 0100", pref_email="preferred", title="Team captain")
    interaction_log(contact=dana, by=alice, channel="meeting", summary="Sold a gravel bike",
                    occurred_at=timezone.now() - timedelta(days=16))
    erin = _person(alice, "Erin", "Climb", stage="client", tier="silver", pref_phone="refused")
    frank = _person(alice, "Frank", "Flat", stage="prospect", tier="bronze")
    gina = _person(alice, "Gina", "Gravel", stage="lead", influence=True)
    _plan(dana, alice, "Ask how the new gravel bike rides", -2, channel="call")
    _plan(erin, alice, "Send the winter maintenance tips", -1)
    _plan(frank, alice, "Follow up on the e-bike quote", 0.05)
    _plan(gina, alice, "Invite to the Saturday group ride", 2)
    _plan(frank, alice, "Check the service booking", 0.1, assignee=bob)
    return dana


def test_the_morning_journey(live_server: Any, transactional_db: Any, browser: Any,
                             alice: User, morning: Contact) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)

    overdue = page.locator("#overdue")
    assert overdue.get_by_text("Ask how the new gravel bike rides").is_visible()
    page.screenshot(path=str(SHOTS / "agenda-laptop.png"), full_page=True)

    overdue.get_by_role("link", name="Dana Rider").click()
    page.wait_for_url(f"{live_server.url}/contacts/{morning.pk}/")
    page.select_option("#log_channel", "call")
    page.fill("#log_summary", "Loves the bike; wants a fitting before the spring tour")
    page.fill("#log_next_due", (timezone.localdate() + timedelta(days=10)).isoformat())
    page.fill("#log_next_purpose", "Book the bike fitting")
    page.click("form.log-form button[type=submit]")

    timeline = page.locator("#timeline")
    timeline.get_by_text("Loves the bike; wants a fitting").wait_for()
    assert timeline.get_by_text("Book the bike fitting").is_visible()
    assert page.locator("#contact-stats").get_by_text("today").is_visible()
    assert Interaction.objects.filter(contact=morning, summary__startswith="Loves").exists()
    assert FollowUp.objects.filter(contact=morning, purpose="Book the bike fitting").exists()
    page.screenshot(path=str(SHOTS / "contact-laptop.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "contact-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/")
    page.screenshot(path=str(SHOTS / "agenda-phone.png"), full_page=True)


def test_the_agenda_keyboard(live_server: Any, transactional_db: Any, browser: Any,
                             alice: User, morning: Contact) -> None:
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)

    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.type("They asked us to wait")
    page.keyboard.press("Enter")

    page.get_by_text("Skipped: They asked us to wait").wait_for()
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()


def test_recording_a_purchase_plans_the_note_and_the_call(
    live_server: Any, transactional_db: Any, browser: Any, alice: User, morning: Contact
) -> None:
    """From the contact page: record a purchase → the message lists the thank-you note in a
    week and the call in two, and the timeline shows them with the playbook that planned them.
    Screenshots of the record panel, the playbook editor and the settings at both sizes."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)
    erin = Contact.objects.get(first_name="Erin")  # refuses calls: the call goes another way
    page.goto(f"{live_server.url}/contacts/{erin.pk}/")

    page.get_by_text("Purchase", exact=True).click()
    page.fill("#id_purchase-amount", "1899")
    page.fill("#id_purchase-items", "gravel bike")
    shot(page, "record-laptop")
    page.get_by_role("button", name="Record the purchase").click()

    message = page.locator("#contact-activity .message")
    message.wait_for()
    assert "Recorded a purchase — planned: handwritten note on" in message.inner_text()
    timeline = page.locator("#timeline")
    assert timeline.get_by_text("Purchase — $1,899 — gravel bike").is_visible()
    assert timeline.get_by_text("First purchase · step 2 · from the purchase on").is_visible()
    second = FollowUp.objects.get(contact=erin, step_index=1)
    assert second.channel != "call" and second.purpose.startswith("Call Erin")
    page.set_viewport_size(PHONE)
    page.get_by_text("Invoice", exact=True).click()
    shot(page, "record-phone")

    playbook_id = second.run.playbook_id if second.run else 0
    page.goto(f"{live_server.url}/playbooks/{playbook_id}/")
    rows = page.locator("#steps-rows .step-row")
    before = rows.count()
    page.get_by_role("button", name="+ Add a step").click()
    assert rows.count() == before + 1
    assert page.input_value("#id_steps-TOTAL_FORMS") == str(before + 1)
    page.locator("[data-merge='{{ first_name }}']").click()
    assert page.input_value(f"#id_steps-{before}-purpose") == "{{ first_name }} "

    for name, path in (("playbook", f"/playbooks/{playbook_id}/"), ("settings", "/settings/")):
        page.goto(live_server.url + path)
        for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            shot(page, f"{name}-{size}")
    page.goto(f"{live_server.url}/playbooks/")
    shot(page, "playbooks-phone")
    page.set_viewport_size(LAPTOP)
    shot(page, "playbooks-laptop")


