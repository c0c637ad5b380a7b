"""Writing many rows of one model fast: the demo and benchmark books, contact imports, and the
engine's and the event ingestion's hot paths.

bulk_create spends about ten microseconds per value compiling SQL and building model instances;
for a hundred thousand imported contacts or tens of thousands of planned follow-ups that is most
of the time (bench/README.md). A `Table` takes plain tuples, converts only the values that need
it with the backend's own adapters (the same ones Django uses), and sends either one
`executemany` or multi-row INSERTs with RETURNING, which SQLite ≥ 3.35 and PostgreSQL both
support, so the new ids come back in order (the guarantee bulk_create itself relies on).
Like bulk_create it runs no `full_clean` and sends no signals: callers pass checked values.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, models

Converter = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _utc_text(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime when USE_TZ is on and the
    connection's zone is UTC (adapt_datetimefield_value: make_naive, then str), without its
    checks, which took most of the time of writing a million rows."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _datetime_converter() -> Converter:
    if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC":
        return _utc_text
    return connection.ops.adapt_datetimefield_value


def _converter(field: "models.Field[Any, Any]") -> Converter:
    """How a value of `field` is handed to the driver: the backend adapter Django itself ends up
    calling (values are already of the right type, and datetimes aware)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return _datetime_converter()
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.DecimalField):
        return partial(
            ops.adapt_decimalfield_value,
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
        )
    if isinstance(field, models.JSONField):
        return partial(field.get_db_prep_save, connection=connection)
    return _same


class Table:
    """Inserts into `model`'s table.

    `columns`: the fields each row gives, in order, by name or attname ("contact" or
    "contact_id"). `fixed`: values shared by every row for some other fields. Any other column
    gets its model default if it has one, NULL if nullable, "" if it is text that may be blank;
    any other column must be given, so nothing required is filled in silently (auto_now fields
    included: say which moment).
    `ready`: given columns whose values are already in the database's form (JSON text)."""

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        fixed: Mapping[str, Any] | None = None,
        ready: Sequence[str] = (),
    ) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        lookup = {f.name: f for f in fields} | {f.attname: f for f in fields}
        fixed = dict(fixed or {})
        unknown = (set(columns) | set(fixed) | set(ready)) - set(lookup)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        named = [lookup[name] for name in columns]
        pinned = {lookup[name]: value for name, value in fixed.items()}
        others = [f for f in fields if f not in named and f not in pinned]
        # Text that may be blank defaults to "" as in a form; anything else needs a value.
        required = [
            f.name
            for f in others
            if not (f.null or f.has_default() or (f.blank and f.empty_strings_allowed))
        ]
        if required:
            raise ValueError(f"{model.__name__}: no value for {required}")
        self.width = len(named)
        self.tail = tuple(
            [_converter(f)(v) if v is not None else None for f, v in pinned.items()]
            + [f.get_db_prep_save(f.get_default(), connection) for f in others]
        )
        ready_fields = {lookup[name] for name in ready}
        # (column position, converter) for the given columns whose values need one.
        self.converters = [
            (i, c)
            for i, c in enumerate(_same if f in ready_fields else _converter(f) for f in named)
            if c is not _same
        ]
        qn = connection.ops.quote_name
        all_fields = [*named, *pinned, *others]
        columns_sql = ", ".join(qn(str(f.column)) for f in all_fields)
        # Table and column names come from the model's metadata, values go as parameters.
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({columns_sql}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * len(all_fields)) + ")"
        self.returning = f" RETURNING {qn(str(model._meta.pk.column))}"
        limit = connection.features.max_query_params or 30_000
        self.per_statement = max(1, min(1_000, limit // len(all_fields)))

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """Write the rows; returns their new ids in the same order."""
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.per_statement):
                batch = rows[start : start + self.per_statement]
                sql = self.head + ", ".join([self.one] * len(batch)) + self.returning
                cursor.execute(sql, [value for row in self._rows(batch) for value in row])
                ids += [row[0] for row in cursor.fetchall()]
        return ids

    def insert_many(
        self, rows: Iterable[tuple[Any, ...]], *, ignore_conflicts: bool = False
    ) -> None:
        """Write the rows with one executemany, when their ids are not needed. With
        ignore_conflicts, a row that would break a unique constraint is left out
        (`ON CONFLICT DO NOTHING`: SQLite ≥ 3.24 and PostgreSQL)."""
        sql = self.head + self.one + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(self._rows(rows)))

    def _rows(self, rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        tail, converters, width = self.tail, self.converters, self.width
        for row in rows:
            if len(row) != width:
                raise ValueError(f"Each row needs {width} values.")
            if not converters:
                yield (*row, *tail)
                continue
            values = list(row)
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            yield (*values, *tail)
