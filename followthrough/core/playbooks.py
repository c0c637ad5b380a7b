"""Playbook rules: when an event's conditions match, and when and how each step falls due.

A playbook is plain data (it is stored as JSON and exported as a readable file); this module
validates that data, evaluates conditions and plans steps. It decides nothing about the database.
"""

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from followthrough.core.channels import TouchChannel

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "in": lambda value, options: value in options,
}
STOP_REASONS = {
    "replied": "they got in touch",
    "bought": "they bought",
    "unsubscribed": "they unsubscribed",
    "stage_changed": "their stage changed",
}
UNITS = ("days", "business_days")
ASSIGNEE_MODES = ("owner", "round_robin")
MERGE_FIELD = re.compile(r"\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}")
CONTACT_MERGE_FIELDS = frozenset(
    {"first_name", "last_name", "name", "organization", "interest", "interests", "owner"}
)
FACT_NAMES = frozenset(
    {
        "purchase_count",
        "purchase_number",
        "lifetime_spend",
        "median_days_between_purchases",
        "late_payments_12m",
        "days_late",
        "invoice_paid",
        "invoice_id",
    }
)
WEEKDAYS = frozenset({0, 1, 2, 3, 4})


class PlaybookError(ValueError):
    """Invalid playbook data; `errors` maps a path ("steps.1.offset") to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Step:
    purpose: str
    offset: int = 0
    unit: str = "days"
    anchor: str = "event"  # or "data.<field>": a date in the event, e.g. data.revisit_on
    channel: str = "preferred"  # a TouchChannel value or "preferred"
    assignee: str = "owner"  # owner, round_robin, or user:<email>


@dataclass(frozen=True)
class ContactView:
    """The contact as conditions and merge fields see it."""

    stage: str
    tier: str
    tags: frozenset[str]
    merge: Mapping[str, str] = field(default_factory=dict)


def matches(
    conditions: Mapping[str, Any],
    *,
    contact: ContactView,
    facts: Mapping[str, Any],
    data: Mapping[str, Any],
) -> bool:
    """True when every condition holds. Lists of stages or tiers mean "any of"; `tags_any` needs
    one of the tags, `tags_none` none of them; `facts` and `data` are comparisons."""
    if conditions.get("stage") and contact.stage not in conditions["stage"]:
        return False
    if conditions.get("tier") and contact.tier not in conditions["tier"]:
        return False
    if conditions.get("tags_any") and not contact.tags & set(conditions["tags_any"]):
        return False
    if contact.tags & set(conditions.get("tags_none") or ()):
        return False
    for test in conditions.get("facts") or ():
        if not _compare(facts.get(test["fact"]), test["op"], test["value"]):
            return False
    return all(
        _compare(data.get(test["field"]), test["op"], test["value"])
        for test in conditions.get("data") or ()
    )


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if actual is None:
        return op == "==" and expected is None
    try:
        return OPS[op](actual, expected)
    except TypeError:  # comparing a number with text: the condition does not hold
        return False


def add_business_days(day: date, count: int, *, holidays: Iterable[date] = ()) -> date:
    """`count` business days after `day` (Monday–Friday, holidays skipped). With 0, `day` itself
    if it is a business day, else the next one: "the same business day" for a Saturday lead is
    Monday."""
    closed = set(holidays)

    def open_on(d: date) -> bool:
        return d.weekday() in WEEKDAYS and d not in closed

    while not open_on(day):
        day += timedelta(days=1)
    for _ in range(count):
        day += timedelta(days=1)
        while not open_on(day):
            day += timedelta(days=1)
    return day


def step_due(
    step: Step, *, event_day: date, data: Mapping[str, Any], holidays: Iterable[date] = ()
) -> date | None:
    """The local day a step falls due; None when its anchor date is missing from the event."""
    anchor = event_day
    if step.anchor.startswith("data."):
        value = data.get(step.anchor.removeprefix("data."))
        parsed = _day(value)
        if parsed is None:
            return None
        anchor = parsed
    if step.unit == "business_days":
        return add_business_days(anchor, step.offset, holidays=holidays)
    return anchor + timedelta(days=step.offset)


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill {{ merge_fields }}. Only plain names from `values` are reachable (no attributes,
    no calls), so a purpose can never read anything it was not given; unknown ones are empty."""

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "" if value is None else str(value)

    text = MERGE_FIELD.sub(fill, template)
    return re.sub(r"\s{2,}", " ", text).strip()


def parse_steps(raw: object) -> list[Step]:
    """Steps from stored or imported data; raises PlaybookError naming each bad path."""
    if not isinstance(raw, list) or not raw:
        raise PlaybookError({"steps": "A playbook needs at least one step."})
    errors: dict[str, str] = {}
    steps = []
    for i, item in enumerate(raw):
        where = f"steps.{i}"
        if not isinstance(item, Mapping):
            errors[where] = "Each step is an object."
            continue
        step_errors = _step_errors(item)
        errors.update({f"{where}.{k}": v for k, v in step_errors.items()})
        if not step_errors:
            steps.append(Step(**{k: item[k] for k in Step.__dataclass_fields__ if k in item}))
    if errors:
        raise PlaybookError(errors)
    return steps


def _step_errors(item: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = set(item) - set(Step.__dataclass_fields__)
    for name in sorted(unknown):
        errors[name] = "Unknown setting."
    purpose = item.get("purpose")
    if not isinstance(purpose, str) or not purpose.strip():
        errors["purpose"] = "Say why this touch is worth their time."
    else:
        errors.update(_merge_field_errors(purpose))
    offset = item.get("offset", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or not -366 <= offset <= 3660:
        errors["offset"] = "A whole number of days between -366 and 3660."
    if item.get("unit", "days") not in UNITS:
        errors["unit"] = f"One of {', '.join(UNITS)}."
    anchor = item.get("anchor", "event")
    if not isinstance(anchor, str) or not (anchor == "event" or anchor.startswith("data.")):
        errors["anchor"] = "“event”, or data.<field> for a date carried by the event."
    channel = item.get("channel", "preferred")
    if channel != "preferred" and channel not in {c.value for c in TouchChannel}:
        errors["channel"] = f"Unknown channel “{channel}”."
    assignee = item.get("assignee", "owner")
    if not isinstance(assignee, str) or not (
        assignee in ASSIGNEE_MODES or assignee.startswith("user:")
    ):
        errors["assignee"] = "owner, round_robin or user:<email>."
    return errors


def _merge_field_errors(template: str) -> dict[str, str]:
    for name in MERGE_FIELD.findall(template):
        if name not in CONTACT_MERGE_FIELDS | FACT_NAMES and not name.startswith("data."):
            return {"purpose": f"Unknown merge field “{name}”."}
    return {}


def validate_conditions(raw: object) -> dict[str, Any]:
    """Conditions from stored or imported data; raises PlaybookError naming each bad path."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise PlaybookError({"conditions": "Conditions are an object."})
    errors: dict[str, str] = {}
    for key in raw:
        if key not in {"stage", "tier", "tags_any", "tags_none", "facts", "data"}:
            errors[f"conditions.{key}"] = "Unknown condition."
    for key in ("stage", "tier", "tags_any", "tags_none"):
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            errors[f"conditions.{key}"] = "A list of names."
    for key, name_key in (("facts", "fact"), ("data", "field")):
        for i, test in enumerate(raw.get(key) or ()):
            where = f"conditions.{key}.{i}"
            if not isinstance(test, Mapping) or set(test) != {name_key, "op", "value"}:
                errors[where] = f"Each test is {{{name_key}, op, value}}."
            elif test["op"] not in OPS:
                errors[f"{where}.op"] = f"One of {' '.join(OPS)}."
            elif key == "facts" and test["fact"] not in FACT_NAMES:
                errors[f"{where}.fact"] = f"Unknown fact “{test['fact']}”."
    if errors:
        raise PlaybookError(errors)
    return dict(raw)


def validate_stop_conditions(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or any(r not in STOP_REASONS for r in raw):
        raise PlaybookError({"stop_conditions": f"A list of: {', '.join(STOP_REASONS)}."})
    return list(raw)
