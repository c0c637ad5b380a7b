"""Rhythm and value: the reports page (charts with their figures, the model's status, recompute
now) and the at-risk list with its one-click follow-up."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from followthrough.access import access_contact
from followthrough.accounts.models import Workspace
from followthrough.activity.models import Origin
from followthrough.activity.selectors import next_pending_due
from followthrough.activity.services import followup_create
from followthrough.core.channels import Medium, Preference
from followthrough.insight import charts
from followthrough.insight.models import RhythmFit
from followthrough.insight.reports import (
    followups_by_channel,
    retention_cohorts,
    spend_and_revenue,
    tier_summary,
)
from followthrough.insight.selectors import at_risk_list, rhythm_fit_get
from followthrough.insight.services import TierReport, insight_refresh
from followthrough.people.models import Contact
from followthrough.people.selectors import contacts_by_id
from followthrough.web.describe import SYMBOLS, money
from followthrough.web.forms.insight import PlanCallForm
from followthrough.web.forms.record import CURRENCY_OF_REGION
from followthrough.web.views.common import (
    MemberRequest,
    is_htmx,
    local_when,
    member_view,
    require_admin,
    safe_next,
)

AT_RISK_SHOWN = 50


def currency_of(workspace: Workspace) -> str:
    """The business's currency code ("usd"), "" when its country has none we know."""
    return CURRENCY_OF_REGION.get(workspace.default_region, "")


def money_prefix(workspace: Workspace) -> str:
    """"$" for the charts' amounts; "" when the currency has no symbol we know."""
    return SYMBOLS.get(currency_of(workspace), "")


@dataclass(frozen=True)
class Chart:
    """One chart of the reports page: its SVG (insight.charts escapes every text it draws),
    a sentence on how to read it, and the same figures as a table for screen readers."""

    key: str
    title: str
    how: str
    svg: str
    head: list[str]
    rows: list[list[str]]


def _share(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


def _tiers_chart(workspace: Workspace, currency: str) -> Chart:
    bars = tier_summary(workspace=workspace)
    return Chart(
        "tiers", "Tiers by count and value",
        "Left, how many contacts each tier holds; right, what its customers are predicted to "
        "spend in the next 12 months: a small gold tier should carry much of the value.",
        charts.tier_chart(bars, money_prefix=SYMBOLS.get(currency, "")),
        ["Tier", "Contacts", "Predicted 12-month value"],
        [[b.label, f"{b.contacts:,}", money(round(b.value), currency)] for b in bars],
    )


def _cohorts_chart(workspace: Workspace, now: datetime) -> Chart:
    cohorts = retention_cohorts(workspace=workspace, now=now)
    columns = max((len(c.shares) for c in cohorts), default=0)
    return Chart(
        "retention", "Retention by cohort",
        "Each row is the customers who first bought in that quarter; each cell, the share of "
        "them who bought again that many quarters later (darker is more).",
        charts.cohort_chart(cohorts),
        ["First bought", "Customers", "That quarter"] + [f"+{k} q" for k in range(1, columns)],
        [[c.label, f"{c.customers:,}", *[_share(s) for s in c.shares]] for c in cohorts],
    )


def _money_chart(workspace: Workspace, now: datetime, currency: str) -> Chart:
    quarters = spend_and_revenue(workspace=workspace, now=now)

    def cash(value: float) -> str:
        return money(round(value), currency)

    return Chart(
        "spend", "Acquisition and retention: spend and revenue",
        "Per quarter, top: logged costs of winning leads and prospects against keeping "
        "customers; bottom: revenue from first-time buyers against returning ones.",
        charts.spend_revenue_chart(quarters, money_prefix=SYMBOLS.get(currency, "")),
        ["Quarter", "Acquisition spend", "Retention spend", "New customers’ revenue",
         "Returning customers’ revenue"],
        [[q.label, cash(q.acquisition_spend), cash(q.retention_spend), cash(q.new_revenue),
          cash(q.returning_revenue)] for q in quarters],
    )


def _followups_chart(workspace: Workspace, now: datetime) -> Chart:
    channels = followups_by_channel(workspace=workspace, now=now)
    return Chart(
        "followups", "Follow-ups by channel",
        "Follow-ups done and skipped in the last 12 months by kind of touch; right, the share "
        "of done ones that got an answer (a touch back or a purchase within 14 days).",
        charts.followup_chart(channels),
        ["Kind of touch", "Done", "Skipped", "Answered", "Answer rate"],
        [[c.label, f"{c.completed:,}", f"{c.skipped:,}", f"{c.responded:,}",
          _share(c.response_rate) or "—"] for c in channels],
    )


@member_view
@require_GET
def reports(request: MemberRequest) -> HttpResponse:
    workspace, now = request.user.workspace, timezone.now()
    currency = currency_of(workspace)
    context = {
        "fit": rhythm_fit_get(workspace=workspace),
        "charts": [_tiers_chart(workspace, currency), _cohorts_chart(workspace, now),
                   _money_chart(workspace, now, currency), _followups_chart(workspace, now)],
        "can_edit": request.user.is_admin,
    }
    return render(request, "web/pages/reports.html", context)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def recomputed_text(fit: RhythmFit, tiers: TierReport) -> str:
    """"Recomputed: model fitted on 306 customers (BG/NBD); 3 contacts changed tier."."""
    if fit.fitted:
        model = f"model fitted on {_plural(fit.customers, 'customer', 'customers')} (BG/NBD)"
    elif fit.customers == 0:
        model = "no purchases yet"
    else:
        model = "too little data for the model, each customer’s own rhythm is used"
    changes = len(tiers.changes)
    changed = ("no contact changed tier" if not changes
               else f"{_plural(changes, 'contact', 'contacts')} changed tier")
    return f"Recomputed: {model}; {changed}."


@member_view
@require_POST
def reports_recompute(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    # Synchronous on purpose: a few seconds at most for a small business's book, and the
    # person wants to see the result; the nightly job does the same for everyone.
    fit, tiers = insight_refresh(workspace=request.user.workspace, now=timezone.now())
    messages.success(request, recomputed_text(fit, tiers))
    return redirect("web:reports")


def _takes_calls(contact: Contact) -> bool:
    return contact.preferences()[Medium.PHONE] is not Preference.REFUSED


@member_view
@require_GET
def at_risk(request: MemberRequest) -> HttpResponse:
    workspace, now = request.user.workspace, timezone.now()
    found = at_risk_list(workspace=workspace, now=now, limit=AT_RISK_SHOWN)
    ids = [risk.contact_id for risk in found]
    contacts = contacts_by_id(workspace=workspace, contact_ids=ids)
    planned = next_pending_due(contact_ids=ids)
    rows = [
        {"risk": risk, "contact": contacts[risk.contact_id],
         "planned": planned.get(risk.contact_id), "call": _takes_calls(contacts[risk.contact_id])}
        for risk in found if risk.contact_id in contacts
    ]
    context = {
        "rows": rows,
        "shown": AT_RISK_SHOWN,
        "fit": rhythm_fit_get(workspace=workspace),
        "currency": currency_of(workspace),
        "next_url": request.get_full_path(),
    }
    return render(request, "web/pages/at_risk.html", context)


@member_view
@require_POST
def at_risk_plan(request: MemberRequest, contact_id: int) -> HttpResponse:
    """The at-risk row's one-click follow-up: its ready-made purpose, origin "rhythm", in the
    contact's next good slot, on a call (or their preferred way when they refuse calls)."""
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    form = PlanCallForm(request.POST)
    due_at = None
    if form.is_valid():
        try:
            due_at = followup_create(
                contact=contact, by=request.user, purpose=form.cleaned_data["purpose"],
                channel=form.cleaned_data["channel"] or None, origin=Origin.RHYTHM).due_at
        except ValidationError as error:
            form.add_error(None, error.messages)
    if is_htmx(request):
        return render(request, "web/partials/neglected_planned.html",
                      {"due_at": due_at, "form": form}, status=200 if due_at else 422)
    if due_at is None:
        messages.error(request, f"{contact.name}: {' '.join(_messages(form))}")
    else:
        messages.success(request, f"{contact.name}: follow-up planned for {local_when(due_at)}.")
    return redirect(safe_next(request, request.POST.get("next"), reverse("web:at_risk")))


def _messages(form: PlanCallForm) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]
