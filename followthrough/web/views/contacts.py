"""The contact list (search, filters, pages) and the contact create/edit form."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import access_contact
from followthrough.accounts.selectors import user_list
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_list, tag_list
from followthrough.people.services import contact_create, contact_update
from followthrough.web.forms.people import (
    COMMON_TIMEZONES,
    ContactFilterForm,
    ContactForm,
    contact_initial,
)
from followthrough.web.views.common import MemberRequest, add_service_errors, is_htmx, member_view

PAGE_SIZE = 50
TEMPLATES = {"contacts": "web/pages/contacts.html", "results": "web/partials/contact_results.html"}
REFERRER_OPTIONS = 20


@member_view
@require_GET
def contacts(request: MemberRequest) -> HttpResponse:
    if request.GET.get("as") == "options":
        return _referrer_options(request)
    workspace = request.user.workspace
    form = ContactFilterForm(request.GET, members=user_list(workspace=workspace))
    found = contact_list(workspace=workspace, now=timezone.now(), **form.filters())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "tags": tag_list(workspace=workspace),
               "filtered": any(request.GET.get(k) for k in form.fields),
               "next_url": request.get_full_path()}
    template = "results" if is_htmx(request) else "contacts"
    response = render(request, TEMPLATES[template], context)
    # The same URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _referrer_options(request: MemberRequest) -> HttpResponse:
    """<option>s for the "referred by" box, matching what has been typed so far."""
    typed = request.GET.get("referred_by", request.GET.get("q", "")).strip()
    found: list[Contact] = []
    if typed and not typed.startswith("#"):
        found = list(contact_list(workspace=request.user.workspace, query=typed,
                                  now=timezone.now())[:REFERRER_OPTIONS])
    return render(request, "web/partials/referrer_options.html", {"found": found})


def _form_context(form: ContactForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, "timezones": COMMON_TIMEZONES, "tags": tag_list(workspace=form.workspace),
            **extra}


@member_view
@require_http_methods(["GET", "POST"])
def contact_new(request: MemberRequest) -> HttpResponse:
    workspace = request.user.workspace
    initial = {"owner": request.user, "organization": request.GET.get("organization")}
    form = ContactForm(request.POST or None, workspace=workspace, initial=initial)
    duplicates: list[Contact] = []
    if request.method == "POST" and form.is_valid():
        duplicates = form.duplicates()
        if duplicates:
            _remember_seen(form, duplicates)
        else:
            try:
                contact = contact_create(workspace=workspace, by=request.user,
                                         **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{contact.name} added.")
                return redirect("web:contact", contact_id=contact.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/pages/contact_form.html",
                  _form_context(form, duplicates=duplicates), status=status)


def _remember_seen(form: ContactForm, duplicates: list[Contact]) -> None:
    """Put the warned-about ids in the hidden field: the next submit means "create anyway" for
    exactly these people, and a newly typed duplicate still gets its own warning."""
    seen = {s for s in form.cleaned_data.get("duplicates_seen", "").split(",") if s}
    data = QueryDict(mutable=True)
    data.update(form.data)
    data["duplicates_seen"] = ",".join(sorted(seen | {str(c.pk) for c in duplicates}))
    form.data = data


@member_view
@require_http_methods(["GET", "POST"])
def contact_edit(request: MemberRequest, contact_id: int) -> HttpResponse:
    workspace = request.user.workspace
    contact = access_contact(workspace=workspace, contact_id=contact_id)
    form = ContactForm(request.POST or None, workspace=workspace, contact=contact,
                       initial=contact_initial(contact))
    if request.method == "POST" and form.is_valid():
        try:
            contact_update(contact=contact, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{contact.name} saved.")
            return redirect("web:contact", contact_id=contact.pk)
        contact.refresh_from_db()  # the failed update changed the object, not the row
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/pages/contact_form.html", _form_context(form, contact=contact),
                  status=status)
