"""Forms for the tracking log and follow-up actions. They only parse what a person typed; the
rules (refused channels, best hours, a reason to skip) live in activity.services."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from followthrough.accounts.models import User
from followthrough.activity.models import Direction, FollowUp, TouchChannelChoices
from followthrough.activity.services import SNOOZE_CHOICES, NextFollowUp

THEIR_PREFERRED = [("", "Their preferred")]

# The follow-up planned with a touch has the fields "purpose"/"channel"/"assignee" in the
# services; the forms call them next_* so they can sit next to the touch's own channel.
NEXT_FIELD_NAMES = {"purpose": "next_purpose", "channel": "next_channel"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _followup_label(followup: FollowUp) -> str:
    """"Call · Ask how the bike rides · due Mon 23 Nov" (in the reader's time zone)."""
    due = date_format(timezone.localtime(followup.due_at), "D j M")
    purpose = followup.purpose if len(followup.purpose) <= 70 else followup.purpose[:69] + "…"
    return f"{followup.get_channel_display()} · {purpose} · due {due}"


class ScheduleNextMixin(forms.Form):
    """"And plan the next touch": a purpose (and optionally a day and a channel)."""

    next_due = forms.DateField(required=False, widget=DateInput, label="Next touch on")
    next_purpose = forms.CharField(
        required=False, max_length=300, label="Purpose of the next touch",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Ask how the new wheels ride"}),
    )
    next_channel = forms.ChoiceField(
        required=False, choices=THEIR_PREFERRED + list(TouchChannelChoices.choices), label="By"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("next_due") or data.get("next_channel")) and not data.get("next_purpose"):
            self.add_error("next_purpose", "Say why you will get in touch next time.")
        return data

    def next_followup(self) -> NextFollowUp | None:
        purpose = self.cleaned_data.get("next_purpose", "").strip()
        if not purpose:
            return None
        return NextFollowUp(
            purpose=purpose, due=self.cleaned_data.get("next_due"),
            channel=self.cleaned_data.get("next_channel") or None,
        )


class LogTouchForm(ScheduleNextMixin):
    channel = forms.ChoiceField(choices=TouchChannelChoices.choices)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUTBOUND,
                                  widget=forms.RadioSelect)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
                              label="What happened")
    needs = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            label="Needs discussed")
    next_approach = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    label="Approach for next time")
    cost = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=10,
                              decimal_places=2, label="Cost")

    completes = forms.ChoiceField(
        required=False, label="This completes",
        help_text="The planned follow-up this touch was; it leaves the agenda.",
    )

    def __init__(self, *args: Any, pending: Sequence[FollowUp] = (), **kwargs: Any) -> None:
        # Its own ids: the page also holds the follow-up form, which has a "channel" too.
        kwargs.setdefault("auto_id", "log_%s")
        super().__init__(*args, **kwargs)
        self.fields["completes"].choices = [  # type: ignore[attr-defined]
            ("", "Nothing planned"), *[(str(f.pk), _followup_label(f)) for f in pending]]

    @property
    def has_pending(self) -> bool:
        return len(self.fields["completes"].choices) > 1  # type: ignore[attr-defined]

    @property
    def completes_id(self) -> int | None:
        chosen = self.cleaned_data.get("completes")
        return int(chosen) if chosen else None

    def log_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "channel": data["channel"], "direction": data["direction"], "summary": data["summary"],
            "needs": data["needs"], "next_approach": data["next_approach"], "cost": data["cost"],
            "schedule_next": self.next_followup(),
        }


class CompleteForm(ScheduleNextMixin):
    outcome = forms.CharField(
        required=False, max_length=5000, label="Outcome",
        widget=forms.TextInput(attrs={"placeholder": "How did it go? (blank: the purpose)"}),
    )


class SnoozeForm(forms.Form):
    choice = forms.ChoiceField(choices=[(k, label) for k, (label, _) in SNOOZE_CHOICES.items()])

    @property
    def days(self) -> int:
        return SNOOZE_CHOICES[self.cleaned_data["choice"]][1]


class RescheduleForm(forms.Form):
    due = forms.DateField(widget=DateInput, label="New day")


class SkipForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Reason",
        error_messages={"required": "Say why this follow-up is skipped."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. They moved away"}),
    )


class FollowUpForm(forms.Form):
    purpose = forms.CharField(
        max_length=300, error_messages={"required": "Say why you are getting in touch."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Share the winter maintenance tips"}),
    )
    due = forms.DateField(required=False, widget=DateInput, label="On",
                          help_text="Blank: their next good moment.")
    channel = forms.ChoiceField(
        required=False, choices=THEIR_PREFERRED + list(TouchChannelChoices.choices), label="By"
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                      empty_label="Their owner", label="For")

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "plan_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members  # type: ignore[attr-defined]
