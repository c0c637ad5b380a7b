"""`followthrough tick`: run the engine once, as the worker does every five minutes.

It turns the passing of time into events (a contact past their cadence, a birthday or client
anniversary coming up, a regular buyer who missed their rhythm), then evaluates every event not
yet evaluated. Running it twice for the same moment creates nothing new.

`--as-of 2026-12-01` runs it as of that day at 12:00 UTC (midday keeps the day the same in every
time zone from UTC-11 to UTC+11); `--as-of 2026-12-01T08:30:00-05:00` as of that exact moment (a
time without an offset is read as UTC).
"""

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.activity.models import FollowUp
from followthrough.playbooks.engine import TickReport, engine_tick

MIDDAY = dt.time(12, 0)


def as_of(value: str) -> dt.datetime:
    """The moment `--as-of` names (see the module docstring)."""
    try:
        if len(value.strip()) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(value), MIDDAY, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"“{value}” is not a date or time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[+HH:MM]."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Run the engine once: derive time-based events, then evaluate every pending event."
    # Run from cron or by hand: it should start at once; checks are for serve and migrate.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", metavar="DATE|DATETIME",
                            help="As of that moment (a date means 12:00 UTC that day); "
                            "default now.")
        parser.add_argument("--workspace", type=int, metavar="ID",
                            help="Only this workspace (default: every workspace).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = as_of(options["as_of"]) if options["as_of"] else timezone.now()
        try:
            workspace = _workspace(options["workspace"])
            planned_before = _followups(workspace)
            report = engine_tick(now=now, workspace=workspace)
            planned = _followups(workspace) - planned_before
        except DatabaseError as error:
            raise CommandError(
                f"Cannot read the database ({error}). A new data folder is set up by "
                "`followthrough serve` or `followthrough createuser`."
            ) from None
        self.stdout.write(_summary(report, now, workspace, planned))


def _workspace(workspace_id: int | None) -> Workspace | None:
    if workspace_id is None:
        return None
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        raise CommandError(f"No workspace with the id {workspace_id}.")
    return workspace


def _followups(workspace: Workspace | None) -> int:
    rows = FollowUp.objects.all()
    return (rows.filter(workspace=workspace) if workspace else rows).count()


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _summary(report: TickReport, now: dt.datetime, workspace: Workspace | None,
             planned: int) -> str:
    scope = f"workspace {workspace.pk} “{workspace.name}”" if workspace else "every workspace"
    return "\n".join([
        f"Tick as of {now.isoformat()} ({scope}):",
        f"  derived {_plural(report.derived, 'event', 'events')}: "
        f"{_plural(report.neglected, 'contact past their cadence', 'contacts past their cadence')}"
        f", {_plural(report.dates, 'date coming up', 'dates coming up')}"
        f", {_plural(report.missed, 'missed purchase', 'missed purchases')}",
        f"  evaluated {_plural(report.processed, 'event', 'events')}; "
        f"planned {_plural(planned, 'follow-up', 'follow-ups')}",
    ])
