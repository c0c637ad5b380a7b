"""What every page of the web UI shares: the member-only decorator, htmx detection, safe
redirects and turning a service's ValidationError into errors next to the form's fields."""

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from followthrough.accounts.models import User


class MemberRequest(HttpRequest):
    """For typing only: a request whose user is a logged-in member (what `member_view` ensures)."""

    user: User


V = TypeVar("V", bound=Callable[..., HttpResponse])


def member_view(view: V) -> V:
    """Login required, and dates shown in the reader's own time zone.

    Pages are rendered inside the view (with `render`, not a lazy TemplateResponse) so that the
    time zone override is still active when the template formats dates.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            if is_htmx(request):
                # A swapped-in login form inside an agenda row would be confusing: go to the page.
                query = urlencode({"next": request.get_full_path()})
                login = f"{resolve_url(settings.LOGIN_URL)}?{query}"
                return HttpResponse(headers={"HX-Redirect": login})
            return redirect_to_login(request.get_full_path())
        with timezone.override(request.user.local_timezone):
            return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_htmx(request: HttpRequest) -> bool:
    """True for an htmx partial request. A history restore wants the whole page back."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    """`candidate` when it points into this site, else `default`: never an open redirect."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def add_service_errors(
    form: forms.Form, error: ValidationError, rename: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError next to the field it names (after `rename`, for fields
    the form calls differently); anything else goes to the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def local_when(moment: datetime) -> str:
    """"Tue 24 Nov, 09:00" in the reader's time zone (for messages; templates do it themselves)."""
    return date_format(timezone.localtime(moment), "D j M, H:i")


def require_admin(request: MemberRequest) -> None:
    """Only the workspace's owner or an admin may change its setup (playbooks, settings)."""
    if not request.user.is_admin:
        raise PermissionDenied("Only the workspace's owner or an admin can change this.")
