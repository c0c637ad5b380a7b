"""Public endpoints that receive events: Stripe, Shopify and lead forms.

They verify before they store, answer quickly, and leave playbook evaluation to the worker. A
failed check stores nothing. They never redirect to a URL taken from the request.
"""

import json
import time
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.accounts.services import rate_limit_hit
from followthrough.core.signatures import shopify_verify, stripe_verify
from followthrough.events.models import Integration, LeadForm
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.events.sources import shopify_order_input, stripe_event_input
from followthrough.people.services import contact_record_consent
from followthrough.playbooks.tasks import events_enqueue

MAX_BODY = 1024 * 1024
FORM_LIMIT = 5  # submissions per address per window
FORM_WINDOW = 10 * 60
HONEYPOT = "website"


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _record(integration: Integration, item: EventInput) -> None:
    """Store the event; an unreadable phone number must not lose a purchase, so it is retried
    without it (the email or customer id still finds or creates the person)."""
    try:
        event_record(
            workspace=integration.workspace, item=item, after_commit=lambda e: events_enqueue([e])
        )
    except ValidationError as error:
        if "contact.phone" not in error.message_dict:
            raise
        item = replace(item, contact=replace(item.contact, phone=""))
        event_record(
            workspace=integration.workspace, item=item, after_commit=lambda e: events_enqueue([e])
        )


@csrf_exempt
@require_POST
def stripe_hook(request: HttpRequest) -> HttpResponse:
    body = request.body
    if len(body) > MAX_BODY:
        return _bad("Too large.", 413)
    header = request.headers.get("Stripe-Signature", "")
    integrations = Integration.objects.filter(kind=Integration.Kind.STRIPE).select_related(
        "workspace"
    )
    now = time.time()
    match = next(
        (
            i
            for i in integrations
            if stripe_verify(
                header=header, body=body, secrets=[i.secret, i.previous_secret], now=now
            )
        ),
        None,
    )
    if match is None:
        return _bad("Invalid or expired Stripe-Signature.")
    try:
        payload = json.loads(body)
    except ValueError:
        return _bad("The body is not JSON.")
    item = stripe_event_input(payload) if isinstance(payload, dict) else None
    if item is None:
        return JsonResponse({"received": True, "used": False})
    try:
        _record(match, item)
    except ValidationError as error:
        return JsonResponse({"error": error.message_dict}, status=422)
    return JsonResponse({"received": True, "used": True})


@csrf_exempt
@require_POST
def shopify_hook(request: HttpRequest) -> HttpResponse:
    body = request.body
    if len(body) > MAX_BODY:
        return _bad("Too large.", 413)
    header = request.headers.get("X-Shopify-Hmac-Sha256", "")
    integrations = Integration.objects.filter(kind=Integration.Kind.SHOPIFY).select_related(
        "workspace"
    )
    match = next(
        (
            i
            for i in integrations
            if shopify_verify(header=header, body=body, secrets=[i.secret, i.previous_secret])
        ),
        None,
    )
    if match is None:
        return _bad("Invalid X-Shopify-Hmac-Sha256.")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "")
    if not webhook_id:
        return _bad("X-Shopify-Webhook-Id is missing.")
    if request.headers.get("X-Shopify-Topic", "") != "orders/create":
        return JsonResponse({"received": True, "used": False})
    try:
        payload = json.loads(body)
    except ValueError:
        return _bad("The body is not JSON.")
    if not isinstance(payload, dict):
        return _bad("The body is not a JSON object.")
    try:
        _record(match, shopify_order_input(payload, webhook_id=webhook_id))
    except ValidationError as error:
        return JsonResponse({"error": error.message_dict}, status=422)
    return JsonResponse({"received": True, "used": True})


def _client_ip(request: HttpRequest) -> str:
    # The direct peer only: X-Forwarded-For is set by whoever sends the request.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _form_fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


@csrf_exempt
@require_http_methods(["GET", "POST"])
def lead_form(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows a hosted form; POST (form-encoded or JSON) records a lead."""
    form = get_object_or_404(LeadForm.objects.select_related("workspace"), slug=slug, enabled=True)
    if request.method == "GET":
        return render(request, "events/lead_form.html", {"form": form, "values": {}})
    if not rate_limit_hit(
        key=f"form:{form.pk}:{_client_ip(request)}", limit=FORM_LIMIT, window_seconds=FORM_WINDOW
    ):
        return _form_answer(
            request, form, {"error": "Too many submissions; try again later."}, status=429
        )
    fields = _form_fields(request)
    if str(fields.get(HONEYPOT) or "").strip():
        # A bot filled the hidden field: answer as if all went well and keep nothing.
        return _form_answer(request, form, {"ok": True})
    errors = _form_errors(fields)
    if errors:
        return _form_answer(request, form, {"errors": errors, "values": fields}, status=422)
    try:
        _form_record(form, fields, consent=_truthy(fields.get("consent")))
    except ValidationError as error:
        errors = {k.removeprefix("contact."): v for k, v in error.message_dict.items()}
        return _form_answer(request, form, {"errors": errors, "values": fields}, status=422)
    return _form_answer(request, form, {"ok": True})


def _truthy(value: object) -> bool:
    return str(value).lower() in {"1", "on", "true", "yes"}


def _form_errors(fields: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(fields.get("name") or "").strip():
        errors["name"] = ["Please tell us your name."]
    if not (str(fields.get("email") or "").strip() or str(fields.get("phone") or "").strip()):
        errors["email"] = ["Leave an email address or a phone number so we can answer."]
    return errors


def _form_record(form: LeadForm, fields: dict[str, Any], *, consent: bool) -> None:
    now = timezone.now()
    item = EventInput(
        type="lead.created",
        occurred_at=now,
        source=f"form:{form.slug}",
        contact=ContactRef(
            email=str(fields.get("email") or "").strip(),
            phone=str(fields.get("phone") or "").strip(),
            name=str(fields.get("name") or "").strip()[:200],
        ),
        data={
            "channel": "web_form",
            "form": form.name,
            "message": str(fields.get("message") or "")[:4000],
        },
    )
    with transaction.atomic():
        event = event_record(
            workspace=form.workspace, item=item, after_commit=lambda e: events_enqueue([e])
        )
        tags = [t for t in (s.strip() for s in form.tags.split(",")) if t]
        contact_record_consent(
            contact=event.contact,
            given=consent,
            at=now,
            method="web_form",
            wording=form.consent_wording,
            tags=tags,
        )


def _form_answer(
    request: HttpRequest, form: LeadForm, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    if request.content_type == "application/json":
        return JsonResponse({k: v for k, v in context.items() if k != "values"}, status=status)
    if context.get("ok") and form.thank_you_url:
        # Only the address configured for this form: never one from the request.
        return HttpResponseRedirect(form.thank_you_url)
    template = "events/lead_form_thanks.html" if context.get("ok") else "events/lead_form.html"
    return render(request, template, {"form": form, **context}, status=status)
