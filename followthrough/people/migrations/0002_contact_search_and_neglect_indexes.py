"""Indexes for the two reads the benchmark found slow at 100,000 contacts (bench/README.md).

- contact_neglect: the neglected report counts clients by tier, cadence and last touch; with all
  its columns in one index the count never reads the table (98 ms → 16 ms).
- On SQLite only, contact_by_name also carries search_text: the search box's LIKE '%…%' is then
  checked inside the index, in name order, and only matching rows are read (a phone number
  search 150 ms → 12 ms). Not on PostgreSQL, where a B-tree over free text can exceed its
  2.7 kB row limit and refuse a contact with very many tags; substring search there is pg_trgm's
  job. The index keeps its name, so later migrations that touch it work on both databases.
"""

from collections.abc import Callable

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NARROW = ('CREATE INDEX "contact_by_name" ON "people_contact" '
          '("workspace_id", "last_name", "first_name"')
WIDE = NARROW + ', "search_text")'
NARROW += ")"


def _rebuild(create: str) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def rebuild(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "contact_by_name"')
        schema_editor.execute(create)
    return rebuild


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["workspace", "stage", "tier", "cadence_days", "last_touched_at",
                        "created_at"],
                name="contact_neglect",
            ),
        ),
        migrations.RunPython(_rebuild(WIDE), _rebuild(NARROW), elidable=False),
    ]
