"""/u/<token> (one-click unsubscribe, RFC 8058) and /t/<token> (tracked click): no cookie needed,
GET never unsubscribes, tampered tokens are 404, a click redirects only to the stored URL and
becomes an event on the timeline with a follow-up from the click playbook. Both are rate limited,
and a link scanner's GETs cannot use up the budget of the one-click POSTs."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from followthrough.activity.models import PENDING, FollowUp
from followthrough.activity.selectors import contact_history
from followthrough.conftest import PASSWORD
from followthrough.events.models import Event
from followthrough.outreach.models import OutboxMessage, Suppression, address_digest
from followthrough.outreach.sending import outbox_work
from followthrough.outreach.services import campaign_start
from followthrough.outreach.tests.conftest import audience
from followthrough.outreach.tokens import click_url, unsubscribe_token
from followthrough.playbooks.engine import playbooks_install_defaults


@pytest.fixture
def sent(workspace, make_campaign, smtp_server, contact) -> OutboxMessage:
    contact.marketing_consent = True
    contact.save(update_fields=["marketing_consent"])
    campaign_start(campaign=make_campaign(), wake=False)
    while outbox_work(worker_id="test"):
        pass
    return OutboxMessage.objects.get(contact=contact)


@pytest.fixture
def sent_to_three(workspace, make_campaign, smtp_server) -> list[OutboxMessage]:
    audience(workspace, 3)
    campaign_start(campaign=make_campaign(), wake=False)
    while outbox_work(worker_id="test"):
        pass
    return list(OutboxMessage.objects.order_by("email"))


def one_click(message: OutboxMessage) -> int:
    """What a mail client's unsubscribe button sends (RFC 8058): a cookieless POST whose body is
    exactly "List-Unsubscribe=One-Click"; the status it gets."""
    response = Client(enforce_csrf_checks=True).post(
        f"/u/{unsubscribe_token(message.pk)}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert "Location" not in response
    return response.status_code


def unsubscribed(message: OutboxMessage) -> bool:
    message.contact.refresh_from_db(fields=["marketing_consent"])
    listed = Suppression.objects.filter(digest=address_digest(message.email)).exists()
    assert listed is not message.contact.marketing_consent  # both change together, or neither
    return listed


def test_it_unsubscribes_on_a_cookieless_post_with_200_and_no_redirect(sent):
    assert one_click(sent) == 200  # and no Location: checked in one_click
    assert Suppression.objects.filter(workspace=sent.workspace).count() == 1
    sent.contact.refresh_from_db()
    assert sent.contact.marketing_consent is False
    assert Event.objects.filter(contact=sent.contact, type="email.unsubscribed").exists()


def test_it_never_unsubscribes_on_get(sent):
    response = Client().get(f"/u/{unsubscribe_token(sent.pk)}")
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("token", ["1.AAAAAAAAAAAAAAAAAAAAAA", "abc", "1", ".x"])
def test_it_answers_404_to_a_tampered_unsubscribe_token(sent, token):
    assert Client().post(f"/u/{token}").status_code == 404
    assert (
        Client().post(f"/u/{sent.pk + 1}.{unsubscribe_token(sent.pk).split('.')[1]}").status_code
        == 404
    )
    assert not Suppression.objects.exists()


def test_it_answers_404_to_a_tampered_click_token(sent):
    good = click_url(sent.pk, 0).rsplit("/", 1)[1]
    forged = good.replace(f"{sent.pk}.0.", f"{sent.pk}.1.")
    assert Client().get(f"/t/{forged}").status_code == 404
    assert Client().get(f"/t/{unsubscribe_token(sent.pk)}").status_code == 404
    assert Client().get("/t/https:%2F%2Fevil.test").status_code == 404


def test_it_redirects_a_click_to_the_stored_url_and_plans_a_follow_up(
    sent, workspace, alice, django_capture_on_commit_callbacks
):
    playbooks_install_defaults(workspace=workspace)
    path = click_url(sent.pk, 0).removeprefix("https://crm.spokechain.test")
    with django_capture_on_commit_callbacks(execute=True):  # the engine runs after commit
        response = Client().get(path + "?next=https://evil.test")
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example.test/rides?m=12"
    assert Client().get(path).status_code == 302  # a second click: same answer, no new event
    events = Event.objects.filter(contact=sent.contact, type="email.link_clicked")
    assert events.count() == 1
    assert events.get().data["url"] == "https://shop.example.test/rides?m=12"
    followup = FollowUp.objects.get(contact=sent.contact, status__in=PENDING)
    assert "ride calendar" in followup.purpose
    assert any(entry.item == events.get() for entry in contact_history(contact=sent.contact))
    page = Client()
    page.login(email=alice.email, password=PASSWORD)
    body = page.get(f"/contacts/{sent.contact_id}/").content.decode()
    assert "Clicked “ride calendar” in an email" in body


def test_it_rate_limits_views_of_the_unsubscribe_page(sent, monkeypatch):
    from followthrough.outreach import views

    monkeypatch.setattr(views, "PUBLIC_LIMIT", 3)
    path = f"/u/{unsubscribe_token(sent.pk)}"
    answers = [Client().get(path) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "60"


def test_it_answers_429_to_one_click_posts_over_their_limit_and_unsubscribes_nobody(
    sent_to_three, monkeypatch
):
    from followthrough.outreach import views

    monkeypatch.setattr(views, "ONE_CLICK_LIMIT", 2)
    first, second, third = sent_to_three
    assert [one_click(first), one_click(second)] == [200, 200]
    assert unsubscribed(first) and unsubscribed(second)
    assert one_click(third) == 429
    assert not unsubscribed(third)  # a 429 does nothing: the mail client can try again
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert one_click(third) == 200  # "try again in a minute" holds
    assert unsubscribed(third)


def test_it_keeps_one_click_working_when_a_link_scanner_used_up_the_page_views(sent, monkeypatch):
    from followthrough.outreach import views

    monkeypatch.setattr(views, "PUBLIC_LIMIT", 3)
    path = f"/u/{unsubscribe_token(sent.pk)}"
    scanner = [Client().get(path).status_code for _ in range(5)]  # same address as the POST
    assert scanner[-1] == 429
    assert one_click(sent) == 200
    assert unsubscribed(sent)


def test_it_rate_limits_clicks_apart_from_the_unsubscribe_page(sent, monkeypatch):
    from followthrough.outreach import views

    monkeypatch.setattr(views, "PUBLIC_LIMIT", 2)
    path = click_url(sent.pk, 0).removeprefix("https://crm.spokechain.test")
    answers = [Client().get(path) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Location" not in answers[-1]  # no redirect, not even to the stored URL
    assert Event.objects.filter(contact=sent.contact, type="email.link_clicked").count() == 1
    assert Client().get(f"/u/{unsubscribe_token(sent.pk)}").status_code == 200


def test_the_unsubscribe_link_of_a_test_email_explains_itself_and_unsubscribes_nobody(
    sent, smtp_server, alice
):
    from followthrough.outreach.services import template_test_send

    template_test_send(template=sent.campaign.template, contact=sent.contact, to=alice.email)
    [test_email] = [r.message for r in smtp_server.handler.received if r.rcpt == alice.email]
    link = next(
        u
        for u in re.findall(r'href="([^"]+)"', test_email.get_body(("html",)).get_content())
        if "/u/" in u
    )
    path = link.removeprefix("https://crm.spokechain.test")
    for answer in (Client().get(path), Client(enforce_csrf_checks=True).post(path)):
        assert answer.status_code == 200
        assert "unsubscribes nobody" in answer.content.decode()
    assert not unsubscribed(sent) and not Suppression.objects.exists()
