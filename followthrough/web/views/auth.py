"""Logging in (with throttling of failed attempts), logging out, the password, API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.access import access_api_token
from followthrough.accounts.selectors import api_token_list
from followthrough.accounts.services import (
    api_token_create,
    api_token_revoke,
    rate_limit_clear,
    rate_limit_hit,
    rate_limit_peek,
)
from followthrough.web.forms.accounts import LoginForm, TokenForm
from followthrough.web.views.common import MemberRequest, member_view, safe_next

THROTTLED = "Too many failed attempts. Wait 15 minutes and try again."
WRONG = "That email and password do not match."


def _throttle_keys(request: HttpRequest, email: str) -> list[str]:
    # REMOTE_ADDR, not X-Forwarded-For: a client can write any forwarded header it likes.
    return [f"login:email:{email}", f"login:ip:{request.META.get('REMOTE_ADDR', '')}"]


def _throttled(keys: list[str]) -> bool:
    return not all(
        rate_limit_peek(key=key, limit=settings.LOGIN_THROTTLE_LIMIT,
                        window_seconds=settings.LOGIN_THROTTLE_WINDOW)
        for key in keys
    )


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    default = resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(default)
        form = LoginForm(initial={"next": request.GET.get("next", "")})
        return render(request, "web/pages/login.html", {"form": form})
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render(request, "web/pages/login.html", {"form": form}, status=400)
    email, keys = form.cleaned_data["email"], _throttle_keys(request, form.cleaned_data["email"])
    # While throttled the password is not even checked, so guessing gains nothing.
    if _throttled(keys):
        form.add_error(None, THROTTLED)
        return render(request, "web/pages/login.html", {"form": form}, status=429)
    user = authenticate(request, email=email, password=form.cleaned_data["password"])
    if user is None:
        for key in keys:
            rate_limit_hit(key=key, limit=settings.LOGIN_THROTTLE_LIMIT,
                           window_seconds=settings.LOGIN_THROTTLE_WINDOW)
        form.add_error(None, WRONG)
        return render(request, "web/pages/login.html", {"form": form}, status=400)
    rate_limit_clear(key=keys[0])
    login(request, user)
    return redirect(safe_next(request, form.cleaned_data["next"], default))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@member_view
@require_http_methods(["GET", "POST"])
def account(request: MemberRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Keeps this session logged in; the user's other sessions end with the old password.
        update_session_auth_hash(request, form.user)
        messages.success(request, "Your password is changed.")
        return redirect("web:account")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/pages/account.html", {"form": form}, status=status)


@member_view
@require_http_methods(["GET", "POST"])
def tokens(request: MemberRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        # Rendered here rather than redirected: the raw token must not sit in a session or URL.
        _, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {"form": form, "raw_token": raw, "tokens": api_token_list(user=request.user)}
    status = 400 if request.method == "POST" and raw is None else 200
    return render(request, "web/pages/tokens.html", context, status=status)


@member_view
@require_POST
def token_revoke(request: MemberRequest, token_id: int) -> HttpResponse:
    token = access_api_token(user=request.user, token_id=token_id)
    if token.revoked_at is None:
        api_token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("web:tokens")
