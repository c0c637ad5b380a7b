"""Recording an event from the contact page. The event is evaluated at once, not by the worker,
so the person sees straight away which follow-ups the playbooks planned from it."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_POST

from followthrough.access import access_contact
from followthrough.activity.models import FollowUp
from followthrough.activity.selectors import followups_planned_by
from followthrough.core.channels import TOUCH_LABELS, TouchChannel
from followthrough.events.services import event_record
from followthrough.playbooks.engine import event_process
from followthrough.web.forms.record import RECORD_FORMS, RecordForm
from followthrough.web.views.common import MemberRequest, add_service_errors, member_view
from followthrough.web.views.contact_page import activity_response


@member_view
@require_POST
def record(request: MemberRequest, contact_id: int, kind: str) -> HttpResponse:
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    if kind not in RECORD_FORMS:
        raise Http404("No such kind of event")
    form = RECORD_FORMS[kind](request.POST, contact=contact)
    if form.is_valid():
        try:
            event = event_record(workspace=request.user.workspace,
                                 item=form.event_input(now=timezone.now()))
        except ValidationError as error:
            add_service_errors(form, error, form.RENAME)
        else:
            # Claimed here, so the worker skips it if it ever hears of it.
            event_process(event_id=event.pk)
            notice = _recorded(form, followups_planned_by(event=event))
            return activity_response(request, contact, notice=notice)
    return activity_response(request, contact, record_form=form, status=422)


def _recorded(form: RecordForm, planned: list[FollowUp]) -> str:
    """"Recorded a purchase — planned: handwritten note on Mon 30 Nov, call on Mon 7 Dec"."""
    if not planned:
        return f"Recorded {form.what()}. No playbook planned a follow-up from it."
    touches = ", ".join(
        f"{TOUCH_LABELS[TouchChannel(f.channel)].lower()} on {_day(f)}" for f in planned
    )
    return f"Recorded {form.what()} — planned: {touches}."


def _day(followup: FollowUp) -> str:
    due = timezone.localtime(followup.due_at)
    return date_format(due, "D j M" if due.year == timezone.localdate().year else "D j M Y")
