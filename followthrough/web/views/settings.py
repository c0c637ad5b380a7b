"""The workspace's settings (owner and admins only): the business and its calendar, the cadence
per tier, the Stripe and Shopify signing secrets, and the public lead forms."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import access_lead_form
from followthrough.accounts.services import workspace_update
from followthrough.events.models import Integration, LeadForm
from followthrough.events.selectors import integration_list, lead_form_list
from followthrough.events.services import integration_set_secret, lead_form_save
from followthrough.web.describe import masked
from followthrough.web.forms.people import COMMON_TIMEZONES
from followthrough.web.forms.settings import (
    LeadFormForm,
    SecretForm,
    WorkspaceForm,
    lead_form_initial,
    workspace_initial,
)
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    member_view,
    require_admin,
)

# Where each sender's dashboard asks for our URL, so the page can say where to paste it.
WHERE = {
    Integration.Kind.STRIPE: "Stripe Dashboard → Developers → Webhooks → Add endpoint; "
    "send invoice.finalized, invoice.paid, invoice.payment_failed, invoice.overdue and "
    "charge.succeeded, then copy the endpoint’s signing secret (whsec_…) here.",
    Integration.Kind.SHOPIFY: "Shopify admin → Settings → Notifications → Webhooks → Create "
    "webhook; event “Order creation”, format JSON, then copy the signing secret shown under "
    "the list here.",
}


def public_url(name: str, *args: Any) -> str:
    return settings.BASE_URL + reverse(name, args=args)


def _integrations(workspace: Any, forms: dict[str, SecretForm]) -> list[dict[str, Any]]:
    stored = integration_list(workspace=workspace)
    return [
        {"kind": kind.value, "label": kind.label, "integration": stored.get(kind.value),
         "form": forms.get(kind.value) or SecretForm(auto_id=f"{kind.value}_%s"),
         "webhook_url": public_url(f"hooks:{kind.value}"), "where": WHERE[kind]}
        for kind in Integration.Kind
    ]


def _page(request: MemberRequest, *, form: WorkspaceForm | None = None,
          secret_forms: dict[str, SecretForm] | None = None, status: int = 200) -> HttpResponse:
    workspace = request.user.workspace
    context = {
        "form": form or WorkspaceForm(initial=workspace_initial(workspace)),
        "integrations": _integrations(workspace, secret_forms or {}),
        "lead_forms": [(f, public_url("hooks:form", f.slug))
                       for f in lead_form_list(workspace=workspace)],
        "timezones": COMMON_TIMEZONES,
    }
    return render(request, "web/pages/settings.html", context, status=status)


@member_view
@require_http_methods(["GET", "POST"])
def workspace_settings(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    if request.method == "GET":
        return _page(request)
    workspace = request.user.workspace
    form = WorkspaceForm(request.POST, initial=workspace_initial(workspace))
    if form.is_valid():
        try:
            workspace_update(workspace=workspace, fields=form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("web:settings")
    return _page(request, form=form, status=422)


@member_view
@require_POST
def integration_secret(request: MemberRequest, kind: str) -> HttpResponse:
    require_admin(request)
    if kind not in Integration.Kind.values:
        raise Http404("No such integration")
    form = SecretForm(request.POST, auto_id=f"{kind}_%s")
    if form.is_valid():
        try:
            saved = integration_set_secret(workspace=request.user.workspace, kind=kind,
                                           secret=form.cleaned_data["secret"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _secret_saved(saved))
            return redirect(reverse("web:settings") + "#integrations")
    return _page(request, secret_forms={kind: form}, status=422)


def _secret_saved(integration: Integration) -> str:
    text = f"{integration.get_kind_display()} signing secret {masked(integration.secret)} saved."
    if integration.previous_secret:
        text += f" The previous one ({masked(integration.previous_secret)}) is still accepted."
    return text


def _lead_form_page(request: MemberRequest, lead_form: LeadForm | None) -> HttpResponse:
    initial = lead_form_initial(lead_form) if lead_form else None
    form = LeadFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = lead_form_save(workspace=request.user.workspace,
                                   fields=form.service_fields(), form=lead_form)
        except ValidationError as error:
            add_service_errors(form, error)
            if lead_form is not None:  # the service set the typed values on it before refusing
                lead_form.refresh_from_db()
        else:
            messages.success(request, f"Lead form “{saved.name}” saved.")
            return redirect("web:lead_form", lead_form_id=saved.pk)
    context: dict[str, Any] = {"form": form, "lead_form": lead_form}
    if lead_form is not None and lead_form.pk:
        url = public_url("hooks:form", lead_form.slug)
        context["public_url"] = url
        context["snippet"] = render_to_string("web/snippets/lead_form.html",
                                              {"url": url, "lead_form": lead_form}).strip()
    status = 422 if request.method == "POST" else 200
    return render(request, "web/pages/lead_form.html", context, status=status)


@member_view
@require_http_methods(["GET", "POST"])
def lead_form_new(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    return _lead_form_page(request, None)


@member_view
@require_http_methods(["GET", "POST"])
def lead_form_edit(request: MemberRequest, lead_form_id: int) -> HttpResponse:
    lead_form = access_lead_form(workspace=request.user.workspace, lead_form_id=lead_form_id)
    require_admin(request)
    return _lead_form_page(request, lead_form)
