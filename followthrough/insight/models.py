"""Rhythm and value (DESIGN C5): each customer's purchase rhythm and predicted value, the
workspace's fitted model, tier rules, manual tier pins and the plan for each tier.

Money figures computed here are floats: they come from JSON event amounts and numpy models and
are estimates shown rounded, never amounts anybody is charged.
"""

from django.conf import settings
from django.db import models

from followthrough.accounts.models import Workspace
from followthrough.people.models import Contact


class ModelUsed(models.TextChoices):
    BGNBD = "bgnbd", "BG/NBD model"
    FALLBACK = "fallback", "The customer's own rhythm"


class PlanTier(models.TextChoices):
    """The tiers that have plans (people.models.Tier without "no tier")."""

    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"


class RhythmFit(models.Model):
    """The workspace's last BG/NBD (and Gamma-Gamma) fit, in days, or why there is none.

    `reason` is set when the model could not be fitted (too few customers, no proper maximum):
    the UI shows it and every score falls back to the customer's own rhythm. `spend_reason` is
    the same for Gamma-Gamma (predicted value then uses each customer's own average spend).
    """

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    fitted_at = models.DateTimeField()
    customers = models.PositiveIntegerField(default=0)
    repeat_customers = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    r = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(null=True, blank=True, help_text="In days.")
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    log_likelihood = models.FloatField(null=True, blank=True)
    spend_p = models.FloatField(null=True, blank=True)
    spend_q = models.FloatField(null=True, blank=True)
    spend_v = models.FloatField(null=True, blank=True)
    spend_log_likelihood = models.FloatField(null=True, blank=True)
    spend_reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Rhythm fit for {self.workspace_id} at {self.fitted_at:%Y-%m-%d %H:%M}"

    @property
    def fitted(self) -> bool:
        return self.r is not None

    @property
    def model_used(self) -> str:
        return ModelUsed.BGNBD if self.fitted else ModelUsed.FALLBACK

    @property
    def summary(self) -> str:
        """One sentence for the UI about what the scores rest on."""
        if self.fitted:
            return (
                f"Rhythm model fitted on {self.customers:,} customers "
                f"({self.repeat_customers:,} bought more than once)."
            )
        if self.customers == 0:
            return "No purchases yet: rhythm and value start with the first purchase."
        return (
            f"Too few customers to fit the rhythm model ({self.reason}): using each "
            "customer's own rhythm."
        )


class CustomerScore(models.Model):
    """One customer's rhythm and value as of `computed_at` (rewritten nightly).

    Days are calendar days in the workspace's time zone. Several purchases on one day count as
    one purchase day: `frequency` (repeat purchase days) is `purchase_days - 1`, recency is
    `last_purchase_on - first_purchase_on` and the customer's age T is `today - first_purchase_on`.
    Model figures (p_alive, expected purchases) are None when model_used is "fallback".
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="customer_score")
    computed_at = models.DateTimeField()
    model_used = models.CharField(max_length=10, choices=ModelUsed.choices)
    purchases = models.PositiveIntegerField()
    purchase_days = models.PositiveIntegerField()
    first_purchase_on = models.DateField()
    last_purchase_on = models.DateField()
    typical_interval_days = models.FloatField(
        null=True, blank=True, help_text="Median days between purchase days; None before two."
    )
    lifetime_spend = models.FloatField(default=0)
    spend_12m = models.FloatField(default=0, help_text="Spend in the 365 days up to computed_at.")
    mean_repeat_spend = models.FloatField(
        null=True, blank=True, help_text="Average spend per repeat purchase day."
    )
    p_alive = models.FloatField(null=True, blank=True)
    expected_30 = models.FloatField(null=True, blank=True)
    expected_365 = models.FloatField(null=True, blank=True)
    predicted_value = models.FloatField(
        default=0, help_text="Predicted (discounted) spend over the next 12 months."
    )

    class Meta:
        indexes = [
            # Tier assignment and the value-ordered lists read the workspace's scores by value.
            models.Index(fields=["workspace", "-predicted_value"], name="score_by_value"),
        ]

    def __str__(self) -> str:
        return f"Score of {self.contact_id}: {self.predicted_value:.2f}"

    @property
    def frequency(self) -> int:
        return self.purchase_days - 1

    @property
    def recency_days(self) -> int:
        return (self.last_purchase_on - self.first_purchase_on).days


class TierSettings(models.Model):
    """How tiers are cut from predicted value: the top `gold_percent` of customers are gold,
    the next `silver_percent` silver, the rest bronze. Defaults apply without a row."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    gold_percent = models.PositiveSmallIntegerField(default=10)
    silver_percent = models.PositiveSmallIntegerField(default=30)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gold_percent__lte=100, silver_percent__lte=100),
                name="tiersettings_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Tiers {self.gold_percent}/{self.silver_percent} for {self.workspace_id}"


class TierPin(models.Model):
    """A tier set by a person. The nightly assignment never changes a pinned contact's tier,
    not even the influence rule: a pin is a deliberate decision."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="tier_pin")
    tier = models.CharField(max_length=10, choices=PlanTier.choices)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.contact_id} pinned to {self.tier}"


class TierPlan(models.Model):
    """What a tier's customers get: the kinds of touch allowed and a yearly budget per contact.

    The tier's cadence is not stored here: Workspace.cadence_<tier>_days stays the one source
    (the agenda, the engine and the neglected report read it); services.tier_plan_update
    writes a cadence through to it. Defaults (selectors.DEFAULT_PLANS) apply without a row.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=10, choices=PlanTier.choices)
    allowed_touches = models.JSONField(
        default=list, blank=True, help_text="core.channels.TouchChannel values."
    )
    yearly_budget = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "tier"], name="tierplan_one_per_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} plan of {self.workspace_id}"
