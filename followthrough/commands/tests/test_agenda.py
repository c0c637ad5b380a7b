import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from followthrough.accounts.models import Role
from followthrough.accounts.services import user_create
from followthrough.activity.services import followup_create
from followthrough.conftest import NOW, PASSWORD

LAST_WEEK = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def book(alice, bob, make_contact):
    """Alice's Monday: one overdue call, two for today (bronze and gold), one on Thursday;
    and one for Bob today."""
    bea = make_contact("Bea", "Bronze", tier="bronze")
    gus = make_contact("Gus", "Gold", tier="gold")
    followup_create(contact=bea, by=alice, purpose="Missed check-in", channel="call",
                    due=date(2026, 11, 16), now=LAST_WEEK)
    followup_create(contact=bea, by=alice, purpose="Ask about the commute bike", channel="email",
                    due=date(2026, 11, 23))
    followup_create(contact=gus, by=alice, purpose="Two-week check on the new bike",
                    channel="call", due=date(2026, 11, 23))
    followup_create(contact=gus, by=alice, purpose="Handwritten thank-you", channel="note",
                    due=date(2026, 11, 26))
    followup_create(contact=gus, by=alice, purpose="Fit appointment", assignee=bob,
                    channel="meeting", due=date(2026, 11, 23))


def agenda(*args: str) -> str:
    out = StringIO()
    call_command("agenda", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_sections_as_an_aligned_table(book) -> None:
    table = agenda("--user", "alice@spokechain.test")
    lines = table.splitlines()
    assert lines[0] == ("Agenda for Alice Owner <alice@spokechain.test> — "
                        "Monday 23 November 2026 (America/New_York)")
    assert "Overdue (1)" in lines and "Today (2)" in lines and "Next 7 days (1)" in lines
    today = lines[lines.index("Today (2)") + 1: lines.index("Today (2)") + 4]
    assert today[0].split() == ["DUE", "CONTACT", "TIER", "CHANNEL", "PURPOSE", "ASSIGNEE"]
    # Gold first, then bronze; columns line up under their headings.
    assert "Gus Gold" in today[1] and "Bea Bronze" in today[2]
    purpose_column = today[0].index("PURPOSE")
    assert today[1][purpose_column:].startswith("Two-week check on the new bike")
    assert today[2][purpose_column:].startswith("Ask about the commute bike")
    assert "Mon 23 Nov 09:00" in today[1] and "Call" in today[1] and "gold" in today[1]
    assert "Fit appointment" not in table


def test_without_user_it_reads_the_only_owners_agenda(book) -> None:
    assert agenda().splitlines()[0].startswith("Agenda for Alice Owner")


def test_it_says_what_to_pass_when_the_owner_is_ambiguous(book, workspace) -> None:
    user_create(workspace=workspace, email="olga@spokechain.test", password=PASSWORD,
                role=Role.OWNER)
    with pytest.raises(CommandError, match="--user EMAIL .*alice@spokechain.test.*--team"):
        agenda()


def test_the_team_agenda_has_everyone(book) -> None:
    table = agenda("--team")
    assert "Agenda for the team of Spoke & Chain Cycles" in table
    assert "Today (3)" in table and "Fit appointment" in table and "Bob Mechanic" in table


def test_it_prints_json_with_stable_keys_and_iso_times(book, alice) -> None:
    data = json.loads(agenda("--user", alice.email, "--json"))
    assert set(data) == {"as_of", "day", "timezone", "user", "team", "overdue", "today",
                         "upcoming"}
    assert (data["day"], data["user"], data["team"]) == ("2026-11-23", alice.email, False)
    first = data["today"]["items"][0]
    assert set(first) == {"id", "due_at", "contact_id", "contact", "tier", "channel", "purpose",
                          "assignee", "status", "origin"}
    assert first["due_at"] == "2026-11-23T09:00:00-05:00"
    assert (first["contact"], first["tier"], first["channel"]) == ("Gus Gold", "gold", "call")
    assert [s["total"] for s in (data["overdue"], data["today"], data["upcoming"])] == [1, 2, 1]


def test_date_shows_the_agenda_as_of_that_day(book, alice) -> None:
    data = json.loads(agenda("--user", alice.email, "--json", "--date", "2026-11-26"))
    assert data["day"] == "2026-11-26" and data["as_of"] == "2026-11-26T12:00:00-05:00"
    assert data["overdue"]["total"] == 3
    assert [f["purpose"] for f in data["today"]["items"]] == ["Handwritten thank-you"]


def test_an_empty_section_says_so(alice) -> None:
    assert "Overdue: nothing." in agenda("--user", alice.email)


def test_it_refuses_an_unknown_user_and_a_bad_date(alice) -> None:
    with pytest.raises(CommandError, match="No active user with the email nobody@example.com"):
        agenda("--user", "nobody@example.com")
    with pytest.raises(CommandError, match="is not a date; use YYYY-MM-DD"):
        agenda("--user", alice.email, "--date", "23/11/2026")


def test_it_asks_which_workspace_when_there_are_several(alice, charlie) -> None:
    with pytest.raises(CommandError, match="several workspaces .*--workspace ID"):
        agenda()
    assert "Charlie" in agenda("--workspace", str(charlie.workspace_id))
