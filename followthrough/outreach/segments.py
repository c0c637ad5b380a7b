"""Segments: a saved filter, stored as plain data, turned into one SQL query over contacts.

The filter keys (all optional; an empty filter is every contact):
  stages, tiers          lists of Stage / Tier values ("" is "no tier")
  tags                   interest names; a contact with any of them matches
  owners                 user ids
  touched_before_days    last touched more than N days ago, or never
  touched_within_days    last touched in the last N days
  alive_min, alive_max   probability alive (insight.CustomerScore.p_alive), 0 to 1
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from followthrough.accounts.models import Workspace
from followthrough.people.models import Contact, Stage, Tier

LIST_KEYS = ("stages", "tiers", "tags", "owners")
DAY_KEYS = ("touched_before_days", "touched_within_days")
ALIVE_KEYS = ("alive_min", "alive_max")
MAX_DAYS = 36500


def _list(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _check_list(key: str, values: list[Any], workspace_users: set[int]) -> str | None:
    if key == "stages" and not set(values) <= set(Stage.values):
        return f"Unknown stage; use {', '.join(Stage.values)}."
    if key == "tiers" and not set(values) <= set(Tier.values):
        return "Unknown tier; use gold, silver, bronze or none."
    if key == "owners" and not {int(v) for v in values} <= workspace_users:
        return "Not a user of this workspace."
    return None


def segment_filters_clean(
    *, workspace: Workspace, raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(filters, errors by key): the filter to store, normalized, and what is wrong with it."""
    users = set(workspace.users.values_list("pk", flat=True))
    filters: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in LIST_KEYS:
        given = _list(raw.get(key))
        try:
            values: list[Any] = (
                [int(v) for v in given] if key == "owners" else [str(v).strip() for v in given]
            )
        except (TypeError, ValueError):
            errors[key] = "Not a user of this workspace."
            continue
        if key == "tags":
            values = [v for v in values if v]
        if values and (problem := _check_list(key, values, users)):
            errors[key] = problem
        elif values:
            filters[key] = values
    for key in DAY_KEYS:
        _number(raw.get(key), key, int, (0, MAX_DAYS), filters, errors)
    for key in ALIVE_KEYS:
        _number(raw.get(key), key, float, (0.0, 1.0), filters, errors)
    return filters, errors


def _number(
    value: Any,
    key: str,
    kind: type,
    bounds: tuple[float, float],
    filters: dict[str, Any],
    errors: dict[str, str],
) -> None:
    if value in (None, ""):
        return
    try:
        number = kind(value)
    except (TypeError, ValueError):
        errors[key] = "A number."
        return
    if not bounds[0] <= number <= bounds[1]:
        errors[key] = f"Between {bounds[0]:g} and {bounds[1]:g}."
        return
    filters[key] = number


def segment_contacts(
    *, workspace: Workspace, filters: Mapping[str, Any], now: datetime
) -> QuerySet[Contact]:
    """The contacts a (clean) filter selects, as one query (no rows are loaded here)."""
    query = Q(workspace=workspace)
    if stages := filters.get("stages"):
        query &= Q(stage__in=stages)
    if tiers := filters.get("tiers"):
        query &= Q(tier__in=tiers)
    if owners := filters.get("owners"):
        query &= Q(owner_id__in=owners)
    if (days := filters.get("touched_before_days")) is not None:
        query &= Q(last_touched_at__lt=now - timedelta(days=days)) | Q(last_touched_at__isnull=True)
    if (days := filters.get("touched_within_days")) is not None:
        query &= Q(last_touched_at__gte=now - timedelta(days=days))
    if (low := filters.get("alive_min")) is not None:
        query &= Q(customer_score__p_alive__gte=low)
    if (high := filters.get("alive_max")) is not None:
        query &= Q(customer_score__p_alive__lte=high)
    contacts = Contact.objects.filter(query)
    if tags := filters.get("tags"):
        # EXISTS rather than a join, so a contact with two matching interests counts once.
        tagged = Contact.tags.through.objects.filter(
            contact_id=OuterRef("pk"), tag__workspace=workspace, tag__name__in=tags
        )
        contacts = contacts.filter(Exists(tagged))
    return contacts
