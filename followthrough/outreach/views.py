"""The public links in every campaign email: /u/<token> (unsubscribe) and /t/<token> (click).

Neither needs a login or a cookie. A token that is not ours, or names nothing, answers 404.
Both are rate limited per client address, like the other public endpoints; the one-click
unsubscribe POST has a budget of its own.
"""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.accounts.services import rate_limit_hit
from followthrough.outreach.models import OutboxMessage
from followthrough.outreach.services import link_click, recipient_unsubscribe
from followthrough.outreach.tokens import click_token_read, unsubscribe_token_read

PUBLIC_LIMIT = 120  # GETs of /u/ or /t/ per client address per minute
# One-click POSTs come from the mailbox provider's servers, one address for many recipients, and
# each is an unsubscribe we must honour: a larger budget, and one that GETs cannot use up.
ONE_CLICK_LIMIT = 600
PUBLIC_WINDOW = 60


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _throttled(request: HttpRequest, kind: str, limit: int) -> bool:
    return not rate_limit_hit(
        key=f"outreach:{kind}:{_client_ip(request)}",
        limit=limit,
        window_seconds=PUBLIC_WINDOW,
    )


def _too_many() -> HttpResponse:
    """429, with nothing done (a throttled unsubscribe must not look like it worked)."""
    response = HttpResponse("Too many requests; try again in a minute.", status=429)
    response["Retry-After"] = str(PUBLIC_WINDOW)
    return response


def _message(message_id: int | None) -> OutboxMessage:
    if message_id is None:
        raise Http404("No such link")
    message = (
        OutboxMessage.objects.select_related("workspace", "campaign", "contact")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise Http404("No such link")
    return message


@csrf_exempt  # RFC 8058: mail clients POST without any cookie or token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a page with a button and never unsubscribes (link scanners follow GETs);
    POST, from that button or a mail client's one-click, unsubscribes at once: 200, no redirect.
    GETs and POSTs are counted apart, so a link scanner's GETs cannot make a genuine
    unsubscribe answer 429."""
    kind, limit = ("u-post", ONE_CLICK_LIMIT) if request.method == "POST" else ("u", PUBLIC_LIMIT)
    if _throttled(request, kind, limit):
        return _too_many()
    message = _message(unsubscribe_token_read(token))
    context = {"message": message, "workspace": message.workspace, "token": token}
    if request.method == "GET":
        return render(request, "web/pages/outreach_unsubscribe.html", context)
    recipient_unsubscribe(message=message)
    return render(request, "web/pages/outreach_unsubscribe.html", {**context, "done": True})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_preview(request: HttpRequest) -> HttpResponse:
    """Where the unsubscribe link of a test email leads: it says what the real link does, and
    unsubscribes nobody (the test went to the sender, not to a recipient)."""
    if _throttled(request, "u", PUBLIC_LIMIT):
        return _too_many()
    return render(request, "web/pages/outreach_unsubscribe.html", {"preview": True})


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """302 to the link stored for this message, after recording the click; never to a URL
    taken from the request."""
    if _throttled(request, "t", PUBLIC_LIMIT):
        return _too_many()
    parsed = click_token_read(token)
    message = _message(parsed[0] if parsed else None)
    url = link_click(message=message, index=parsed[1]) if parsed else None
    if url is None:
        raise Http404("No such link")
    return HttpResponseRedirect(url)
