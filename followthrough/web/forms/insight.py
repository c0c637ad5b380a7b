"""Forms for rhythm and value: the tier plans and how tiers are cut, pinning a contact's tier,
and the purchase history file. They parse what a person typed; insight.services keeps the
rules (ranges, known kinds of touch) and names the field when something is wrong."""

from typing import Any

from django import forms

from followthrough.core.channels import TOUCH_LABELS
from followthrough.insight.models import PlanTier, TierSettings
from followthrough.insight.selectors import PlanView

TOUCH_CHOICES = [(channel.value, label) for channel, label in TOUCH_LABELS.items()]
NUMERIC = {"inputmode": "numeric"}


class TierPlanForm(forms.Form):
    """One tier's plan; its inputs are prefixed with the tier ("gold-cadence_days")."""

    cadence_days = forms.IntegerField(
        label="Touch at least every … days", widget=forms.NumberInput(attrs=NUMERIC))
    allowed_touches = forms.MultipleChoiceField(
        choices=TOUCH_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        label="Kinds of touch they get",
    )
    yearly_budget = forms.DecimalField(
        max_digits=10, decimal_places=2, label="Yearly budget per contact",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))

    def __init__(self, *args: Any, tier: str, **kwargs: Any) -> None:
        kwargs["prefix"] = tier
        super().__init__(*args, **kwargs)
        self.tier = tier
        self.label = PlanTier(tier).label


def tier_plan_initial(plan: PlanView) -> dict[str, Any]:
    return {"cadence_days": plan.cadence_days, "allowed_touches": list(plan.allowed_touches),
            "yearly_budget": plan.yearly_budget}


class TierSplitForm(forms.Form):
    """How tiers are cut from predicted 12-month value."""

    gold_percent = forms.IntegerField(
        label="Gold: the top … % of customers", widget=forms.NumberInput(attrs=NUMERIC))
    silver_percent = forms.IntegerField(
        label="Silver: the next … %", widget=forms.NumberInput(attrs=NUMERIC),
        help_text="The rest are bronze. Opinion leaders stay at silver or above.")


def tier_split_initial(settings: TierSettings) -> dict[str, int]:
    return {"gold_percent": settings.gold_percent, "silver_percent": settings.silver_percent}


class PinForm(forms.Form):
    tier = forms.ChoiceField(choices=PlanTier.choices, label="Pin the tier at")


class PurchaseFileForm(forms.Form):
    file = forms.FileField(
        label="Purchase history (.csv)",
        help_text="One purchase a row: the date, the customer’s email or customer id, and the "
        "amount. A header row names the columns (order date, total, … are understood too).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class PlanCallForm(forms.Form):
    """The at-risk list's one click: the row's ready-made purpose and, unless they refuse
    calls, a call."""

    purpose = forms.CharField(max_length=300)
    channel = forms.ChoiceField(choices=[("", "Their preferred"), ("call", "Call")],
                                required=False)
