"""The iCalendar feed: a secret URL shown once on the account page, one event per open
follow-up of that user only, 404 once revoked or replaced, and rate limited."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from followthrough.accounts.models import User
from followthrough.activity.services import followup_skip
from followthrough.conftest import NOW
from followthrough.outreach.extras.calendar import calendar_token_issue
from followthrough.outreach.tests.extras_fixtures import frozen  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def followups(contact, make_contact, plan, alice, bob, charlie, other_workspace):
    theirs = make_contact("Olga", "Other", ws=other_workspace)
    return {
        "call": plan(contact, "Call about the fitting", NOW + timedelta(days=1)),
        "late": plan(contact, "Thank for the referral", NOW - timedelta(days=2)),
        "skipped": plan(contact, "Old idea", NOW + timedelta(days=3)),
        "bobs": plan(contact, "Bob's check-in", NOW, assignee=bob),
        "charlies": plan(theirs, "Charlie's call", NOW, assignee=charlie),
    }


def feed_path(url: str) -> str:
    return url.removeprefix(settings.BASE_URL)


def make_feed(client: Client) -> str:
    page = client.post("/account/calendar/new/").content.decode()
    found = re.search(r'<code id="calendar-url">([^<]+)</code>', page)
    assert found, "the account page shows the new address"
    return found[1]


def test_it_publishes_the_users_open_follow_ups(alice_client: Client, followups, alice) -> None:
    followup_skip(followup=followups["skipped"], by=alice, reason="Not relevant")
    url = make_feed(alice_client)
    response = Client().get(feed_path(url))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_uid = {str(e["UID"]): e for e in events}
    call, late = followups["call"], followups["late"]
    assert set(by_uid) == {f"followup-{call.pk}@127.0.0.1", f"followup-{late.pk}@127.0.0.1"}
    event = by_uid[f"followup-{call.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == "Dana Rider: Call about the fitting"
    assert event.decoded("DTSTART") == call.due_at
    assert str(event["URL"]) == f"{settings.BASE_URL}/contacts/{call.contact_id}/"


def test_it_shows_the_address_only_once(alice_client: Client, alice) -> None:
    url = make_feed(alice_client)
    again = alice_client.get("/account/").content.decode()
    assert url not in again
    assert "Make a new address" in again
    assert User.objects.get(pk=alice.pk).calendar_token_digest not in url


def test_it_answers_404_once_revoked_or_replaced(alice_client: Client, followups) -> None:
    first = make_feed(alice_client)
    second = make_feed(alice_client)
    assert Client().get(feed_path(first)).status_code == 404
    assert Client().get(feed_path(second)).status_code == 200
    alice_client.post("/account/calendar/revoke/")
    assert Client().get(feed_path(second)).status_code == 404


def test_it_answers_404_for_a_wrong_token(db) -> None:
    assert Client().get("/calendar/not-a-real-token-at-all.ics").status_code == 404


def test_it_limits_how_often_one_address_may_ask(alice) -> None:
    path = feed_path(f"{settings.BASE_URL}/calendar/{calendar_token_issue(user=alice)}.ics")
    codes = [Client().get(path).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120 and codes[120] == 429
