"""Writing many rows of one model fast, for the engine's and the ingestion's hot paths.

`bulk_create` prepares every value of every row through the field API and builds a model
instance per row; for tens of thousands of follow-ups that costs four times the planning itself
(bench/README.md). A RowWriter works out once per batch how each column is adapted and what the
fields the caller leaves out hold (their defaults, `auto_now` → now), then sends plain tuples.
It skips `full_clean` and signals, like `bulk_create`: callers pass values they have checked.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

# Rows per INSERT … RETURNING statement: well under SQLite's 32,766 and PostgreSQL's 65,535
# parameters for the widest of our tables.
RETURNING_CHUNK = 500


class RowWriter:
    """Insert rows of `model` given as tuples of the `given` fields (attnames, e.g. contact_id),
    in that order. Every other concrete field gets its default."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [name for name in given if name not in by_attname]
        if unknown:
            raise ValueError(f"{meta.label} has no field {', '.join(unknown)}")
        now = self.now = timezone.now()  # what auto_now and auto_now_add fields get
        self.table = meta.db_table
        self.adapters = [_adapter(by_attname[name]) for name in given]
        rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
        self.columns = [by_attname[name].column for name in given] + [f.column for f in rest]
        self.defaults = tuple(f.get_db_prep_save(_default(f, now), connection) for f in rest)

    def _row(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return (
            *(
                adapt(v) if v is not None else None
                for adapt, v in zip(self.adapters, values, strict=True)
            ),
            *self.defaults,
        )

    def insert(self, rows: Iterable[Sequence[Any]], *, ignore_conflicts: bool = False) -> None:
        """One executemany. With ignore_conflicts, a row that would break a unique constraint is
        left out (`ON CONFLICT DO NOTHING`: SQLite ≥ 3.24 and PostgreSQL)."""
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608 - our names
        if ignore_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [self._row(r) for r in rows])

    def insert_returning_ids(self, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert and return the new ids in the rows' order: multi-row INSERT … RETURNING, the
        statement (and the ordering guarantee) bulk_create itself relies on."""
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        one = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), RETURNING_CHUNK):
                chunk = rows[start : start + RETURNING_CHUNK]
                sql = (
                    f"INSERT INTO {self.table} ({columns}) VALUES "  # noqa: S608 - our names
                    f"{', '.join([one] * len(chunk))} RETURNING id"
                )
                cursor.execute(sql, [value for row in chunk for value in self._row(row)])
                ids += [row[0] for row in cursor.fetchall()]
        return ids


def _default(field: "models.Field[Any, Any]", now: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _adapter(field: "models.Field[Any, Any]") -> Callable[[Any], Any]:
    """How a given value becomes a database parameter, chosen once per column."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(field, models.ForeignKey | models.CharField | models.TextField):
        return lambda value: value  # ids and text go to the driver as they are
    return lambda value: field.get_db_prep_save(value, connection)
