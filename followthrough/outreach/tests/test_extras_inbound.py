"""Replies forwarded to the workspace's reply address reach a real SMTP receiver (the one behind
`followthrough inbound`), are matched by sender to a contact, logged as "they got in touch" and
stop the playbooks that stop on a reply."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

import os
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.activity.models import FollowUp, Interaction
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.outreach.extras.inbound import inbound_token_rotate
from followthrough.outreach.extras.receiver import inbound_controller
from followthrough.outreach.tests.extras_fixtures import free_port
from followthrough.people.models import Contact
from followthrough.playbooks.engine import events_process
from followthrough.playbooks.models import PlaybookRun
from followthrough.playbooks.tests.test_worker_process import REPO, database_url

# The receiver logs from its own thread, which must see the test's rows: real commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[int]:
    port = free_port()
    controller = inbound_controller(host="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def reply_to(workspace: Workspace) -> str:
    return inbound_token_rotate(workspace=workspace)


def reply(sender: str, to: str, *, message_id: str | None = None, body: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: Winter tyres"
    message["Date"] = format_datetime(timezone.now() - timedelta(minutes=1))
    message["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    message.set_content(body or "Thanks! Can you fit them on Saturday?\n\n> quoted text")
    return message.as_bytes()


def send(port: int, to: str, raw: bytes, sender: str = "dana@example.com") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail(sender, [to], raw)


def running_playbook(contact: Contact) -> PlaybookRun:
    """They clicked a link yesterday: the link-clicked playbook planned a personal follow-up."""
    event = event_record(
        workspace=contact.workspace,
        item=EventInput(
            type="email.link_clicked",
            occurred_at=timezone.now() - timedelta(days=1),
            source="test",
            external_id="click-1",
            contact=ContactRef(id=contact.pk),
            data={"title": "Winter tyres"},
        ),
    )
    events_process(event_ids=[event.pk])
    run = PlaybookRun.objects.get(contact=contact, playbook__key="link-clicked")
    assert run.status == "active" and run.followups.get().status == "open"
    return run


def test_it_logs_the_reply_and_stops_the_playbook(contact, reply_to, receiver) -> None:
    run = running_playbook(contact)
    send(receiver, reply_to, reply("Dana Rider <Dana@Example.com>", "alice@spokechain.test"))
    interaction = Interaction.objects.get(contact=contact)
    assert (interaction.channel, interaction.direction) == ("email", "in")
    assert interaction.summary.startswith("Email reply: Re: Winter tyres")
    assert "fit them on Saturday" in interaction.summary
    assert "quoted text" not in interaction.summary
    run.refresh_from_db()
    assert run.status == "stopped" and "they got in touch" in run.stop_reason
    assert FollowUp.objects.get(run=run).status == "skipped"
    contact.refresh_from_db()
    assert contact.last_heard_at is not None


def test_it_logs_a_message_forwarded_twice_once(contact, reply_to, receiver) -> None:
    raw = reply("dana@example.com", reply_to, message_id="<abc@mail.example.com>")
    send(receiver, reply_to, raw)
    send(receiver, reply_to, raw)
    assert Interaction.objects.filter(contact=contact).count() == 1


def test_it_refuses_an_unknown_reply_address(contact, reply_to, receiver) -> None:
    wrong = "reply+" + "x" * 24 + "@127.0.0.1"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, wrong, reply("dana@example.com", wrong))
    assert not Interaction.objects.exists()


def test_it_refuses_the_old_address_after_a_new_one_is_made(
    workspace, contact, reply_to, receiver
) -> None:
    inbound_token_rotate(workspace=workspace)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, reply_to, reply("dana@example.com", reply_to))
    assert not Interaction.objects.exists()


def test_it_makes_a_lead_of_someone_who_is_not_a_contact_yet(
    contact, reply_to, receiver
) -> None:
    raw = reply("Sam Stranger <Sam@Example.org>", reply_to)
    send(receiver, reply_to, raw, sender="sam@example.org")
    lead = Contact.objects.get(emails__email="sam@example.org")
    assert (lead.first_name, lead.last_name, lead.stage, lead.source) == (
        "Sam", "Stranger", "lead", "email",
    )  # fmt: skip
    interaction = Interaction.objects.get(contact=lead)
    assert interaction.direction == "in" and "fit them on Saturday" in interaction.summary
    # The new-lead playbook plans the same-day answer.
    assert FollowUp.objects.filter(contact=lead, run__playbook__key="new-lead").exists()
    send(receiver, reply_to, raw, sender="sam@example.org")  # forwarded twice: one lead
    assert Contact.objects.filter(emails__email="sam@example.org").count() == 1
    assert Interaction.objects.filter(contact=lead).count() == 1


def test_it_never_logs_on_another_workspaces_contact(
    contact, reply_to, receiver, make_contact, other_workspace
) -> None:
    theirs = make_contact("Dana", "Elsewhere", email="dana@example.com", ws=other_workspace)
    send(receiver, reply_to, reply("dana@example.com", reply_to))
    assert Interaction.objects.filter(contact=contact).count() == 1
    assert not Interaction.objects.filter(contact=theirs).exists()


def test_it_takes_a_raw_message_posted_to_the_inbound_endpoint(
    workspace, contact, reply_to
) -> None:
    run = running_playbook(contact)
    token = workspace.inbound_token
    url = f"/hooks/inbound/{token}/"
    raw = reply("dana@example.com", "alice@spokechain.test")
    response = Client().post(url, raw, content_type="message/rfc822")
    assert response.status_code == 200 and response.json() == {"status": "logged"}
    assert Interaction.objects.filter(contact=contact, direction="in").count() == 1
    run.refresh_from_db()
    assert run.status == "stopped"
    wrong = Client().post("/hooks/inbound/" + "y" * 24 + "/", raw, content_type="message/rfc822")
    assert wrong.status_code == 404


def test_it_runs_as_the_followthrough_inbound_command(contact, reply_to, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"FOLLOWTHROUGH_DATA_DIR": str(tmp_path), "FOLLOWTHROUGH_DATABASE_URL": database_url()}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [
            sys.executable,
            "-m",
            "followthrough",
            "inbound",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "Receiving replies by SMTP" in process.stdout.readline()
        send(port, reply_to, reply("dana@example.com", reply_to))
        deadline = time.monotonic() + 15
        while not Interaction.objects.filter(contact=contact).exists():
            assert time.monotonic() < deadline, "the reply was not logged"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert Interaction.objects.get(contact=contact).direction == "in"
