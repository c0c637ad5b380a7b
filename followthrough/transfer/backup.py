"""Backup and restore of the embedded SQLite database (DESIGN C7).

Both use SQLite's online backup API (sqlite3.Connection.backup): it copies the database page by
page inside SQLite, so a backup taken while the app is serving is consistent (a plain file copy
of a WAL database can miss the pages still in the -wal file). On PostgreSQL the tools are
pg_dump / pg_restore; `POSTGRES_HELP` says how.
"""

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection

# Tables every Followthrough database has: a file without them is some other SQLite database.
REQUIRED_TABLES = frozenset(
    {"django_migrations", "accounts_workspace", "accounts_user", "people_contact"}
)

POSTGRES_HELP = """\
This installation uses PostgreSQL: back it up with PostgreSQL's own tools, e.g.
  pg_dump --format=custom --file=followthrough.dump "$FOLLOWTHROUGH_DATABASE_URL"
and restore into an empty database with
  pg_restore --clean --if-exists --no-owner -d "$FOLLOWTHROUGH_DATABASE_URL" followthrough.dump
(see README, "Backup and restore")."""


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, for the command line."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    workspaces: int
    contacts: int
    last_migration: str


def is_sqlite() -> bool:
    return bool(connection.vendor == "sqlite")


def database_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def backup_default_path(*, now: datetime) -> Path:
    """DATA_DIR/backups/followthrough-20261123-140000.sqlite3 (UTC, so names sort by time)."""
    return Path(settings.DATA_DIR) / "backups" / f"followthrough-{now:%Y%m%d-%H%M%S}.sqlite3"


def database_backup(*, target: Path) -> BackupInfo:
    """Copy the live database to `target` (a new file) and check the copy."""
    if not is_sqlite():
        raise BackupError(POSTGRES_HELP)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # The copy inherits WAL mode; a backup is one self-contained file, so switch it back to
        # a rollback journal (readers of the file then leave no -wal / -shm beside it).
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    return backup_check(path=target)


def backup_check(*, path: Path) -> BackupInfo:
    """What a backup file holds, after SQLite's integrity check; BackupError when it is not a
    sound Followthrough database."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        with _read_only(path) as db:
            return _inspect(db, path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None


class _read_only:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *_: object) -> None:
        self.db.close()


def _inspect(db: sqlite3.Connection, path: Path) -> BackupInfo:
    result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if missing := REQUIRED_TABLES - tables:
        raise BackupError(
            f"{path} is not a Followthrough database (no {', '.join(sorted(missing))} table)."
        )
    last = db.execute("SELECT app || '.' || name FROM django_migrations ORDER BY id DESC LIMIT 1")
    return BackupInfo(
        path=path,
        workspaces=db.execute("SELECT count(*) FROM accounts_workspace").fetchone()[0],
        contacts=db.execute("SELECT count(*) FROM people_contact").fetchone()[0],
        last_migration=(last.fetchone() or ("none",))[0],
    )


def database_maybe_in_use() -> bool:
    """True when another process may have the database open: SQLite keeps the -wal file while
    any connection is open (and after a crash, until the next open). Call before this process
    opens the database itself."""
    return Path(f"{database_path()}-wal").exists()


def database_restore(*, source: Path) -> BackupInfo:
    """Replace the live database's content with the backup at `source` (checked first). Open
    connections of other processes see the restored pages; stop the server and worker anyway,
    or a write in flight may land on the old or the new data."""
    if not is_sqlite():
        raise BackupError(POSTGRES_HELP)
    info = backup_check(path=source)
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    with _read_only(source) as backup:
        backup.backup(connection.connection)
    connection.close()  # the next query opens a fresh connection on the restored pages
    return info
