"""`followthrough restore`: put data back.

followthrough restore FILE [--force]
    Replace the whole SQLite database with a backup made by `followthrough backup`. The file
    is checked first (SQLite integrity check, Followthrough tables). Stop `serve` and
    `worker` before: when the database looks in use the command refuses unless --force.
followthrough restore --json FILE --workspace-name NAME
    Read a workspace export (`followthrough export workspace`) into a NEW workspace.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from followthrough.commands.management.commands._common import migrate_if_needed, one_line
from followthrough.transfer.backup import (
    POSTGRES_HELP,
    BackupError,
    database_maybe_in_use,
    database_restore,
    is_sqlite,
)
from followthrough.transfer.workspace_json import workspace_import_json


class Command(BaseCommand):
    help = "Restore a database backup, or import a workspace export (--json) as a new workspace."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", metavar="FILE", help="A backup to restore.")
        parser.add_argument("--json", metavar="FILE", help="A workspace export to import.")
        parser.add_argument(
            "--workspace-name", metavar="NAME", help="With --json: the new workspace's name."
        )
        parser.add_argument(
            "--force", action="store_true", help="Restore even though the database looks in use."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"]:
            self._workspace(Path(options["json"]), options["workspace_name"])
        elif options["file"]:
            self._database(Path(options["file"]), force=options["force"])
        else:
            raise CommandError("Give a backup FILE, or --json FILE --workspace-name NAME.")

    def _database(self, source: Path, *, force: bool) -> None:
        if not is_sqlite():
            raise CommandError(POSTGRES_HELP)
        if database_maybe_in_use() and not force:
            raise CommandError(
                "The database looks in use (its -wal file exists): stop `followthrough serve` "
                "and `followthrough worker` first. If nothing is running (say, after a crash), "
                "run again with --force."
            )
        try:
            info = database_restore(source=source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        migrate_if_needed(self.stdout)  # a backup from an older version catches up
        self.stdout.write(
            f"Restored {info.path}: {info.workspaces} workspaces, "
            f"{info.contacts:,} contacts (last migration {info.last_migration})."
        )

    def _workspace(self, source: Path, name: str | None) -> None:
        if not name or not name.strip():
            raise CommandError("Give the new workspace a name: --workspace-name NAME.")
        if not source.is_file():
            raise CommandError(f"No file {source}.")
        migrate_if_needed(self.stdout)
        try:
            with source.open(encoding="utf-8") as file:
                report = workspace_import_json(file=file, name=name)
        except ValidationError as error:
            raise CommandError(one_line(error)) from None
        total = sum(report.rows.values())
        self.stdout.write(
            f"New workspace {report.workspace.pk} “{report.workspace.name}”: "
            f"{total:,} rows imported."
        )
        if report.skipped_users:
            self.stdout.write(
                "These users already exist on this server and were left out "
                "(their contacts and follow-ups are unassigned): " + ", ".join(report.skipped_users)
            )
        self.stdout.write(
            "Imported users have no password yet: set one with "
            "`DJANGO_SETTINGS_MODULE=followthrough.settings django-admin "
            "changepassword EMAIL`."
        )
