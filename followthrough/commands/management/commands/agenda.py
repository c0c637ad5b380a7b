"""`followthrough agenda`: overdue, today and the next 7 days, as an aligned table or JSON.

Days are counted in the reader's time zone (the user's, else the workspace's). `--date D` shows
the agenda as it looks on day D at 12:00 in that time zone: "overdue" is due before D, "today"
is due on D.
"""

import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from followthrough.accounts.models import Role, User, Workspace
from followthrough.activity.models import FollowUp
from followthrough.activity.selectors import AGENDA_LIMIT, Agenda, agenda_get
from followthrough.commands.management.commands._common import (
    iso_date,
    user_by_email,
    workspace_by_id_or_only,
)
from followthrough.core.channels import TOUCH_LABELS, TouchChannel

COLUMNS = ("DUE", "CONTACT", "TIER", "CHANNEL", "PURPOSE", "ASSIGNEE")
WIDEST = {"CONTACT": 28, "PURPOSE": 50, "ASSIGNEE": 20}


class Command(BaseCommand):
    help = "Print the agenda: overdue, today and the next 7 days, ordered by tier then lateness."
    # The agenda should answer at once; checks are for serve and migrate.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--user", metavar="EMAIL",
                            help="Whose agenda (default: the workspace's owner, if only one).")
        parser.add_argument("--team", action="store_true", help="The whole team's follow-ups.")
        parser.add_argument("--date", metavar="YYYY-MM-DD",
                            help="As of that day (at 12:00 in the reader's time zone).")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="JSON with stable keys and ISO 8601 times.")
        parser.add_argument("--workspace", type=int, metavar="ID",
                            help="Which workspace, when there are several.")
        parser.add_argument("--limit", type=int, default=AGENDA_LIMIT,
                            help=f"Rows per section at most (default {AGENDA_LIMIT}).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = iso_date(options["date"]) if options["date"] else None
        try:
            reader, workspace = _reader(options["user"], options["workspace"], options["team"])
            tz_name = reader.local_timezone if reader else workspace.timezone
            now = _as_of(day, tz_name)
            agenda = agenda_get(workspace=workspace, user=None if options["team"] else reader,
                                now=now, tz_name=tz_name, limit=max(1, options["limit"]))
            if options["as_json"]:
                self.stdout.write(json.dumps(_as_json(agenda, reader, options["team"], now),
                                             indent=2, ensure_ascii=False))
            else:
                self.stdout.write(_as_table(agenda, reader, workspace, options["team"]))
        except DatabaseError as error:
            raise CommandError(
                f"Cannot read the database ({error}). A new data folder is set up by "
                "`followthrough serve` or `followthrough createuser`."
            ) from None


def _reader(
    email: str | None, workspace_id: int | None, team: bool
) -> tuple[User | None, Workspace]:
    """Whose agenda it is (None: the team, read in the workspace's time zone)."""
    if email:
        user = user_by_email(email)
        if workspace_id is not None and user.workspace_id != workspace_id:
            raise CommandError(f"{user.email} is in workspace {user.workspace_id}, "
                               f"not {workspace_id}.")
        return user, user.workspace
    workspace = workspace_by_id_or_only(workspace_id)
    if team:
        return None, workspace
    members = User.objects.filter(workspace=workspace, is_active=True).order_by("pk")
    owners = list(members.filter(role=Role.OWNER)[:10]) or list(members[:10])
    if len(owners) != 1:
        listed = ", ".join(u.email for u in owners) or "nobody yet"
        raise CommandError(f"Whose agenda? Pass --user EMAIL ({listed}) or --team.")
    return owners[0], workspace


def _as_of(day: dt.date | None, tz_name: str) -> dt.datetime:
    if day is None:
        return timezone.now()
    # Midday is safely inside the day whatever daylight saving does at night.
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(tz_name))


def _as_json(agenda: Agenda, reader: User | None, team: bool, now: dt.datetime) -> dict[str, Any]:
    tz = ZoneInfo(agenda.timezone)
    result: dict[str, Any] = {
        "as_of": now.astimezone(tz).isoformat(),
        "day": agenda.day.isoformat(),
        "timezone": agenda.timezone,
        "user": reader.email if reader else None,
        "team": team,
    }
    for key, _title, section in agenda.sections:
        result[key] = {"total": section.total,
                       "items": [_json_row(f, tz) for f in section.followups]}
    return result


def _json_row(followup: FollowUp, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": followup.pk,
        "due_at": followup.due_at.astimezone(tz).isoformat(),
        "contact_id": followup.contact_id,
        "contact": followup.contact.name,
        "tier": followup.contact.tier or None,
        "channel": followup.channel,
        "purpose": followup.purpose,
        "assignee": followup.assignee.email if followup.assignee else None,
        "status": followup.status,
        "origin": followup.origin,
    }


def _as_table(agenda: Agenda, reader: User | None, workspace: Workspace, team: bool) -> str:
    tz = ZoneInfo(agenda.timezone)
    whose = f"{reader} <{reader.email}>" if reader and not team else f"the team of {workspace}"
    lines = [f"Agenda for {whose} — {agenda.day:%A %d %B %Y} ({agenda.timezone})"]
    rows = {key: [_cells(f, tz, agenda.day.year) for f in s.followups]
            for key, _t, s in agenda.sections}
    widths = _widths([r for section in rows.values() for r in section])
    for key, title, section in agenda.sections:
        lines.append("")
        if not section.total:
            lines.append(f"{title}: nothing.")
            continue
        lines.append(f"{title} ({section.total})")
        lines.append(_line(COLUMNS, widths))
        lines += [_line(cells, widths) for cells in rows[key]]
        if section.more:
            lines.append(f"  … and {section.more} more (see the web agenda, or raise --limit)")
    return "\n".join(lines)


def _cells(followup: FollowUp, tz: ZoneInfo, this_year: int) -> tuple[str, ...]:
    contact = followup.contact
    due = followup.due_at.astimezone(tz)
    return (
        f"{due:%a %d %b %H:%M}" if due.year == this_year else f"{due:%a %d %b %Y %H:%M}",
        _clip(contact.name, WIDEST["CONTACT"]),
        contact.tier or "—",
        TOUCH_LABELS.get(TouchChannel(followup.channel), followup.channel),
        _clip(followup.purpose, WIDEST["PURPOSE"]),
        _clip(str(followup.assignee) if followup.assignee else "—", WIDEST["ASSIGNEE"]),
    )


def _widths(rows: list[tuple[str, ...]]) -> list[int]:
    return [max(len(c) for c in column) for column in zip(COLUMNS, *rows, strict=True)]


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
