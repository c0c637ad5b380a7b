"""Tier plans (owner and admins): each tier's cadence, kinds of touch and yearly budget, how
tiers are cut from predicted value, and this year's budget against the costs logged; and
pinning one contact's tier from their page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import access_contact
from followthrough.insight.models import PlanTier
from followthrough.insight.selectors import (
    BudgetReport,
    local_today,
    plan_budget_report,
    tier_plans_get,
    tier_settings_get,
)
from followthrough.insight.services import (
    tier_pin_clear,
    tier_pin_set,
    tier_plan_update,
    tier_settings_update,
)
from followthrough.people.models import Contact
from followthrough.web.forms.insight import (
    PinForm,
    TierPlanForm,
    TierSplitForm,
    tier_plan_initial,
    tier_split_initial,
)
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    member_view,
    require_admin,
)
from followthrough.web.views.insight import currency_of


def _forms(request: MemberRequest) -> tuple[list[TierPlanForm], TierSplitForm]:
    workspace = request.user.workspace
    data = request.POST if request.method == "POST" else None
    plans = tier_plans_get(workspace=workspace)
    plan_forms = [TierPlanForm(data, tier=tier, initial=tier_plan_initial(plans[tier]))
                  for tier in PlanTier.values]
    split = TierSplitForm(data, initial=tier_split_initial(tier_settings_get(workspace=workspace)))
    return plan_forms, split


def _save(request: MemberRequest, plan_forms: list[TierPlanForm], split: TierSplitForm) -> bool:
    """Every plan and the split in one transaction: all saved, or none and each error next to
    its field (all of them, not just the first tier's)."""
    workspace, failed = request.user.workspace, False
    with transaction.atomic():
        for form in plan_forms:
            try:
                tier_plan_update(workspace=workspace, tier=form.tier, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                failed = True
        try:
            tier_settings_update(workspace=workspace, **split.cleaned_data)
        except ValidationError as error:
            add_service_errors(split, error)
            failed = True
        if failed:
            transaction.set_rollback(True)
    if failed:
        workspace.refresh_from_db()  # a cadence written through before the rollback
    return not failed


def _budget(request: MemberRequest) -> BudgetReport:
    workspace = request.user.workspace
    year = local_today(workspace, timezone.now()).year
    return plan_budget_report(workspace=workspace, year=year)


@member_view
@require_http_methods(["GET", "POST"])
def tier_plans(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    plan_forms, split = _forms(request)
    if request.method == "POST":
        valid = all([form.is_valid() for form in (*plan_forms, split)])  # all, for every error
        if valid and _save(request, plan_forms, split):
            messages.success(request, "Tier plans saved. New cut-offs apply at the next "
                                      "recompute (tonight, or now from the reports page).")
            return redirect("web:tier_plans")
    context = {
        "plan_forms": plan_forms,
        "split": split,
        "budget": _budget(request),
        "currency": currency_of(request.user.workspace),
        "failed": request.method == "POST",
    }
    return render(request, "web/pages/tier_plans.html", context,
                  status=422 if request.method == "POST" else 200)


@member_view
@require_POST
def contact_tier(request: MemberRequest, contact_id: int) -> HttpResponse:
    """Pin the contact's tier (the nightly assignment then keeps it) or clear the pin."""
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    require_admin(request)
    if request.POST.get("clear"):
        cleared = tier_pin_clear(contact=contact)
        messages.success(request, "Pin cleared: the tier follows their value again from the "
                                  "next recompute." if cleared else "There was no pin.")
    else:
        _pin(request, contact)
    return redirect(reverse("web:contact", args=[contact.pk]) + "#rhythm")


def _pin(request: MemberRequest, contact: Contact) -> None:
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose gold, silver or bronze to pin.")
        return
    tier_pin_set(contact=contact, tier=form.cleaned_data["tier"], by=request.user)
    messages.success(request, f"Tier pinned at {PlanTier(contact.tier).label.lower()}: the "
                              "nightly assignment keeps it.")
