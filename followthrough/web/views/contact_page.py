"""The contact page: who they are, how to reach them, and one timeline of what happened and what
is planned; logging a touch (and planning the next) without leaving it."""

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.access import access_contact, access_followup
from followthrough.accounts.selectors import user_list
from followthrough.activity.models import PENDING, FollowUp, Interaction
from followthrough.activity.selectors import (
    HistoryEntry,
    completed_followups,
    contact_history,
    followup_list,
    touches_in_last,
)
from followthrough.activity.services import (
    followup_complete,
    followup_create,
    interaction_log,
    reach_prefs,
)
from followthrough.core.facts import InvoiceState
from followthrough.core.scheduling import choose_channel
from followthrough.events.models import Event
from followthrough.events.selectors import invoice_open_list, invoice_states
from followthrough.insight.charts import rhythm_chart
from followthrough.insight.models import PlanTier
from followthrough.insight.selectors import contact_rhythm, local_today, tier_decision_get
from followthrough.people.models import Contact
from followthrough.people.services import contact_set_review_flag
from followthrough.web.describe import event_line, source_text
from followthrough.web.forms.activity import NEXT_FIELD_NAMES, FollowUpForm, LogTouchForm
from followthrough.web.forms.insight import PinForm
from followthrough.web.forms.record import (
    CURRENCY_OF_REGION,
    RECORD_FORMS,
    PaidForm,
    RecordForm,
)
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    is_htmx,
    local_when,
    member_view,
    safe_next,
)
from followthrough.web.views.insight import money_prefix

TOUCHES_PERIOD_DAYS = 90
RECORD_KINDS = [("purchase", "Purchase"), ("service", "Service visit"), ("invoice", "Invoice"),
                ("hold", "On hold")]


def _pending(contact: Contact) -> list[FollowUp]:
    return list(followup_list(workspace=contact.workspace, statuses=PENDING, contact=contact))


def _log_form(contact: Contact) -> LogTouchForm:
    """A blank touch on their preferred channel that, by default, completes the most overdue
    follow-up due today or earlier: that is most often the touch being logged."""
    preferred = choose_channel(None, reach_prefs(contact))
    pending = _pending(contact)
    today = timezone.localdate()
    due = next((f for f in pending if timezone.localdate(f.due_at) <= today), None)
    return LogTouchForm(pending=pending, initial={
        "channel": preferred.value if preferred else "call",
        "completes": str(due.pk) if due else "",
    })


def _timeline(contact: Contact) -> list[dict[str, Any]]:
    """Timeline entries; an interaction that completed a follow-up carries it as "completed",
    an event its line in words."""
    entries = contact_history(contact=contact)
    done = completed_followups(
        interactions=[e.item for e in entries if isinstance(e.item, Interaction)])
    paid = any(isinstance(e.item, Event) and e.item.type == "invoice.paid" for e in entries)
    invoices = invoice_states(contact=contact) if paid else {}
    currency = CURRENCY_OF_REGION.get(contact.workspace.default_region, "")
    return [_entry(e, done, invoices, currency) for e in entries]


def _entry(entry: HistoryEntry, done: dict[int, FollowUp],
           invoices: Mapping[str, InvoiceState], currency: str) -> dict[str, Any]:
    item = entry.item
    row = {"kind": entry.kind, "at": entry.at, "item": item, "completed": None, "line": ""}
    if isinstance(item, Interaction):
        row["completed"] = done.get(item.pk)
    elif isinstance(item, Event):
        row["line"] = event_line(item, invoices, currency)
        row["source"] = source_text(item.source)
    return row


def _rhythm(contact: Contact) -> dict[str, Any]:
    """The "Rhythm and value" card: their purchases as a chart and in figures (their own
    rhythm and today's chance they are still active are live; the predicted values are from
    the last recompute), and how their tier was decided."""
    now = timezone.now()
    today = local_today(contact.workspace, now)
    found = contact_rhythm(contact=contact, now=now)
    chart = ""
    if found.purchases:
        chart = rhythm_chart(
            purchases=found.purchases, today=today,
            typical_days=found.rhythm.typical_interval_days if found.rhythm else None,
            expected_next=found.expected_next, money_prefix=money_prefix(contact.workspace),
            title=f"{contact.name}’s purchases")
    return {
        "found": found,
        "chart": chart,
        "late": found.expected_next is not None and found.expected_next < today,
        "lifetime": (found.score.lifetime_spend if found.score
                     else sum(amount for _, amount in found.purchases)),
        "decision": tier_decision_get(contact=contact),
        "pin_form": PinForm(initial={"tier": contact.tier or PlanTier.SILVER}, auto_id="pin_%s"),
    }


def _record_forms(contact: Contact, failed: RecordForm | None) -> dict[str, RecordForm]:
    forms = {kind: form(contact=contact) for kind, form in RECORD_FORMS.items()}
    if failed is not None:
        forms[failed.kind] = failed
    return forms


def _activity_context(request: MemberRequest, contact: Contact, *,
                      log_form: LogTouchForm | None = None,
                      followup_form: FollowUpForm | None = None,
                      record_form: RecordForm | None = None,
                      failed: dict[str, Any] | None = None, notice: str = "") -> dict[str, Any]:
    members = user_list(workspace=request.user.workspace)
    return {
        "contact": contact,
        "log_form": log_form if log_form is not None else _log_form(contact),
        "followup_form": (followup_form if followup_form is not None
                          else FollowUpForm(members=members)),
        "record_forms": _record_forms(contact, record_form),
        "record_kinds": RECORD_KINDS,
        "record_failed": record_form.kind if record_form is not None else "",
        "paid_failed": record_form if isinstance(record_form, PaidForm) else None,
        "currency": CURRENCY_OF_REGION.get(contact.workspace.default_region, ""),
        "open_invoices": invoice_open_list(contact=contact),
        "timeline": _timeline(contact),
        "rhythm": _rhythm(contact),
        "failed": failed,
        "notice": notice,
        "touches": touches_in_last(contact=contact, days=TOUCHES_PERIOD_DAYS, now=timezone.now()),
        "touches_days": TOUCHES_PERIOD_DAYS,
        "next_url": reverse("web:contact", args=[contact.pk]),
        "view": "contact",
    }


def _page(request: MemberRequest, contact: Contact, status: int = 200,
          **activity: Any) -> HttpResponse:
    context = _activity_context(request, contact, **activity)
    context.update({
        "emails": list(contact.emails.all()),
        "phones": list(contact.phones.all()),
        "dates": list(contact.dates.all()),
        "tags": list(contact.tags.all()),
        "their_now": timezone.now(),  # shown in their zone by the template
        "their_timezone": reach_prefs(contact).timezone,
        "cadence": contact.cadence_days or contact.workspace.cadence_days(contact.tier),
    })
    return render(request, "web/pages/contact.html", context, status=status)


def activity_response(request: MemberRequest, contact: Contact, *, status: int = 200,
                      notice: str = "", **forms_and_failure: Any) -> HttpResponse:
    """After a change on the contact page: the refreshed activity (forms, timeline and, out of
    band, the touch counts) for htmx; otherwise back to the page, or the page with the errors."""
    if is_htmx(request):
        context = _activity_context(request, contact, notice=notice, **forms_and_failure)
        return render(request, "web/partials/contact_activity_swap.html", context, status=status)
    if status < 400:
        messages.success(request, notice)
        return redirect("web:contact", contact_id=contact.pk)
    return _page(request, contact, status=status, **forms_and_failure)


@member_view
@require_GET
def contact_page(request: MemberRequest, contact_id: int) -> HttpResponse:
    return _page(request, access_contact(workspace=request.user.workspace, contact_id=contact_id))


@member_view
@require_POST
def contact_log(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    form = LogTouchForm(request.POST, pending=_pending(contact))
    if form.is_valid():
        try:
            notice = _log(request, contact, form)
        except ValidationError as error:
            # The form checked the touch's own channel: a "channel" error is the next follow-up's.
            add_service_errors(form, error, {**NEXT_FIELD_NAMES, "status": "completes"})
        else:
            return activity_response(request, contact, notice=notice)
    return activity_response(request, contact, log_form=form, status=422)


def _log(request: MemberRequest, contact: Contact, form: LogTouchForm) -> str:
    """Log the touch; when it completes a planned follow-up, complete that one with it (on the
    channel actually used) so it leaves the agenda. Returns the message for the person."""
    kwargs = form.log_kwargs()
    if form.completes_id is None:
        _, planned = interaction_log(contact=contact, by=request.user, **kwargs)
        return _logged(planned)
    followup = access_followup(workspace=request.user.workspace, followup_id=form.completes_id)
    followup.contact = contact  # the one on the page, so its "last touched" moves too
    followup_complete(
        followup=followup, by=request.user, outcome=kwargs["summary"], needs=kwargs["needs"],
        next_approach=kwargs["next_approach"], direction=kwargs["direction"],
        cost=kwargs["cost"], schedule_next=kwargs["schedule_next"], channel=kwargs["channel"],
    )
    next_one = " The next touch is planned." if kwargs["schedule_next"] else ""
    return f"Touch logged; “{followup.purpose}” is done.{next_one}"


def _logged(planned: FollowUp | None) -> str:
    if planned is None:
        return "Touch logged."
    return f"Touch logged; next touch planned for {local_when(planned.due_at)}."


@member_view
@require_http_methods(["GET", "POST"])
def followup_new(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    form = FollowUpForm(request.POST or None, members=user_list(workspace=request.user.workspace))
    if request.method == "POST" and form.is_valid():
        try:
            followup = _create_followup(request, contact, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _planned(request, contact, followup)
    return _plan_failed(request, contact, form)


def _create_followup(request: MemberRequest, contact: Contact, form: FollowUpForm) -> FollowUp:
    data = form.cleaned_data
    return followup_create(contact=contact, by=request.user, purpose=data["purpose"],
                           due=data["due"], channel=data["channel"] or None,
                           assignee=data["assignee"])


def _planned(request: MemberRequest, contact: Contact, followup: FollowUp) -> HttpResponse:
    notice = f"Follow-up planned for {local_when(followup.due_at)}."
    view = request.POST.get("view")
    if is_htmx(request) and view == "neglected":
        return render(request, "web/partials/neglected_planned.html", {"due_at": followup.due_at})
    if is_htmx(request) or view != "neglected":
        return activity_response(request, contact, notice=notice)
    messages.success(request, f"{contact.name}: {notice[0].lower()}{notice[1:]}")
    return redirect(safe_next(request, request.POST.get("next"), reverse("web:neglected")))


def _plan_failed(request: MemberRequest, contact: Contact, form: FollowUpForm) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    if is_htmx(request) and request.POST.get("view") == "neglected":
        return render(request, "web/partials/neglected_planned.html", {"form": form}, status=status)
    if is_htmx(request):
        return activity_response(request, contact, followup_form=form, status=status)
    return render(request, "web/pages/followup_new.html", {"contact": contact, "form": form},
                  status=status)


@member_view
@require_POST
def contact_flag(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    # An explicit wanted state (not a blind toggle), so a double click does not undo itself.
    wanted = request.POST.get("flagged")
    flagged = wanted == "1" if wanted in ("0", "1") else not contact.review_flag
    contact_set_review_flag(contact=contact, flagged=flagged)
    if is_htmx(request):
        return render(request, "web/partials/flag_button.html",
                      {"contact": contact, "compact": request.POST.get("compact") == "1"})
    default = reverse("web:contact", args=[contact.pk])
    return redirect(safe_next(request, request.POST.get("next"), default))

