"""A personal email from the contact page goes through the SMTP server and lands on the timeline;
it can complete the follow-up it was for; someone who refused email is never mailed."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from django.test import Client

from followthrough.activity.models import FollowUp, Interaction
from followthrough.conftest import NOW
from followthrough.outreach.tests.extras_fixtures import SmtpSink, body_text, frozen, smtp_sink  # noqa: F401
from followthrough.people.models import ContactEmail

pytestmark = pytest.mark.usefixtures("frozen")


def test_it_sends_the_email_and_logs_it(alice_client: Client, contact, smtp_sink: SmtpSink):
    response = alice_client.post(
        f"/contacts/{contact.pk}/email/",
        {"subject": "Your wheels", "body": "Hi Dana,\n\nThe rims are in.\n\nAlice"},
    )
    assert response.status_code == 302
    [(rcpt, message)] = smtp_sink.received
    assert rcpt == ["dana@example.com"]
    assert message["Subject"] == "Your wheels"
    assert message["Reply-To"] == "alice@spokechain.test"
    assert "Alice Owner via Spoke & Chain Cycles" in message["From"]
    assert "The rims are in." in body_text(message)
    interaction = Interaction.objects.get(contact=contact)
    assert (interaction.channel, interaction.direction) == ("email", "out")
    assert interaction.summary.startswith("Email: Your wheels")
    contact.refresh_from_db()
    assert contact.last_touched_at == NOW


def test_it_completes_the_follow_up_it_was_for(
    alice_client: Client, contact, smtp_sink: SmtpSink, plan
) -> None:
    followup = plan(contact, "Tell Dana the rims are in", NOW - timedelta(days=1))
    page = alice_client.get(f"/contacts/{contact.pk}/email/").content.decode()
    assert "Tell Dana the rims are in" in page
    alice_client.post(
        f"/contacts/{contact.pk}/email/",
        {"subject": "Rims", "body": "They are in.", "followup": followup.pk},
    )
    followup.refresh_from_db()
    assert followup.status == "done"
    assert followup.interaction is not None and followup.interaction.channel == "email"
    assert len(smtp_sink.received) == 1


def test_it_never_mails_someone_who_refused_email(
    alice_client: Client, make_contact, smtp_sink: SmtpSink
) -> None:
    refuses = make_contact("Hal", "Quiet", email="hal@example.com", pref_email="refused")
    response = alice_client.post(
        f"/contacts/{refuses.pk}/email/", {"subject": "Hello", "body": "Hi"}
    )
    assert response.status_code == 400
    assert "Hal Quiet has asked not to be emailed." in response.content.decode()
    assert smtp_sink.received == []
    assert not Interaction.objects.filter(contact=refuses).exists()


def test_it_says_when_there_is_no_address(alice_client: Client, contact, smtp_sink) -> None:
    ContactEmail.objects.filter(contact=contact).delete()
    response = alice_client.post(f"/contacts/{contact.pk}/email/", {"subject": "Hi", "body": "x"})
    assert response.status_code == 400
    assert "has no email address" in response.content.decode()
    assert smtp_sink.received == []


def test_it_logs_nothing_when_the_server_refuses(alice_client: Client, contact, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = alice_client.post(f"/contacts/{contact.pk}/email/", {"subject": "Hi", "body": "x"})
    assert response.status_code == 400
    assert "The mail server did not accept the message" in response.content.decode()
    assert not Interaction.objects.filter(contact=contact).exists()


def test_it_answers_404_for_another_workspaces_contact(
    charlie_client: Client, contact, smtp_sink: SmtpSink, plan
) -> None:
    url = f"/contacts/{contact.pk}/email/"
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url, {"subject": "Hi", "body": "x"}).status_code == 404
    assert smtp_sink.received == []


def test_it_refuses_a_follow_up_of_someone_else(
    alice_client: Client, contact, make_contact, smtp_sink: SmtpSink, plan
) -> None:
    other = make_contact("Eli", "Other", email="eli@example.com")
    theirs = plan(other, "Call Eli", NOW)
    response = alice_client.post(
        f"/contacts/{contact.pk}/email/", {"subject": "Hi", "body": "x", "followup": theirs.pk}
    )
    assert response.status_code == 400
    assert smtp_sink.received == []
    assert FollowUp.objects.get(pk=theirs.pk).status == "open"
