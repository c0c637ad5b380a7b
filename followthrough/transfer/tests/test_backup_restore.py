"""`followthrough backup` / `restore`: a round trip brings the data back as it was at backup."""

import io
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from followthrough.people.models import Contact
from followthrough.people.services import contact_update

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup API")


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_it_restores_the_data_as_it_was_at_backup(make_contact, tmp_path: Path) -> None:
    dana = make_contact("Dana", "Rider", email="dana@example.com")
    target = tmp_path / "backup.sqlite3"
    out = io.StringIO()
    call_command("backup", "--output", str(target), stdout=out)
    assert "integrity check ok" in out.getvalue()

    contact_update(contact=dana, fields={"first_name": "Changed"})
    make_contact("After", "Backup")
    with pytest.raises(CommandError, match="looks in use"):
        call_command("restore", str(target))  # our own test connection keeps the -wal file
    call_command("restore", str(target), "--force", stdout=io.StringIO())

    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Dana"]
    assert Contact.objects.get().emails.get().email == "dana@example.com"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_it_writes_a_timestamped_file_in_the_data_folder(settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    call_command("backup", stdout=io.StringIO())
    [made] = (tmp_path / "backups").iterdir()
    assert made.name.startswith("followthrough-") and made.suffix == ".sqlite3"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_file_that_is_not_a_followthrough_database(
    make_contact, tmp_path: Path
) -> None:
    make_contact("Dana", "Rider")
    stranger = tmp_path / "other.sqlite3"
    with sqlite3.connect(stranger) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all " * 100)

    with pytest.raises(CommandError, match="not a Followthrough database"):
        call_command("restore", str(stranger), "--force")
    with pytest.raises(CommandError, match="not a SQLite database"):
        call_command("restore", str(text), "--force")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), "--force")
    assert Contact.objects.filter(first_name="Dana").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db
def test_it_explains_pg_dump_on_postgresql(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", "--output", str(tmp_path / "x.sqlite3"))
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", str(tmp_path / "x.sqlite3"))
