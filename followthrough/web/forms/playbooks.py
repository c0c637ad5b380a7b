"""The playbook editor: one form for the playbook and rows (formsets) for its steps and its tests
on facts and event data. It turns what a person typed into the data playbook_create/update take,
and puts the errors those services name by path ("steps.1.offset") next to the right input."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory

from followthrough.accounts.models import User
from followthrough.activity.models import TouchChannelChoices
from followthrough.core.event_types import KNOWN_TYPES
from followthrough.core.playbooks import (
    CONTACT_MERGE_FIELDS,
    FACT_NAMES,
    OPS,
    STOP_REASONS,
)
from followthrough.people.models import Stage, Tier
from followthrough.playbooks.models import Playbook

CUSTOM = "custom"
NO_TIER = "none"  # a checkbox cannot carry the empty value Tier.NONE stands for
TRIGGER_CHOICES = [(kind, f"{text} · {kind}") for kind, text in KNOWN_TYPES.items()] + [
    (CUSTOM, "Another event type (custom)…")
]
TIER_CHOICES = [(t.value or NO_TIER, t.label) for t in Tier]
STOP_CHOICES = [(reason, f"Stop when {words}") for reason, words in STOP_REASONS.items()]
UNIT_CHOICES = [("days", "days"), ("business_days", "business days")]
CHANNEL_CHOICES = [("preferred", "Their preferred"), *TouchChannelChoices.choices]
OP_CHOICES = [(op, op) for op in OPS]
FACT_CHOICES = [("", "—"), *[(name, name.replace("_", " ")) for name in sorted(FACT_NAMES)]]
MERGE_FIELDS = sorted(CONTACT_MERGE_FIELDS) + sorted(FACT_NAMES) + ["data.<field>"]
ANCHOR_SUGGESTIONS = ["event", "data.revisit_on", "data.due_date", "data.date"]
# Step settings left out of the stored data when they are the default, so exports stay short.
STEP_DEFAULTS = {"unit": "days", "anchor": "event", "channel": "preferred", "assignee": "owner"}


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_value(text: str, op: str) -> Any:
    """A test's value as typed: numbers, true/false and null become those; with "in", a comma
    list of them."""
    if op == "in":
        return [parse_value(part, "==") for part in _comma_list(text)]
    text = text.strip()
    try:
        return json.loads(text) if text.lower() in ("true", "false", "null") else int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


class PlaybookForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, label="What it is for",
                                  widget=forms.Textarea(attrs={"rows": 2}))
    enabled = forms.BooleanField(required=False, label="Enabled: plan follow-ups from new events")
    trigger = forms.ChoiceField(choices=TRIGGER_CHOICES, label="When this happens")
    custom_trigger = forms.CharField(
        required=False, max_length=60, label="Custom event type",
        help_text="A dotted lower-case name, as sent to the API: e.g. class.attended.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. class.attended"}),
    )
    stages = forms.MultipleChoiceField(
        choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label="Stage is any of", help_text="None ticked: any stage.",
    )
    tiers = forms.MultipleChoiceField(
        choices=TIER_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Tier is any of", help_text="None ticked: any tier.",
    )
    tags_any = forms.CharField(required=False, label="Has any of these tags",
                               help_text="Separated by commas. Blank: no condition.")
    tags_none = forms.CharField(required=False, label="Has none of these tags",
                                help_text="Separated by commas.")
    stop_conditions = forms.MultipleChoiceField(
        choices=STOP_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Stop the remaining steps", help_text="Their open follow-ups are skipped then.",
    )
    max_runs_per_contact = forms.IntegerField(
        required=False, label="Start it at most … times per person",
        help_text="Blank: every time the event happens. 1: once in their lifetime.",
    )
    holdout_percent = forms.IntegerField(
        required=False, label="Hold out … % of the people it starts for",
        help_text="A random control group: they are recorded but never contacted by this "
        "playbook, so the lift report can show whether following up changes who buys again. "
        "0 follows up everyone; at most 50.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": "50"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("trigger") == CUSTOM and not data.get("custom_trigger", "").strip():
            self.add_error("custom_trigger", "Type the event type, e.g. class.attended.")
        return data

    @property
    def trigger_value(self) -> str:
        data = self.cleaned_data
        return str(data["custom_trigger"].strip() if data["trigger"] == CUSTOM else data["trigger"])

    def conditions(self) -> dict[str, Any]:
        data = self.cleaned_data
        conditions: dict[str, Any] = {
            "stage": list(data["stages"]),
            "tier": ["" if t == NO_TIER else t for t in data["tiers"]],
            "tags_any": _comma_list(data["tags_any"]),
            "tags_none": _comma_list(data["tags_none"]),
        }
        return {key: value for key, value in conditions.items() if value}


class StepForm(forms.Form):
    offset = forms.IntegerField(required=False, label="After",
                                widget=forms.NumberInput(attrs={"placeholder": "0"}))
    unit = forms.ChoiceField(choices=UNIT_CHOICES, initial="days", label="Unit")
    anchor = forms.CharField(
        required=False, initial="event", max_length=80, label="Counted from",
        widget=forms.TextInput(attrs={"list": "anchor-options", "placeholder": "event"}),
    )
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, initial="preferred", label="By")
    assignee = forms.ChoiceField(choices=(), initial="owner", label="For")
    purpose = forms.CharField(
        required=False, max_length=300, label="Purpose",
        widget=forms.Textarea(attrs={
            "rows": "2", "data-merge-target": "",
            "placeholder": "e.g. Call {{ first_name }}: how is it going?"}),
    )

    def __init__(self, *args: Any, assignees: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(assignees)
        current = self.initial.get("assignee") or self.data.get(self.add_prefix("assignee"))
        if current and current not in dict(choices):
            choices.append((current, str(current).removeprefix("user:")))  # someone who left
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("purpose", "").strip() and data.get("offset") is None

    def step(self) -> dict[str, Any]:
        data = self.cleaned_data
        step: dict[str, Any] = {"offset": data["offset"] or 0}
        for name, default in STEP_DEFAULTS.items():
            value = (data.get(name) or "").strip() or default
            if value != default:
                step[name] = value
        step["purpose"] = data["purpose"].strip()
        return step


class TestForm(forms.Form):
    """One comparison: a fact (or event data field), an operator and a value."""

    name = forms.CharField(required=False, label="Field", max_length=60)
    op = forms.ChoiceField(choices=OP_CHOICES, initial="==", label="Is")
    value = forms.CharField(required=False, max_length=200, label="Value")

    KEY = "field"

    @property
    def is_blank(self) -> bool:
        return not getattr(self, "cleaned_data", {}).get("name")

    def test(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {self.KEY: data["name"], "op": data["op"],
                "value": parse_value(data["value"], data["op"])}


class FactTestForm(TestForm):
    name = forms.ChoiceField(  # type: ignore[assignment]
        choices=FACT_CHOICES, required=False, label="Fact")
    KEY = "fact"


def _formset(form: type[forms.Form], extra: int) -> "type[BaseFormSet[Any]]":
    return formset_factory(form, extra=extra, can_delete=True)


StepFormSet = _formset(StepForm, 2)
FactFormSet = _formset(FactTestForm, 1)
DataFormSet = _formset(TestForm, 1)


def assignee_choices(members: Iterable[User]) -> list[tuple[str, str]]:
    return [("owner", "Their owner"), ("round_robin", "Round robin (least busy)")] + [
        (f"user:{m.email}", str(m)) for m in members
    ]


class PlaybookEditor:
    """The playbook form and its three kinds of rows, validated and saved together."""

    def __init__(self, data: Mapping[str, Any] | None, *, members: Iterable[User],
                 playbook: Playbook | None = None) -> None:
        initial = (playbook_initial(playbook) if playbook
                   else {"main": {"enabled": True, "holdout_percent": 0}})
        self.form = PlaybookForm(data, initial=initial["main"])
        kwargs = {"assignees": assignee_choices(members)}
        self.steps = StepFormSet(data, prefix="steps", initial=initial.get("steps"),
                                 form_kwargs=kwargs)
        self.facts = FactFormSet(data, prefix="facts", initial=initial.get("facts"))
        self.data_tests = DataFormSet(data, prefix="datatests", initial=initial.get("data"))
        self.steps_errors: list[str] = []
        self._kept: dict[str, list[forms.Form]] = {}

    def is_valid(self) -> bool:
        parts = (self.form, self.steps, self.facts, self.data_tests)
        return all([part.is_valid() for part in parts])  # every part validated, for its errors

    def _keep(self, name: str, formset: "BaseFormSet[Any]") -> list[forms.Form]:
        deleted = set(map(id, formset.deleted_forms))
        kept = [f for f in formset.forms if id(f) not in deleted and not f.is_blank]
        self._kept[name] = kept
        return kept

    def playbook_data(self) -> dict[str, Any]:
        """What playbook_create / playbook_update take."""
        form = self.form
        conditions = form.conditions()
        facts = [f.test() for f in self._keep("facts", self.facts)]  # type: ignore[attr-defined]
        tests = [f.test() for f in self._keep("data", self.data_tests)]  # type: ignore[attr-defined]
        if facts:
            conditions["facts"] = facts
        if tests:
            conditions["data"] = tests
        return {
            "name": form.cleaned_data["name"].strip(),
            "description": form.cleaned_data["description"].strip(),
            "enabled": form.cleaned_data["enabled"],
            "trigger": form.trigger_value,
            "conditions": conditions,
            "steps": [f.step() for f in self._keep("steps", self.steps)],  # type: ignore[attr-defined]
            "stop_conditions": list(form.cleaned_data["stop_conditions"]),
            "max_runs_per_contact": form.cleaned_data["max_runs_per_contact"],
            "holdout_percent": form.cleaned_data["holdout_percent"] or 0,
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Each message next to the input its path names; what names no input goes on top."""
        for path, messages in error.message_dict.items():
            for message in messages:
                self._place(path, message)

    def _place(self, path: str, message: str) -> None:
        parts = path.split(".")
        if path == "steps":
            self.steps_errors.append(message)
        elif parts[0] == "steps":
            self._row("steps", parts[1], parts[2:], message)
        elif parts[0] == "conditions" and len(parts) > 2 and parts[1] in ("facts", "data"):
            rest = ["name" if p in ("fact", "field") else p for p in parts[3:]]
            self._row(parts[1], parts[2], rest, message)
        else:
            field = MAIN_FIELD_OF.get(path, path)
            if field == "trigger" and self.form.cleaned_data.get("trigger") == CUSTOM:
                field = "custom_trigger"
            if field in self.form.fields:
                self.form.add_error(field, message)
            else:
                self.form.add_error(None, f"{path}: {message}")

    def _row(self, name: str, index: str, rest: list[str], message: str) -> None:
        kept = self._kept.get(name, [])
        if not index.isdigit() or int(index) >= len(kept):
            self.form.add_error(None, message)
            return
        row = kept[int(index)]
        row.add_error(rest[0] if rest and rest[0] in row.fields else None, message)


MAIN_FIELD_OF = {
    "key": "name",
    "conditions.stage": "stages",
    "conditions.tier": "tiers",
    "conditions.tags_any": "tags_any",
    "conditions.tags_none": "tags_none",
}


def playbook_initial(playbook: Playbook) -> dict[str, Any]:
    """The editor's starting values for `playbook`: "main", "steps", "facts", "data"."""
    conditions = playbook.conditions or {}
    known = playbook.trigger in KNOWN_TYPES
    main = {
        "name": playbook.name,
        "description": playbook.description,
        "enabled": playbook.enabled,
        "trigger": playbook.trigger if known else CUSTOM,
        "custom_trigger": "" if known else playbook.trigger,
        "stages": conditions.get("stage") or [],
        "tiers": [t or NO_TIER for t in conditions.get("tier") or []],
        "tags_any": ", ".join(conditions.get("tags_any") or []),
        "tags_none": ", ".join(conditions.get("tags_none") or []),
        "stop_conditions": playbook.stop_conditions or [],
        "max_runs_per_contact": playbook.max_runs_per_contact,
        "holdout_percent": playbook.holdout_percent,
    }
    steps = [{**STEP_DEFAULTS, **step} for step in playbook.steps or []]

    def tests(key: str, name_key: str) -> list[dict[str, Any]]:
        return [{"name": t.get(name_key), "op": t.get("op"), "value": value_text(t.get("value"))}
                for t in conditions.get(key) or []]

    return {"main": main, "steps": steps, "facts": tests("facts", "fact"),
            "data": tests("data", "field")}
