"""Replies fetched by IMAP (FOLLOWTHROUGH_IMAP_URL) are logged like forwarded ones, marked read,
and logged once even when fetched again."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from followthrough.activity.models import Interaction
from followthrough.outreach.extras.imap import imap_settings_parse, inbound_imap_fetch
from followthrough.outreach.extras.inbound import inbound_token_rotate
from followthrough.outreach.tests.extras_fixtures import ImapMailbox, imap_mailbox  # noqa: F401
from followthrough.outreach.tests.test_extras_inbound import reply


@pytest.fixture
def mailbox(imap_mailbox: ImapMailbox, workspace, contact, settings) -> ImapMailbox:
    address = inbound_token_rotate(workspace=workspace)
    imap_mailbox.messages = {
        1: (reply("dana@example.com", address, message_id="<one@mail.example.com>"), False),
        2: (reply("stranger@example.org", address), False),
        3: (reply("dana@example.com", address, body="Old, already read"), True),
    }
    settings.IMAP_URL = f"imap://replies:s3cret@127.0.0.1:{imap_mailbox.port}/INBOX"
    return imap_mailbox


def test_it_logs_the_unread_replies_and_marks_them_read(mailbox: ImapMailbox, contact) -> None:
    outcome = inbound_imap_fetch(url=mailbox_url(mailbox))
    assert outcome == {"logged": 1, "new-lead": 1}
    [interaction] = Interaction.objects.filter(contact=contact)
    assert interaction.direction == "in" and "Re: Winter tyres" in interaction.summary
    assert all(seen for _, seen in mailbox.messages.values())


def test_it_logs_a_message_fetched_twice_once(mailbox: ImapMailbox, contact) -> None:
    inbound_imap_fetch(url=mailbox_url(mailbox))
    mailbox.messages[1] = (mailbox.messages[1][0], False)  # e.g. marked unread by hand
    assert inbound_imap_fetch(url=mailbox_url(mailbox)) == {"duplicate": 1}
    assert Interaction.objects.filter(contact=contact).count() == 1


def test_it_runs_from_the_command_line(mailbox: ImapMailbox, contact) -> None:
    out = StringIO()
    call_command("inbound", "--imap-once", stdout=out)
    assert "Fetched by IMAP: 1 logged, 1 new-lead." in out.getvalue()


def test_it_says_when_the_password_is_wrong(mailbox: ImapMailbox, settings) -> None:
    settings.IMAP_URL = f"imap://replies:wrong@127.0.0.1:{mailbox.port}/INBOX"
    with pytest.raises(CommandError, match="Fetching by IMAP failed"):
        call_command("inbound", "--imap-once")
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("url", "problem"),
    [("https://mail.example.com", "must start with imaps://"), ("imaps://host", "needs a user")],
)
def test_it_names_what_is_wrong_with_the_url(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        imap_settings_parse(url)


def mailbox_url(mailbox: ImapMailbox) -> str:
    return f"imap://replies:s3cret@127.0.0.1:{mailbox.port}/INBOX"
