"""Outreach pages: templates (edit, preview with a real contact, test send to yourself),
segments (with a count that follows the filter as it is edited) and campaigns (start, pause,
resume, live progress)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.access import (
    access_campaign,
    access_contact,
    access_email_template,
    access_segment,
)
from followthrough.accounts.selectors import user_list
from followthrough.outreach.models import Campaign, CampaignStatus, EmailTemplate, SkipReason
from followthrough.outreach.segments import segment_filters_clean
from followthrough.outreach.selectors import (
    campaign_list,
    campaign_progress,
    campaign_run_current,
    segment_count,
    segment_list,
    segment_sample,
    skip_counts,
    template_list,
    template_preview,
)
from followthrough.outreach.services import (
    campaign_cancel,
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_start,
    segment_create,
    segment_delete,
    segment_update,
    template_create,
    template_delete,
    template_test_send,
    template_update,
)
from followthrough.outreach.templating import MERGE_FIELDS, TemplateRenderError, template_errors
from followthrough.people.models import Contact
from followthrough.web.forms.outreach import (
    CampaignForm,
    SegmentForm,
    TemplateForm,
    segment_initial,
)
from followthrough.web.views.common import MemberRequest, add_service_errors, member_view


@member_view
@require_GET
def outreach(request: MemberRequest) -> HttpResponse:
    workspace = request.user.workspace
    campaigns = list(campaign_list(workspace=workspace))
    for campaign in campaigns:
        campaign.progress = campaign_progress(campaign=campaign)  # type: ignore[attr-defined]
    return render(
        request,
        "web/pages/outreach.html",
        {
            "templates": template_list(workspace=workspace),
            "segments": segment_list(workspace=workspace),
            "campaigns": campaigns,
            "postal_address": workspace.postal_address,
        },
    )


# --- templates -----------------------------------------------------------------------------


def _preview_contact(request: MemberRequest) -> Contact | None:
    contact_id = request.GET.get("contact") or request.POST.get("preview_contact")
    if contact_id:
        return access_contact(workspace=request.user.workspace, contact_id=contact_id)
    return (
        Contact.objects.filter(workspace=request.user.workspace, emails__isnull=False)
        .select_related("organization", "owner", "workspace")
        .order_by("pk")
        .first()
    )


def _template_page(
    request: MemberRequest, form: TemplateForm, template: EmailTemplate | None, status: int = 200
) -> HttpResponse:
    contacts = Contact.objects.filter(workspace=request.user.workspace).order_by(
        "last_name", "first_name"
    )[:200]
    return render(
        request,
        "web/pages/outreach_template.html",
        {
            "form": form,
            "template": template,
            "merge_fields": MERGE_FIELDS,
            "contacts": contacts,
            "preview_contact": _preview_contact(request),
        },
        status=status,
    )


@member_view
@require_http_methods(["GET", "POST"])
def template_edit(request: MemberRequest, template_id: int | None = None) -> HttpResponse:
    workspace = request.user.workspace
    template = (
        access_email_template(workspace=workspace, template_id=template_id) if template_id else None
    )
    if request.method == "GET":
        initial = {f: getattr(template, f) for f in TemplateForm.base_fields} if template else {}
        return _template_page(request, TemplateForm(initial=initial), template)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            saved = (
                template_update(template=template, fields=form.cleaned_data)
                if template
                else template_create(workspace=workspace, fields=form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Template “{saved.name}” saved.")
            return redirect("web:outreach_template", template_id=saved.pk)
    return _template_page(request, form, template, status=422)


@member_view
@require_POST
def template_preview_part(request: MemberRequest) -> HttpResponse:
    """The preview of the template as typed (not yet saved), for one real contact."""
    contact = _preview_contact(request)
    parts = {k: request.POST.get(k, "") for k in ("subject", "body_html", "body_text")}
    errors = template_errors(parts)
    rendered = None
    if not errors and contact is not None:
        try:
            rendered = template_preview(contact=contact, **parts)
        except TemplateRenderError as error:
            errors = {"body_html": str(error)}
    return render(
        request,
        "web/partials/outreach_preview.html",
        {"rendered": rendered, "errors": errors, "contact": contact},
    )


@member_view
@require_POST
def template_test(request: MemberRequest, template_id: int) -> HttpResponse:
    template = access_email_template(workspace=request.user.workspace, template_id=template_id)
    contact = _preview_contact(request)
    if contact is None:
        messages.error(request, "Add a contact first: the test shows their merge fields.")
    else:
        template_test_send(template=template, contact=contact, to=request.user.email)
        messages.success(
            request, f"Test sent to {request.user.email} (as {contact.name} would get it)."
        )
    return redirect("web:outreach_template", template_id=template.pk)


# --- segments ------------------------------------------------------------------------------


def _segment_form(request: MemberRequest, data: Any = None, initial: Any = None) -> SegmentForm:
    members = list(user_list(workspace=request.user.workspace))
    return SegmentForm(data, initial=initial, members=members)


def _count_context(request: MemberRequest, form: SegmentForm) -> dict[str, Any]:
    """The live count for the filter in `form` (a bound form), or the errors that stop it."""
    if not form.is_valid():
        return {"count": None, "sample": []}
    workspace = request.user.workspace
    filters, errors = segment_filters_clean(workspace=workspace, raw=form.filters())
    if errors:
        return {"count": None, "sample": [], "filter_errors": errors}
    now = timezone.now()
    return {
        "count": segment_count(workspace=workspace, filters=filters, now=now),
        "sample": segment_sample(workspace=workspace, filters=filters, now=now),
    }


@member_view
@require_POST
def template_remove(request: MemberRequest, template_id: int) -> HttpResponse:
    template = access_email_template(workspace=request.user.workspace, template_id=template_id)
    try:
        template_delete(template=template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:outreach_template", template_id=template.pk)
    messages.success(request, f"Template “{template.name}” deleted.")
    return redirect("web:outreach")


@member_view
@require_POST
def segment_remove(request: MemberRequest, segment_id: int) -> HttpResponse:
    segment = access_segment(workspace=request.user.workspace, segment_id=segment_id)
    try:
        segment_delete(segment=segment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:outreach_segment", segment_id=segment.pk)
    messages.success(request, f"Segment “{segment.name}” deleted.")
    return redirect("web:outreach")


@member_view
@require_http_methods(["GET", "POST"])
def segment_edit(request: MemberRequest, segment_id: int | None = None) -> HttpResponse:
    workspace = request.user.workspace
    segment = access_segment(workspace=workspace, segment_id=segment_id) if segment_id else None
    if request.method == "GET":
        initial = segment_initial(segment) if segment else {}
        form = _segment_form(request, initial=initial)
        bound = _segment_form(request, data={**initial, "name": initial.get("name") or "x"})
        return render(
            request,
            "web/pages/outreach_segment.html",
            {"form": form, "segment": segment, **_count_context(request, bound)},
        )
    form = _segment_form(request, data=request.POST)
    if form.is_valid():
        try:
            name, raw = form.cleaned_data["name"], form.filters()
            saved = (
                segment_update(segment=segment, name=name, filters=raw)
                if segment
                else segment_create(workspace=workspace, name=name, filters=raw)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Segment “{saved.name}” saved.")
            return redirect("web:outreach_segment", segment_id=saved.pk)
    return render(
        request,
        "web/pages/outreach_segment.html",
        {"form": form, "segment": segment, **_count_context(request, form)},
        status=422,
    )


@member_view
@require_POST
def segment_count_part(request: MemberRequest) -> HttpResponse:
    """The count as the filter is being edited (htmx, on every change)."""
    data = request.POST.copy()
    data["name"] = data.get("name") or "unsaved"  # the count does not need a name yet
    context = _count_context(request, _segment_form(request, data=data))
    return render(request, "web/partials/outreach_segment_count.html", context)


# --- campaigns -----------------------------------------------------------------------------


@member_view
@require_http_methods(["GET", "POST"])
def campaign_new(request: MemberRequest) -> HttpResponse:
    workspace = request.user.workspace
    data = request.POST if request.method == "POST" else None
    initial = {"template": request.GET.get("template"), "segment": request.GET.get("segment")}
    form = CampaignForm(data, initial=initial, workspace_id=workspace.pk)
    if request.method == "POST" and form.is_valid():
        send_at, every_weeks = form.schedule()
        try:
            campaign = _create_and_maybe_start(request, form, send_at, every_weeks)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:outreach_campaign", campaign_id=campaign.pk)
    return render(
        request,
        "web/pages/outreach_campaign_new.html",
        {"form": form, "postal_address": workspace.postal_address},
        status=422 if request.method == "POST" else 200,
    )


def _create_and_maybe_start(
    request: MemberRequest, form: CampaignForm, send_at: Any, every_weeks: int | None
) -> Campaign:
    workspace = request.user.workspace
    if not workspace.postal_address.strip():
        raise ValidationError(
            "Add your business's postal address in Settings first: the law "
            "requires it in every marketing email."
        )
    data = form.cleaned_data
    campaign = campaign_create(
        workspace=workspace,
        by=request.user,
        name=data["name"],
        template=data["template"],
        segment=data["segment"],
        send_at=send_at,
        every_weeks=every_weeks,
        require_consent=data["require_consent"],
    )
    if send_at is None:
        campaign_start(campaign=campaign)
    return campaign


def _campaign_context(campaign: Campaign) -> dict[str, Any]:
    campaign.refresh_from_db(fields=["status", "current_run", "next_run_at"])
    reasons = skip_counts(campaign=campaign)
    return {
        "campaign": campaign,
        "progress": campaign_progress(campaign=campaign),
        "run": campaign_run_current(campaign=campaign),
        "skips": [(SkipReason(k).label, n) for k, n in sorted(reasons.items())],
        "live": campaign.status == CampaignStatus.SENDING,
    }


@member_view
@require_GET
def campaign_page(request: MemberRequest, campaign_id: int) -> HttpResponse:
    campaign = access_campaign(workspace=request.user.workspace, campaign_id=campaign_id)
    return render(request, "web/pages/outreach_campaign.html", _campaign_context(campaign))


@member_view
@require_GET
def campaign_progress_part(request: MemberRequest, campaign_id: int) -> HttpResponse:
    campaign = access_campaign(workspace=request.user.workspace, campaign_id=campaign_id)
    return render(request, "web/partials/outreach_progress.html", _campaign_context(campaign))


@member_view
@require_POST
def campaign_action(request: MemberRequest, campaign_id: int, action: str) -> HttpResponse:
    campaign = access_campaign(workspace=request.user.workspace, campaign_id=campaign_id)
    try:
        if action == "pause":
            campaign_pause(campaign=campaign)
        elif action == "resume":
            campaign_resume(campaign=campaign)
        elif action == "start":
            campaign_start(campaign=campaign)
        elif action == "cancel":
            campaign_cancel(campaign=campaign)
        else:
            return HttpResponse("Unknown action", status=404)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("web:outreach_campaign", campaign_id=campaign.pk)
