"""Fast inserts for generated rows.

bulk_create spends about ten microseconds per value compiling SQL and building model instances;
at benchmark size (a million interactions, eleven columns each) that is most of the run. A `Table`
takes plain tuples, converts only the values that need it with the backend's own adapters (the
same ones Django uses), and sends multi-row INSERTs with RETURNING, which SQLite ≥ 3.35 and
PostgreSQL both support, so the new ids come back in order.
"""

from collections.abc import Callable, Sequence
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
    if (connection.vendor == "sqlite" and settings.USE_TZ
            and connection.timezone_name == "UTC"):
        return _utc_text
    return connection.ops.adapt_datetimefield_value


def _converter(field: "models.Field[Any, Any]") -> Converter:
    """How a value of `field` is handed to the driver: the backend adapter Django itself ends up
    calling (generated values are already of the right type, and datetimes aware)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return _datetime_converter()
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.DecimalField):
        return partial(ops.adapt_decimalfield_value, max_digits=field.max_digits,
                       decimal_places=field.decimal_places)
    if isinstance(field, models.JSONField):
        return partial(field.get_db_prep_save, connection=connection)
    return _same


class Table:
    """Inserts into `model`'s table. Columns not named get their model default, if they have
    one or are nullable (columns added later by other apps); any other column must be named, so
    nothing required is filled in silently (auto_now fields included: generated rows carry
    their own dates)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str],
                 ready: Sequence[str] = ()) -> None:
        """`ready`: columns whose values are already in the database's form (JSON text)."""
        concrete = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = set(columns) - set(concrete)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        named = [concrete[name] for name in columns]
        others = [f for name, f in concrete.items() if name not in columns]
        required = [f.name for f in others if not (f.null or f.has_default())]
        if required:
            raise ValueError(f"{model.__name__}: no value for {required}")
        self.width = len(named)
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
        fields = named + others
        # (column position, converter) for the columns whose values need one.
        self.converters = [(i, c) for i, c in enumerate(
            _same if f.name in ready else _converter(f) for f in named) if c is not _same]
        qn = connection.ops.quote_name
        columns_sql = ", ".join(qn(str(f.column)) for f in fields)
        # Table and column names come from the model's metadata, values go as parameters.
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({columns_sql}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.returning = f" RETURNING {qn(str(model._meta.pk.column))}"
        limit = connection.features.max_query_params or 30_000
        self.per_statement = max(1, min(1_000, limit // len(fields)))

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> list[int]:
        """Write the rows; returns their new ids in the same order."""
        if any(len(row) != self.width for row in rows):
            raise ValueError(f"Each row needs {self.width} values.")
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.per_statement):
                batch = rows[start:start + self.per_statement]
                sql = self.head + ", ".join([self.one] * len(batch)) + self.returning
                cursor.execute(sql, self._params(batch))
                ids += [row[0] for row in cursor.fetchall()]
        return ids

    def _params(self, batch: Sequence[tuple[Any, ...]]) -> list[Any]:
        defaults = self.defaults
        if not self.converters:
            return [value for row in batch for value in (*row, *defaults)]
        params: list[Any] = []
        for row in batch:
            values = [*row, *defaults]
            for i, convert in self.converters:
                values[i] = convert(values[i])
            params += values
        return params
