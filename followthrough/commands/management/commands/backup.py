"""`followthrough backup [--output FILE]`: a consistent copy of the SQLite database, taken with
SQLite's online backup API (safe while the app serves). Default file:
DATA_DIR/backups/followthrough-<UTC time>.sqlite3. On PostgreSQL it explains pg_dump."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followthrough.transfer.backup import (
    BackupError,
    backup_default_path,
    database_backup,
)


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup) to a file."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write (default DATA_DIR/backups/<time>.sqlite3).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["output"]) if options["output"] else None
        try:
            info = database_backup(target=target or backup_default_path(now=timezone.now()))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backup written to {info.path} ({info.workspaces} workspaces, "
            f"{info.contacts:,} contacts; integrity check ok)."
        )
