"""Acting on one follow-up (complete, snooze, reschedule, skip), from the agenda or the contact's
timeline. With htmx the answer is the piece of page that changed (the agenda row, or the contact's
activity); without JavaScript, a redirect back, or a small page showing the error."""

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.access import access_followup
from followthrough.activity.models import FollowUp
from followthrough.activity.services import (
    followup_complete,
    followup_reschedule,
    followup_skip,
    followup_snooze,
)
from followthrough.web.forms.activity import (
    NEXT_FIELD_NAMES,
    CompleteForm,
    RescheduleForm,
    SkipForm,
    SnoozeForm,
)
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    is_htmx,
    local_when,
    member_view,
    safe_next,
)
from followthrough.web.views.contact_page import activity_response

Perform = Callable[[MemberRequest, FollowUp, Any], str]


def _complete(request: MemberRequest, followup: FollowUp, form: CompleteForm) -> str:
    followup_complete(followup=followup, by=request.user, outcome=form.cleaned_data["outcome"],
                      schedule_next=form.next_followup())
    planned = " The next touch is planned." if form.next_followup() else ""
    return f"Done: logged on {followup.contact.name}’s timeline.{planned}"


def _snooze(request: MemberRequest, followup: FollowUp, form: SnoozeForm) -> str:
    followup_snooze(followup=followup, by=request.user, days=form.days)
    return f"Snoozed to {local_when(followup.due_at)}."


def _reschedule(request: MemberRequest, followup: FollowUp, form: RescheduleForm) -> str:
    followup_reschedule(followup=followup, by=request.user, due=form.cleaned_data["due"])
    return f"Moved to {local_when(followup.due_at)}."


def _skip(request: MemberRequest, followup: FollowUp, form: SkipForm) -> str:
    followup_skip(followup=followup, by=request.user, reason=form.cleaned_data["reason"])
    return f"Skipped: {followup.skip_reason}"


def _act(request: MemberRequest, followup_id: int, action: str, form_class: type[forms.Form],
         perform: Perform, rename: Mapping[str, str] | None = None) -> HttpResponse:
    followup = access_followup(workspace=request.user.workspace, followup_id=followup_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = perform(request, followup, form)
        except ValidationError as error:
            add_service_errors(form, error, rename)
        else:
            return _done(request, followup, message)
    return _failed(request, followup_id, action, form)


def _done(request: MemberRequest, followup: FollowUp, message: str) -> HttpResponse:
    from_contact = request.POST.get("view") == "contact"
    if not is_htmx(request):
        messages.success(request, message)
        default = (reverse("web:contact", args=[followup.contact_id]) if from_contact
                   else reverse("web:agenda"))
        return redirect(safe_next(request, request.POST.get("next"), default))
    if from_contact:
        return activity_response(request, followup.contact, notice=message)
    return render(request, "web/partials/agenda_row_done.html",
                  {"followup": followup, "message": message})


def _failed(
    request: MemberRequest, followup_id: int, action: str, form: forms.Form
) -> HttpResponse:
    # Fetched again: a service may have changed the object in memory before it refused.
    followup = access_followup(workspace=request.user.workspace, followup_id=followup_id)
    failed = {"id": followup.pk, "action": action, "form": form}
    if is_htmx(request) and request.POST.get("view") == "contact":
        return activity_response(request, followup.contact, failed=failed, status=422)
    context = {
        "followup": followup, "failed": failed, "next_url": request.POST.get("next", ""),
        "show_assignee": followup.assignee_id != request.user.pk, "view": "agenda",
    }
    template = "partials/agenda_row" if is_htmx(request) else "pages/followup_action"
    return render(request, f"web/{template}.html", context, status=422)


@member_view
@require_POST
def complete(request: MemberRequest, followup_id: int) -> HttpResponse:
    # The form checked the touch itself; a "channel"/"purpose" error is about the next follow-up.
    return _act(request, followup_id, "complete", CompleteForm, _complete, NEXT_FIELD_NAMES)


@member_view
@require_POST
def snooze(request: MemberRequest, followup_id: int) -> HttpResponse:
    return _act(request, followup_id, "snooze", SnoozeForm, _snooze)


@member_view
@require_POST
def reschedule(request: MemberRequest, followup_id: int) -> HttpResponse:
    return _act(request, followup_id, "reschedule", RescheduleForm, _reschedule)


@member_view
@require_POST
def skip(request: MemberRequest, followup_id: int) -> HttpResponse:
    return _act(request, followup_id, "skip", SkipForm, _skip)
