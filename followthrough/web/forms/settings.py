"""Forms for the workspace's settings: the business, its webhook secrets and its lead forms.
accounts.services and events.services keep the rules and name the field when something is wrong."""

from typing import Any

from django import forms

from followthrough.accounts.models import Workspace
from followthrough.events.models import LeadForm

CADENCE_TIERS = (("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze"),
                 ("other", "No tier"))


def _days(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=200, label="Business name")
    timezone = forms.CharField(
        max_length=64, label="Time zone", widget=forms.TextInput(attrs={"list": "timezones"}),
        help_text="Where the business works: business days and the agenda count here.",
    )
    holidays = forms.CharField(
        required=False, label="Closed on", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One date per line (YYYY-MM-DD). Business-day steps and slots skip them.",
    )
    date_lead_days = _days("Plan birthday and anniversary cards … days ahead",
                           "Time enough for a card to arrive by mail.")
    cadence_gold_days = _days("Gold")
    cadence_silver_days = _days("Silver")
    cadence_bronze_days = _days("Bronze")
    cadence_other_days = _days("No tier")

    @property
    def cadence_fields(self) -> list[forms.BoundField]:
        return [self[f"cadence_{tier}_days"] for tier, _ in CADENCE_TIERS]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["name"] = data["name"].strip()
        data["timezone"] = data["timezone"].strip()
        data["holidays"] = [line.strip() for line in data["holidays"].splitlines()
                            if line.strip()]
        return data


def workspace_initial(workspace: Workspace) -> dict[str, Any]:
    initial = {name: getattr(workspace, name) for name in WorkspaceForm.base_fields}
    initial["holidays"] = "\n".join(workspace.holidays or [])
    return initial


class SecretForm(forms.Form):
    # Never rendered back into the page: a secret typed once is not shown again.
    secret = forms.CharField(
        max_length=200, label="New signing secret",
        error_messages={"required": "Paste the signing secret."},
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class LeadFormForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name",
                           help_text="For you, and shown as the hosted form's title.")
    thank_you_url = forms.CharField(
        required=False, max_length=200, label="Thank-you page",
        help_text="Where visitors go after sending. Blank: our own thank-you page.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/thanks"}),
    )
    consent_wording = forms.CharField(
        required=False, label="Consent wording", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The marketing consent sentence next to the checkbox; stored with each lead.",
    )
    tags = forms.CharField(required=False, max_length=200, label="Tags for the new leads",
                           help_text="Separated by commas, e.g. e-bikes, newsletter.")
    enabled = forms.BooleanField(required=False, initial=True,
                                 label="Enabled: the form accepts submissions")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["thank_you_url"] = data["thank_you_url"].strip()
        data["tags"] = ", ".join(t.strip() for t in data["tags"].split(",") if t.strip())
        return data


def lead_form_initial(lead_form: LeadForm) -> dict[str, Any]:
    return {name: getattr(lead_form, name) for name in LeadFormForm.base_fields}
