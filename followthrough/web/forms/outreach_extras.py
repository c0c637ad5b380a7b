"""Forms for sharing an article, personal email, the print queue and the digest settings."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from followthrough.activity.models import FollowUp
from followthrough.outreach.extras.sharing import share_topics_clean, share_url_clean


def _message(error: ValidationError) -> list[str]:
    return error.messages


class ShareForm(forms.Form):
    url = forms.CharField(
        label="Article address",
        max_length=250,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autofocus": True}),
    )
    topics = forms.CharField(
        label="Topics",
        max_length=600,
        help_text="Comma separated, e.g. road cycling, winter.",
    )

    def clean_url(self) -> str:
        try:
            return share_url_clean(self.cleaned_data["url"])
        except ValidationError as error:
            raise forms.ValidationError(_message(error)) from None

    def clean_topics(self) -> list[str]:
        try:
            return share_topics_clean(self.cleaned_data["topics"])
        except ValidationError as error:
            raise forms.ValidationError(_message(error)) from None


class PersonalEmailForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Message", max_length=20_000, widget=forms.Textarea(attrs={"rows": 12})
    )
    followup = forms.TypedChoiceField(
        label="This email completes",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, followups: list[FollowUp], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["followup"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "No follow-up (just log it)")] + [
            (f.pk, f"{f.purpose} (due {f.due_at:%d %b})") for f in followups
        ]


AHEAD_CHOICES = [
    (0, "Due today or overdue"),
    (3, "… and the next 3 days"),
    (7, "… and the next 7 days"),
]


class PrintQueueForm(forms.Form):
    ahead = forms.TypedChoiceField(
        label="Show", choices=AHEAD_CHOICES, coerce=int, required=False, empty_value=None
    )


class DigestForm(forms.Form):
    digest_enabled = forms.BooleanField(label="Send me the daily digest", required=False)
    digest_hour = forms.TypedChoiceField(
        label="At",
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
    )
