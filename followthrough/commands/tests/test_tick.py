from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from followthrough.activity.models import PENDING
from followthrough.commands.management.commands.tick import as_of
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.people.models import Contact, ImportantDate


def tick(*args: str) -> str:
    out = StringIO()
    call_command("tick", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dana(contact) -> Contact:
    """A gold client (30-day cadence) untouched for 45 days on NOW, with a birthday in 4 days."""
    Contact.objects.filter(pk=contact.pk).update(
        last_touched_at=NOW - timedelta(days=45), created_at=NOW - timedelta(days=800)
    )
    ImportantDate.objects.create(contact=contact, kind="birthday", month=11, day=27)
    return contact


def test_it_derives_events_plans_follow_ups_and_says_so(dana) -> None:
    output = tick("--as-of", "2026-11-23")
    assert output.splitlines() == [
        "Tick as of 2026-11-23T12:00:00+00:00 (every workspace):",
        "  derived 2 events: 1 contact past their cadence, 1 date coming up, 0 missed purchases",
        "  evaluated 2 events; planned 2 follow-ups",
    ]
    purposes = sorted(f.purpose for f in dana.followups.filter(status__in=PENDING))
    assert purposes[0].startswith("Birthday card for Dana")
    # 12:00 UTC is two hours before NOW: 44 whole days untouched.
    assert purposes[1].startswith("Check in with Dana after 44 days")


def test_running_it_twice_for_the_same_moment_creates_nothing(dana) -> None:
    tick("--as-of", "2026-11-23")
    events, followups = Event.objects.count(), dana.followups.count()
    again = tick("--as-of", "2026-11-23")
    assert "derived 0 events" in again and "evaluated 0 events; planned 0 follow-ups" in again
    assert (Event.objects.count(), dana.followups.count()) == (events, followups)


def test_it_evaluates_events_left_unprocessed(workspace, dana) -> None:
    event_record(workspace=workspace, item=EventInput(
        type="service.interaction", occurred_at=NOW, source="shop",
        contact=ContactRef(id=dana.pk), external_id="visit-1",
    ))
    assert "evaluated 3 events" in tick("--as-of", "2026-11-23T14:00:00Z")
    assert Event.objects.filter(processed_at__isnull=True).count() == 0


def test_it_runs_for_one_workspace(workspace, other_workspace, dana) -> None:
    assert "derived 0 events" in tick("--as-of", "2026-11-23", "--workspace",
                                      str(other_workspace.pk))
    output = tick("--as-of", "2026-11-23", "--workspace", str(workspace.pk))
    assert output.startswith(f"Tick as of 2026-11-23T12:00:00+00:00 (workspace {workspace.pk} "
                             "“Spoke & Chain Cycles”)")
    assert "derived 2 events" in output


@pytest.mark.parametrize(("value", "moment"), [
    ("2026-12-01", datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
    ("2026-12-01T08:30:00-05:00", datetime(2026, 12, 1, 13, 30, tzinfo=UTC)),
    ("2026-12-01T08:30", datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
])
def test_as_of_reads_a_date_as_midday_utc(value, moment) -> None:
    assert as_of(value) == moment


def test_a_bad_as_of_or_workspace_is_one_clear_line(db) -> None:
    with pytest.raises(CommandError, match="“2026-13-01” is not a date or time"):
        tick("--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="No workspace with the id 999"):
        tick("--workspace", "999")


def test_the_command_line_says_what_is_wrong_in_one_line(tmp_path) -> None:
    from followthrough.commands.tests.test_cli import run

    result = run("tick", "--as-of", "tomorrow", data_dir=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "CommandError: “tomorrow” is not a date or time; use YYYY-MM-DD or "
        "YYYY-MM-DDTHH:MM[+HH:MM]."
    ]
    fresh = run("tick", data_dir=tmp_path)
    assert fresh.returncode == 1 and "followthrough createuser" in fresh.stderr
