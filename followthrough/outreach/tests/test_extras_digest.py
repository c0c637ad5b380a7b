"""The daily digest arrives at each user's chosen hour in their own time zone, once per local
day however often the 15-minute task runs, through a real SMTP server."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from followthrough.accounts.models import User
from followthrough.activity.tasks import digest_task
from followthrough.conftest import NOW
from followthrough.insight.services import insight_refresh
from followthrough.insight.tests.conftest import buy  # noqa: F401
from followthrough.outreach.extras.digest import digest_send
from followthrough.outreach.tests.extras_fixtures import SmtpSink, body_text, smtp_sink  # noqa: F401


@pytest.fixture
def agendas(alice: User, bob: User, contact, make_contact, plan) -> None:
    """alice in New York wants it at 09:00; bob in Tokyo at 08:00."""
    User.objects.filter(pk=alice.pk).update(digest_hour=9)
    User.objects.filter(pk=bob.pk).update(digest_hour=8, timezone="Asia/Tokyo")
    plan(contact, "Call Dana about the fitting", NOW + timedelta(hours=2))
    plan(contact, "Thank Dana for the referral", NOW - timedelta(days=3))
    other = make_contact("Eli", "Tanaka", email="eli@example.com")
    plan(other, "Send Eli the race photos", datetime(2026, 11, 24, 1, 0, tzinfo=UTC), assignee=bob)


def run_task_at(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        digest_task.call_local()


def recipients(sink: SmtpSink) -> list[str]:
    return [rcpt[0] for rcpt, _ in sink.received]


def test_it_sends_each_digest_at_the_local_hour(agendas, smtp_sink: SmtpSink) -> None:
    run_task_at(datetime(2026, 11, 23, 13, 45, tzinfo=UTC))  # 08:45 in New York
    assert smtp_sink.received == []
    run_task_at(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))  # 09:00 in New York
    assert recipients(smtp_sink) == ["alice@spokechain.test"]
    run_task_at(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # 08:00 on the 24th in Tokyo
    assert recipients(smtp_sink) == ["alice@spokechain.test", "bob@spokechain.test"]


def test_it_never_sends_twice_the_same_local_day(agendas, smtp_sink: SmtpSink) -> None:
    for minute in (0, 15, 30, 45, 45):
        run_task_at(datetime(2026, 11, 23, 14, minute, tzinfo=UTC))
    assert recipients(smtp_sink) == ["alice@spokechain.test"]
    run_task_at(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))  # the next day, 09:00 again
    assert recipients(smtp_sink) == ["alice@spokechain.test"] * 2


def test_it_lists_today_and_overdue_with_links(agendas, alice, contact, smtp_sink) -> None:
    run_task_at(NOW)
    [message] = smtp_sink.messages
    assert message["Subject"] == "Your follow-ups for Mon 23 Nov: 1 today, 1 overdue"
    text = body_text(message)
    assert "Call Dana about the fitting" in text and "Thank Dana for the referral" in text
    assert "Send Eli the race photos" not in text  # bob's
    link = f"{settings.BASE_URL}/contacts/{contact.pk}/"
    assert link in text
    html = body_text(message, "html")
    assert f'href="{link}"' in html and "Dana Rider" in html


def test_it_sends_nothing_when_switched_off(agendas, alice, smtp_sink: SmtpSink) -> None:
    User.objects.filter(pk=alice.pk).update(digest_enabled=False)
    run_task_at(NOW)
    assert smtp_sink.received == []


def test_it_tries_again_after_a_failed_send(agendas, alice, settings, smtp_sink) -> None:
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there
    with time_machine.travel(NOW, tick=False), pytest.raises(OSError):
        digest_send(user=User.objects.get(pk=alice.pk), now=NOW)
    assert User.objects.get(pk=alice.pk).last_digest_on is None
    settings.EMAIL_PORT = port
    run_task_at(NOW + timedelta(minutes=15))
    assert recipients(smtp_sink) == ["alice@spokechain.test"]


def test_it_saves_the_hour_and_the_off_switch(alice_client: Client, alice) -> None:
    page = alice_client.get("/account/").content.decode()
    assert '<option value="7" selected>07:00</option>' in page
    response = alice_client.post("/account/digest/", {"digest_hour": "18"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.digest_enabled, alice.digest_hour) == (False, 18)
    alice_client.post("/account/digest/", {"digest_hour": "6", "digest_enabled": "on"})
    alice.refresh_from_db()
    assert (alice.digest_enabled, alice.digest_hour) == (True, 6)
    bad = alice_client.post("/account/digest/", {"digest_hour": "25", "digest_enabled": "on"})
    assert bad.status_code == 302
    alice.refresh_from_db()
    assert alice.digest_hour == 6


def test_it_names_the_customers_most_at_risk(agendas, workspace, contact, buy, smtp_sink) -> None:
    """Dana bought every 30 days and has been silent for 80."""
    buy(contact, 200, 170, 140, 110, 80, amount=1200)
    insight_refresh(workspace=workspace, now=NOW)
    run_task_at(NOW)
    [message] = smtp_sink.messages
    text = body_text(message)
    assert "AT RISK (top 1)" in text
    assert "Dana Rider: usually buys every 30 days; 80 days since the last purchase" in text
    assert "At risk</h2>" in body_text(message, "html")
