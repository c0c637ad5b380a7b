"""Sharing an article, personal email and replies, the print queue, the digest settings and the
calendar feed (DESIGN C3, C6). Thin: parse → access → service → render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.access import access_contact, access_followup
from followthrough.accounts.models import Workspace
from followthrough.accounts.services import rate_limit_hit
from followthrough.outreach.extras.calendar import (
    calendar_feed_ics,
    calendar_token_issue,
    calendar_token_revoke,
    calendar_url,
    calendar_user_get,
)
from followthrough.outreach.extras.digest import digest_settings_update
from followthrough.outreach.extras.inbound import inbound_message_receive, inbound_token_rotate
from followthrough.outreach.extras.personal import (
    contact_email_address,
    personal_email_followups,
    personal_email_send,
)
from followthrough.outreach.extras.printing import (
    label_contacts,
    labels_pdf,
    print_queue,
    print_sheet_pdf,
)
from followthrough.outreach.extras.sharing import (
    share_campaign_draft,
    share_candidates,
    share_followups_create,
)
from followthrough.web.forms.outreach_extras import (
    DigestForm,
    PersonalEmailForm,
    PrintQueueForm,
    ShareForm,
)
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    member_view,
    require_admin,
)

# Public endpoints: calendar apps poll every 15 minutes to a few hours, so 120 an hour per
# address leaves room for an office of users behind one address and none for guessing tokens.
FEED_LIMIT, FEED_WINDOW = 120, 3600
INBOUND_LIMIT, INBOUND_WINDOW = 600, 3600

# ----------------------------------------------------------------------------- share


def _contact_ids(request: MemberRequest) -> list[int]:
    try:
        return [int(v) for v in request.POST.getlist("contact")]
    except ValueError:
        raise Http404("No such contact") from None


@member_view
@require_http_methods(["GET", "POST"])
def share(request: MemberRequest) -> HttpResponse:
    """GET with an address and topics lists who it suits; POST plans a follow-up for each
    person ticked, or (as=campaign) drafts a small campaign to everyone it suits."""
    data = request.POST if request.method == "POST" else request.GET
    form = ShareForm(data if "url" in data else None)
    context: dict[str, object] = {"form": form, "candidates": None}
    if not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "web/pages/share.html", context, status=status)
    url, topics, now = form.cleaned_data["url"], form.cleaned_data["topics"], timezone.now()
    if request.method == "POST" and request.POST.get("as") == "campaign":
        try:
            draft = share_campaign_draft(workspace=request.user.workspace, url=url, topics=topics)
        except ValidationError as error:
            context["pick_error"] = " ".join(error.messages)
        else:
            query = urlencode({"template": draft.template.pk, "segment": draft.segment.pk})
            return redirect(f"{reverse('web:outreach_campaign_new')}?{query}")
    elif request.method == "POST":
        try:
            outcome = share_followups_create(
                workspace=request.user.workspace,
                by=request.user,
                url=url,
                topics=topics,
                contact_ids=_contact_ids(request),
                now=now,
            )
        except ValidationError as error:
            context["pick_error"] = " ".join(error.messages)
        else:
            context["outcome"] = outcome
    context["candidates"] = share_candidates(
        workspace=request.user.workspace, topics=topics, now=now
    )
    return render(request, "web/pages/share.html", context)


# ----------------------------------------------------------------------------- personal email


@member_view
@require_http_methods(["GET", "POST"])
def personal_email(request: MemberRequest, contact_id: int) -> HttpResponse:
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    followups = personal_email_followups(contact=contact)
    initial = {"followup": request.GET.get("followup", "")}
    form = PersonalEmailForm(request.POST or None, initial=initial, followups=followups)
    if request.method == "POST" and form.is_valid():
        followup_id = form.cleaned_data["followup"]
        followup = (
            access_followup(workspace=request.user.workspace, followup_id=followup_id)
            if followup_id
            else None
        )
        try:
            personal_email_send(
                contact=contact,
                by=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                followup=followup,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Email sent to {contact.name} and logged.")
            return redirect("web:contact", contact_id=contact.pk)
    context = {"contact": contact, "form": form, "to": contact_email_address(contact)}
    status = 400 if request.method == "POST" else 200
    return render(request, "web/pages/personal_email.html", context, status=status)


# ----------------------------------------------------------------------------- print queue


def _queue(request: MemberRequest) -> list:  # type: ignore[type-arg]
    form = PrintQueueForm(request.GET)
    ahead = form.cleaned_data["ahead"] if form.is_valid() else 0
    return print_queue(
        workspace=request.user.workspace,
        user=request.user,
        now=timezone.now(),
        tz_name=request.user.local_timezone,
        days_ahead=ahead or 0,
    )


@member_view
@require_GET
def print_queue_page(request: MemberRequest) -> HttpResponse:
    items = _queue(request)
    with_address, without = label_contacts(items)
    context = {
        "form": PrintQueueForm(request.GET or None),
        "items": items,
        "labels": len(with_address),
        "no_address": without,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/pages/print_queue.html", context)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@member_view
@require_GET
def print_sheet(request: MemberRequest) -> HttpResponse:
    items = _queue(request)
    content = print_sheet_pdf(
        items=items, workspace=request.user.workspace, tz_name=request.user.local_timezone
    )
    return _pdf(content, "print-queue.pdf")


@member_view
@require_GET
def print_labels(request: MemberRequest) -> HttpResponse:
    with_address, _ = label_contacts(_queue(request))
    return _pdf(labels_pdf(contacts=with_address), "mailing-labels.pdf")


# ----------------------------------------------------------------------------- account


def _account(request: MemberRequest, **extra: object) -> HttpResponse:
    """The account page (web.views.auth.account) with a one-time message in it."""
    context = {"form": PasswordChangeForm(request.user), **extra}
    return render(request, "web/pages/account.html", context)


@member_view
@require_POST
def account_digest(request: MemberRequest) -> HttpResponse:
    form = DigestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an hour from the list.")
        return redirect("web:account")
    digest_settings_update(
        user=request.user,
        enabled=form.cleaned_data["digest_enabled"],
        hour=form.cleaned_data["digest_hour"],
    )
    if form.cleaned_data["digest_enabled"]:
        hour = form.cleaned_data["digest_hour"]
        messages.success(request, f"Your digest comes every day at {hour:02d}:00.")
    else:
        messages.success(request, "The daily digest is off.")
    return redirect("web:account")


@member_view
@require_POST
def calendar_token_new(request: MemberRequest) -> HttpResponse:
    # Rendered, not redirected: the secret URL must not sit in a session or a redirect.
    raw = calendar_token_issue(user=request.user)
    return _account(request, calendar_url=calendar_url(raw=raw))


@member_view
@require_POST
def calendar_token_delete(request: MemberRequest) -> HttpResponse:
    calendar_token_revoke(user=request.user)
    messages.success(request, "Calendar feed turned off; the old address no longer works.")
    return redirect("web:account")


@member_view
@require_POST
def inbound_address_new(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    address = inbound_token_rotate(workspace=request.user.workspace)
    messages.success(request, f"New reply address: {address}. Update your forwarding rules.")
    return redirect("web:account")


# ----------------------------------------------------------------------------- public


def _throttled(request: HttpRequest, kind: str, limit: int, window: int) -> bool:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded header it likes.
    key = f"{kind}:ip:{request.META.get('REMOTE_ADDR', '')}"
    return not rate_limit_hit(key=key, limit=limit, window_seconds=window)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public, for calendar apps: the token in the URL is the only credential."""
    if _throttled(request, "calendar", FEED_LIMIT, FEED_WINDOW):
        return HttpResponse("Too many requests", status=429, headers={"Retry-After": "600"})
    user = calendar_user_get(raw=token)
    if user is None:
        raise Http404("No such calendar")
    ics = calendar_feed_ics(user=user, now=timezone.now())
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@csrf_exempt
@require_POST
def inbound_post(request: HttpRequest, token: str) -> HttpResponse:
    """A raw RFC 5322 message POSTed by a mail service (e.g. a "forward as raw MIME" webhook)
    to /hooks/inbound/<workspace reply token>/."""
    if _throttled(request, "inbound", INBOUND_LIMIT, INBOUND_WINDOW):
        return JsonResponse({"detail": "Too many requests"}, status=429)
    workspace = Workspace.objects.filter(inbound_token=token).first() if token else None
    if workspace is None:
        raise Http404("No such reply address")
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with a 400 by itself.
    if not request.body.strip():
        return JsonResponse({"detail": "Send the raw message as the request body."}, status=400)
    result = inbound_message_receive(raw=request.body, workspace=workspace)
    return JsonResponse({"status": str(result.status)})
