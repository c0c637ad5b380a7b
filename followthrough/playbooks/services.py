"""Writes for playbooks: create, update, import/export, and stopping runs."""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from followthrough.accounts.models import Workspace
from followthrough.activity.models import PENDING, FollowUp, Status
from followthrough.core.event_types import TYPE_PATTERN
from followthrough.core.playbooks import (
    STOP_REASONS,
    PlaybookError,
    parse_steps,
    validate_conditions,
    validate_stop_conditions,
)
from followthrough.people.models import Contact
from followthrough.playbooks.models import Playbook, PlaybookRun, RunStatus

MAX_HOLDOUT_PERCENT = 50
EXPORT_FIELDS = (
    "key",
    "name",
    "description",
    "enabled",
    "trigger",
    "conditions",
    "steps",
    "stop_conditions",
    "max_runs_per_contact",
    "holdout_percent",
)
EXPORT_FORMAT = "followthrough-playbooks/1"


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated playbook fields; raises ValidationError naming each bad path."""
    errors: dict[str, str] = {}
    unknown = set(data) - set(EXPORT_FIELDS)
    errors.update({name: "Unknown field." for name in sorted(unknown)})
    if not str(data.get("name") or "").strip():
        errors["name"] = "Give the playbook a name."
    if not TYPE_PATTERN.match(str(data.get("trigger") or "")):
        errors["trigger"] = "An event type such as purchase.made."
    limit = data.get("max_runs_per_contact")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        errors["max_runs_per_contact"] = "A whole number of at least 1, or empty for no limit."
    holdout = data.get("holdout_percent", 0)
    if (
        not isinstance(holdout, int)
        or isinstance(holdout, bool)
        or not (0 <= holdout <= MAX_HOLDOUT_PERCENT)
    ):
        errors["holdout_percent"] = f"A whole number from 0 to {MAX_HOLDOUT_PERCENT}."
    for check in (
        lambda: parse_steps(data.get("steps")),
        lambda: validate_conditions(data.get("conditions")),
        lambda: validate_stop_conditions(data.get("stop_conditions")),
    ):
        try:
            check()
        except PlaybookError as error:
            errors.update(error.errors)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    cleaned = {k: data[k] for k in EXPORT_FIELDS if k in data}
    cleaned["key"] = slugify(str(data.get("key") or data["name"]))[:60]
    cleaned.setdefault("conditions", {})
    cleaned.setdefault("stop_conditions", [])
    return cleaned


@transaction.atomic
def playbook_create(*, workspace: Workspace, data: Mapping[str, Any]) -> Playbook:
    fields = _clean(data)
    if Playbook.objects.filter(workspace=workspace, key=fields["key"]).exists():
        raise ValidationError({"key": [f"A playbook “{fields['key']}” already exists."]})
    return Playbook.objects.create(workspace=workspace, **fields)


@transaction.atomic
def playbook_update(*, playbook: Playbook, data: Mapping[str, Any]) -> Playbook:
    """Change the given fields. Runs already started keep the follow-ups they planned."""
    current = {name: getattr(playbook, name) for name in EXPORT_FIELDS}
    fields = _clean({**current, **data})
    taken = Playbook.objects.filter(workspace=playbook.workspace_id, key=fields["key"])
    if taken.exclude(pk=playbook.pk).exists():
        raise ValidationError({"key": [f"A playbook “{fields['key']}” already exists."]})
    for name, value in fields.items():
        setattr(playbook, name, value)
    playbook.save()
    return playbook


def playbook_set_enabled(*, playbook: Playbook, enabled: bool) -> Playbook:
    playbook.enabled = enabled
    playbook.save(update_fields=["enabled", "updated_at"])
    return playbook


def playbooks_export(*, workspace: Workspace) -> str:
    """Every playbook of the workspace as an indented JSON document a person can read and edit."""
    rows = Playbook.objects.filter(workspace=workspace).order_by("key")
    document = {
        "format": EXPORT_FORMAT,
        "playbooks": [{name: getattr(p, name) for name in EXPORT_FIELDS} for p in rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@transaction.atomic
def playbooks_import(*, workspace: Workspace, text: str) -> tuple[int, int]:
    """Create or update playbooks (matched by key) from an exported file.
    Returns (created, updated); on any error nothing is changed and the error names the
    playbook ("playbooks.2.steps.0.offset")."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            {"file": [f"Not a playbook file: {error.msg} at line {error.lineno}."]}
        ) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ValidationError({"file": [f"Not a playbook file (expected format {EXPORT_FORMAT})."]})
    created = updated = 0
    for i, data in enumerate(document.get("playbooks") or []):
        try:
            if not isinstance(data, dict):
                raise ValidationError({"": ["Each playbook is an object."]})
            key = slugify(str(data.get("key") or data.get("name") or ""))
            existing = Playbook.objects.filter(workspace=workspace, key=key).first()
            if existing:
                playbook_update(playbook=existing, data=data)
                updated += 1
            else:
                playbook_create(workspace=workspace, data=data)
                created += 1
        except ValidationError as error:
            raise ValidationError(
                {f"playbooks.{i}.{k}".rstrip("."): v for k, v in error.message_dict.items()}
            ) from None
    return created, updated


def runs_stop(
    *, contact: Contact, reason: str, before: datetime | None = None, now: datetime | None = None
) -> int:
    """Stop the contact's active runs whose playbook stops on `reason` (one of STOP_REASONS) and
    whose triggering event happened before `before` (a reply last week does not stop a playbook
    started by today's lead); their pending follow-ups are skipped with the reason, so they leave
    the agenda at once. Returns how many runs stopped."""
    now = now or timezone.now()
    runs = PlaybookRun.objects.filter(contact=contact, status=RunStatus.ACTIVE).select_related(
        "playbook"
    )
    if before is not None:
        runs = runs.filter(event__occurred_at__lt=before)
    stopping = [r.pk for r in runs if reason in (r.playbook.stop_conditions or [])]
    if not stopping:
        return 0
    why = f"Stopped: {STOP_REASONS[reason]}"
    PlaybookRun.objects.filter(pk__in=stopping).update(
        status=RunStatus.STOPPED, stopped_at=now, stop_reason=why
    )
    FollowUp.objects.filter(run_id__in=stopping, status__in=PENDING).update(
        status=Status.SKIPPED, skip_reason=why, completed_at=now
    )
    return len(stopping)
