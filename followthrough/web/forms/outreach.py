"""Forms for outreach: templates, segments and campaigns. outreach.services keeps the rules and
names the field when something is wrong (a template syntax error names its part)."""

from datetime import datetime
from typing import Any, cast

from django import forms

from followthrough.accounts.models import User
from followthrough.outreach.models import EmailTemplate, Segment
from followthrough.people.models import Stage, Tier

TIER_CHOICES = [(t.value, t.label) for t in Tier]


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    subject = forms.CharField(max_length=300, help_text="Merge fields work here too.")
    body_html = forms.CharField(
        label="HTML part",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
        help_text="Links are tracked; the unsubscribe link and your postal address are added "
        "at the bottom of every email.",
    )
    body_text = forms.CharField(
        label="Plain-text part",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Blank: made from the HTML part.",
    )


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=200)
    stages = forms.MultipleChoiceField(
        choices=Stage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.MultipleChoiceField(
        choices=TIER_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        required=False,
        label="Interests",
        help_text="Comma-separated; a contact with any of them matches.",
    )
    owners = forms.MultipleChoiceField(
        required=False, label="Owner", widget=forms.CheckboxSelectMultiple
    )
    touched_before_days = forms.IntegerField(
        required=False, min_value=0, label="Not touched in the last … days"
    )
    touched_within_days = forms.IntegerField(
        required=False, min_value=0, label="Touched in the last … days"
    )
    alive_min = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Probability alive at least",
        help_text="0 to 1",
    )
    alive_max = forms.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        label="Probability alive at most",
        help_text="0 to 1",
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = cast(forms.MultipleChoiceField, self.fields["owners"])
        owners.choices = [(str(u.pk), str(u)) for u in members]

    def filters(self) -> dict[str, Any]:
        """The raw filter for segment_filters_clean (which checks it again)."""
        data = self.cleaned_data
        raw = {
            key: data.get(key)
            for key in (
                "stages",
                "tiers",
                "owners",
                "touched_before_days",
                "touched_within_days",
                "alive_min",
                "alive_max",
            )
        }
        raw["tags"] = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        return raw


def segment_initial(segment: Segment) -> dict[str, Any]:
    initial: dict[str, Any] = {"name": segment.name, **segment.filters}
    initial["tags"] = ", ".join(segment.filters.get("tags", []))
    initial["owners"] = [str(o) for o in segment.filters.get("owners", [])]
    return initial


WHEN_CHOICES = [("now", "Send now"), ("later", "Schedule"), ("recurring", "Every N weeks")]


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200)
    template = forms.ModelChoiceField(queryset=EmailTemplate.objects.none())
    segment = forms.ModelChoiceField(queryset=Segment.objects.none())
    when = forms.ChoiceField(choices=WHEN_CHOICES, initial="now", widget=forms.RadioSelect)
    send_at = forms.DateTimeField(
        required=False,
        label="First send at",
        help_text="In your time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    every_weeks = forms.IntegerField(
        required=False, min_value=1, max_value=52, label="Every … weeks"
    )
    require_consent = forms.BooleanField(
        required=False, initial=True, label="Only contacts who gave marketing consent"
    )

    def __init__(self, *args: Any, workspace_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_t = cast("forms.ModelChoiceField[Any]", self.fields["template"])
        field_s = cast("forms.ModelChoiceField[Any]", self.fields["segment"])
        field_t.queryset = EmailTemplate.objects.filter(workspace_id=workspace_id)
        field_s.queryset = Segment.objects.filter(workspace_id=workspace_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        when = data.get("when")
        if when in ("later", "recurring") and not data.get("send_at"):
            self.add_error("send_at", "When should it go out?")
        if when == "recurring" and not data.get("every_weeks"):
            self.add_error("every_weeks", "How many weeks between sends?")
        return data

    def schedule(self) -> tuple[datetime | None, int | None]:
        data = self.cleaned_data
        if data["when"] == "now":
            return None, None
        return data["send_at"], data["every_weeks"] if data["when"] == "recurring" else None
