"""The whole workspace as one JSON file, and that file back as a NEW workspace (DESIGN C7).

The tables are found by introspection, not listed by hand: every model of a Followthrough app
that belongs to a workspace (a `workspace` foreign key, or a foreign key to a model that has one,
like an important date through its contact) is written, so a table added next month is in the
export without anyone remembering to add it here. Foreign keys are written as the old ids and
remapped on import, because the new workspace lives beside others in the same database.

Left out on purpose: password hashes, API tokens and webhook signing secrets (credentials that
must not travel in a file), and the rate-limit counters (not workspace data).
"""

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, cast
from uuid import UUID

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction

from followthrough.accounts.models import User, Workspace

FORMAT = "followthrough-workspace"
VERSION = 1
CHUNK = 5000
EXCLUDED = frozenset(
    {
        "accounts.apitoken",
        "accounts.ratelimit",
        "events.integration",
        # An import's undo records hold contact ids inside numbers and JSON, which cannot be
        # remapped; in the new workspace the imports are history (job and rows), not undoable.
        "transfer.importcreated",
        "transfer.importchange",
    }
)
# Ids kept inside JSON columns: (table, column, key) → the table the ids belong to.
JSON_IDS = {("outreach.segment", "filters", "owners"): "accounts.user"}
# Fields never exported: credentials, and a secret that names the workspace in reply addresses.
SECRET_FIELDS = frozenset({"accounts.user.password", "accounts.workspace.inbound_token"})
# Workspace columns the new workspace does not take from the file (its id, its name is given).
WORKSPACE_SKIP = frozenset({"id", "name", "inbound_token", "created_at"})


# ---------------------------------------------------------------- which tables, in which order


def model_of(key: Any) -> type[models.Model]:
    """The model a key or relation points to (typed loosely by django-stubs, which also allows
    the string "self"; resolved to a class once the apps are loaded)."""
    return cast(type[models.Model], key.related_model)


def _through(m2m: Any) -> type[models.Model]:
    return cast(type[models.Model], m2m.remote_field.through)


def _is_ours(model: type[models.Model]) -> bool:
    return model.__module__.startswith("followthrough.") and not model._meta.auto_created


def _fks(model: type[models.Model]) -> list["models.ForeignKey[Any, Any]"]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def workspace_lookup(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its workspace ("workspace", "contact__workspace"), or None
    when its rows belong to no workspace."""
    for fk in _fks(model):
        if model_of(fk) is Workspace:
            return fk.name
    for fk in _fks(model):
        target = model_of(fk)
        if target is not model and any(model_of(f) is Workspace for f in _fks(target)):
            return f"{fk.name}__workspace"
    return None


def workspace_tables() -> list[type[models.Model]]:
    """The models holding workspace data, each after every model its required keys point to
    (nullable keys to later tables, and a table's keys to itself, are set in a second pass)."""
    candidates = [
        m
        for m in apps.get_models()
        if _is_ours(m)
        and m is not Workspace
        and m._meta.label_lower not in EXCLUDED
        and workspace_lookup(m) is not None
    ]
    ordered: list[type[models.Model]] = []
    pending = sorted(candidates, key=lambda m: m._meta.label_lower)
    while pending:
        ready = [
            m
            for m in pending
            if all(
                fk.null or model_of(fk) in ordered or model_of(fk) in (m, Workspace)
                for fk in _fks(m)
            )
        ]
        if not ready:
            raise RuntimeError(f"Foreign keys in a cycle: {[m._meta.label for m in pending]}")
        # Among the ready ones, prefer those whose optional keys are satisfied too, so fewer
        # keys wait for the second pass.
        ready.sort(
            key=lambda m: sum(model_of(fk) in pending and model_of(fk) is not m for fk in _fks(m))
        )
        ordered.append(ready[0])
        pending.remove(ready[0])
    return ordered


def _columns(model: type[models.Model]) -> list["models.Field[Any, Any]"]:
    label = model._meta.label_lower
    return [f for f in model._meta.concrete_fields if f"{label}.{f.name}" not in SECRET_FIELDS]


def _m2m(model: type[models.Model]) -> list["models.ManyToManyField[Any, Any]"]:
    return [f for f in model._meta.local_many_to_many if _through(f)._meta.auto_created]


# ---------------------------------------------------------------- export


def plain_value(value: Any) -> Any:
    """A column's value as JSON can hold it (times as ISO 8601, decimals as strings, bytes as
    base64, which BinaryField.to_python reads back)."""
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


# Column types whose values JSON cannot hold as they are; every other column is copied as is
# (checking each cell's type instead costs a quarter of the export's time).
NEEDS_PLAIN = (
    models.BinaryField,
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
)


def _rows(model: type[models.Model], workspace: Workspace) -> Iterator[dict[str, Any]]:
    columns = _columns(model)
    names = [f.attname for f in columns]
    plain = [f.attname for f in columns if isinstance(f, NEEDS_PLAIN)]
    queryset = model._base_manager.filter(**{workspace_lookup(model) or "": workspace}).order_by(
        "pk"
    )
    m2m, pk = _m2m(model), names.index(model._meta.pk.attname)
    for first, last in _pk_chunks(queryset):
        chunk = list(queryset.filter(pk__gte=first, pk__lte=last).values_list(*names))
        links = {f.name: _links(f, [row[pk] for row in chunk]) for f in m2m}
        for row in chunk:
            item = dict(zip(names, row, strict=True))
            for name in plain:
                item[name] = plain_value(item[name])
            for name, by_id in links.items():
                item[name] = by_id.get(row[pk], [])
            yield item


def _pk_chunks(queryset: "models.QuerySet[Any]") -> Iterator[tuple[int, int]]:
    """(first, last) primary keys of consecutive chunks of CHUNK rows: keyset pagination, so
    each chunk is one index range scan however deep into the table it is."""
    after = None
    while True:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        pks = list(page.values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return
        yield pks[0], pks[-1]
        after = pks[-1]


def _links(m2m: "models.ManyToManyField[Any, Any]", ids: list[int]) -> dict[int, list[int]]:
    through = _through(m2m)
    source = m2m.m2m_field_name()
    target = m2m.m2m_reverse_field_name()
    found: dict[int, list[int]] = {}
    pairs = through._base_manager.filter(**{f"{source}__in": ids}).order_by(f"{target}_id")
    for owner_id, target_id in pairs.values_list(f"{source}_id", f"{target}_id"):
        found.setdefault(owner_id, []).append(target_id)
    return found


def _workspace_fields(workspace: Workspace) -> dict[str, Any]:
    return {
        f.attname: plain_value(f.value_from_object(workspace))
        for f in Workspace._meta.concrete_fields
        if f"accounts.workspace.{f.name}" not in SECRET_FIELDS
    }


def workspace_export_json(*, workspace: Workspace, file: IO[str], now: datetime) -> dict[str, int]:
    """Write the workspace to `file` as JSON, a table at a time and a row at a time (never the
    whole workspace in memory). Returns the number of rows written per table."""
    counts: dict[str, int] = {}
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "workspace": _workspace_fields(workspace),
    }
    file.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": {')
    for index, model in enumerate(workspace_tables()):
        label = model._meta.label_lower
        file.write(("," if index else "") + f"\n{json.dumps(label)}: [")
        counts[label] = 0
        for row in _rows(model, workspace):
            file.write(("," if counts[label] else "") + "\n" + json.dumps(row, ensure_ascii=False))
            counts[label] += 1
        file.write("]")
    file.write("\n}}\n")
    return counts


# ---------------------------------------------------------------- import


@dataclass
class ImportReport:
    workspace: Workspace
    rows: dict[str, int] = field(default_factory=dict)
    skipped_users: list[str] = field(default_factory=list)


@dataclass
class _Ids:
    """Old id → new id, per model."""

    by_model: dict[type[models.Model], dict[Any, Any]] = field(default_factory=dict)

    def new(self, model: type[models.Model], old: Any) -> Any:
        return self.by_model.get(model, {}).get(old)


def _read(file: IO[str]) -> dict[str, Any]:
    try:
        data = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError({"file": f"Not a JSON file ({error})."}) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError({"file": "Not a Followthrough workspace export."})
    if data.get("version") != VERSION:
        raise ValidationError({"file": f"Export version {data.get('version')} is not supported."})
    return data


@transaction.atomic
def workspace_import_json(*, file: IO[str], name: str) -> ImportReport:
    """A new workspace called `name` holding everything in the export. Users whose email is
    already taken on this server are left out (a person logs in to one workspace) and what
    they owned or were assigned becomes unassigned; imported users have no password until an
    owner sets one (`followthrough createuser` or the password-reset flow)."""
    data = _read(file)
    workspace = _new_workspace(data.get("workspace") or {}, name)
    report = ImportReport(workspace=workspace)
    ids = _Ids(by_model={Workspace: {data["workspace"].get("id"): workspace.pk}})
    tables = data.get("tables") or {}
    deferred: list[Callable[[], None]] = []
    for model in workspace_tables():
        rows = tables.get(model._meta.label_lower, [])
        report.rows[model._meta.label_lower] = _import_table(model, rows, ids, deferred, report)
    for step in deferred:
        step()
    return report


def _new_workspace(fields: dict[str, Any], name: str) -> Workspace:
    """The workspace row only: the default playbooks come from the file like everything else."""
    workspace = Workspace(name=name.strip())
    for column in Workspace._meta.concrete_fields:
        if column.attname in fields and column.name not in WORKSPACE_SKIP:
            setattr(workspace, column.attname, column.to_python(fields[column.attname]))
    workspace.full_clean()
    workspace.save()
    return workspace


def _import_table(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    ids: _Ids,
    deferred: list[Callable[[], None]],
    report: ImportReport,
) -> int:
    if model is User:
        rows = _users_to_create(rows, report)
    objects, later = [], []
    for row in rows:
        obj, late = _object(model, row, ids)
        objects.append(obj)
        later.append(late)
    created = model._base_manager.bulk_create(objects, batch_size=500)
    old_ids = [row[model._meta.pk.attname] for row in rows]
    ids.by_model[model] = {old: obj.pk for old, obj in zip(old_ids, created, strict=True)}
    _restore_auto_times(model, created, rows)
    deferred.append(lambda: _set_late_keys(model, created, later, ids))
    deferred.append(lambda: _set_links(model, created, rows, ids))
    return len(created)


def _users_to_create(rows: list[dict[str, Any]], report: ImportReport) -> list[dict[str, Any]]:
    taken = set(
        User.objects.filter(email__in=[r.get("email") for r in rows]).values_list(
            "email", flat=True
        )
    )
    taken |= set(
        User.objects.filter(username__in=[r.get("username") for r in rows]).values_list(
            "username", flat=True
        )
    )
    report.skipped_users = sorted(
        r["email"] for r in rows if r.get("email") in taken or r.get("username") in taken
    )
    return [r for r in rows if r.get("email") not in taken and r.get("username") not in taken]


def _object(
    model: type[models.Model], row: dict[str, Any], ids: _Ids
) -> tuple[models.Model, dict[str, Any]]:
    """An unsaved row with its keys remapped; plus the keys to set once their tables exist."""
    obj, late = model(), {}
    for column in _columns(model):
        if column.primary_key or column.attname not in row:
            continue
        value = row[column.attname]
        if isinstance(column, models.ForeignKey) and value is not None:
            target = model_of(column)
            if target is model or target not in ids.by_model:
                late[column.attname] = value
                value = None
            else:
                value = ids.new(target, value)
                if value is None and not column.null:
                    raise ValidationError(
                        {
                            model._meta.label_lower: f"Row {row.get('id')} "
                            f"points to a missing {target._meta.verbose_name}."
                        }
                    )
        elif column.unique and not column.primary_key:
            value = _fresh_unique(column, value)
        else:
            value = column.to_python(value)
        setattr(obj, column.attname, value)
    if model is User:
        _safe_user(obj)  # type: ignore[arg-type]
    _remap_json_ids(model, obj, ids)
    return obj, late


def _remap_json_ids(model: type[models.Model], obj: models.Model, ids: _Ids) -> None:
    for (label, column, key), target in JSON_IDS.items():
        value = getattr(obj, column, None) if model._meta.label_lower == label else None
        if isinstance(value, dict) and isinstance(value.get(key), list):
            target_model = apps.get_model(target)
            new = [ids.new(target_model, old) for old in value[key]]
            setattr(obj, column, {**value, key: [i for i in new if i is not None]})


def _fresh_unique(column: "models.Field[Any, Any]", value: Any) -> Any:
    """A value unique on the whole server (a public form's slug) cannot be copied: the original
    workspace may still use it. A new one from the field's default, else empty."""
    if column.has_default():
        return column.get_default()
    return None if column.null else column.to_python(value)


def _safe_user(user: User) -> None:
    # A file must not be able to make someone a superuser; passwords are set afterwards.
    user.is_superuser = False
    user.is_staff = False
    user.set_unusable_password()


def _restore_auto_times(
    model: type[models.Model], created: list[models.Model], rows: list[dict[str, Any]]
) -> None:
    """bulk_create stamps auto_now(_add) fields with the import time; put the exported times
    back (bulk_update writes the values as they are)."""
    auto = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if not auto or not created:
        return
    for obj, row in zip(created, rows, strict=True):
        for column in auto:
            if row.get(column.attname):
                setattr(obj, column.attname, column.to_python(row[column.attname]))
    model._base_manager.bulk_update(created, [f.name for f in auto], batch_size=500)


def _set_late_keys(
    model: type[models.Model], created: list[models.Model], later: list[dict[str, Any]], ids: _Ids
) -> None:
    changed = []
    for obj, late in zip(created, later, strict=True):
        for attname, old in late.items():
            target = model_of(model._meta.get_field(attname.removesuffix("_id")))
            setattr(obj, attname, ids.new(target, old))
        if late:
            changed.append(obj)
    names = sorted({a.removesuffix("_id") for late in later for a in late})
    if changed:
        model._base_manager.bulk_update(changed, names, batch_size=500)


def _set_links(
    model: type[models.Model], created: list[models.Model], rows: list[dict[str, Any]], ids: _Ids
) -> None:
    for m2m in _m2m(model):
        through = _through(m2m)
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": obj.pk, f"{target}_id": ids.new(model_of(m2m), old)})
            for obj, row in zip(created, rows, strict=True)
            for old in row.get(m2m.name, [])
            if ids.new(model_of(m2m), old) is not None
        ]
        through._base_manager.bulk_create(links, batch_size=1000, ignore_conflicts=True)
