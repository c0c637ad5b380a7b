"""Organizations: the list (search by name), the create/edit form, and a page with their people."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import access_organization
from followthrough.accounts.selectors import user_list
from followthrough.people.models import Organization
from followthrough.people.selectors import organization_contacts, organization_list
from followthrough.people.services import organization_create, organization_update
from followthrough.web.forms.people import OrganizationForm, organization_initial
from followthrough.web.views.common import MemberRequest, add_service_errors, is_htmx, member_view

PAGE_SIZE = 50


@member_view
@require_GET
def organizations(request: MemberRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = organization_list(workspace=request.user.workspace, query=query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    template = ("web/partials/organization_results.html" if is_htmx(request)
                else "web/pages/organizations.html")
    return render(request, template, {"page": page, "q": query})


@member_view
@require_GET
def organization_page(request: MemberRequest, organization_id: int) -> HttpResponse:
    organization = access_organization(workspace=request.user.workspace,
                                       organization_id=organization_id)
    context = {"organization": organization,
               "contacts": organization_contacts(organization=organization)}
    return render(request, "web/pages/organization.html", context)


@member_view
@require_http_methods(["GET", "POST"])
def organization_new(request: MemberRequest) -> HttpResponse:
    return _edit(request, None)


@member_view
@require_http_methods(["GET", "POST"])
def organization_edit(request: MemberRequest, organization_id: int) -> HttpResponse:
    organization = access_organization(workspace=request.user.workspace,
                                       organization_id=organization_id)
    return _edit(request, organization)


def _edit(request: MemberRequest, organization: Organization | None) -> HttpResponse:
    workspace = request.user.workspace
    initial = organization_initial(organization) if organization else {"owner": request.user}
    form = OrganizationForm(request.POST or None, members=user_list(workspace=workspace),
                            initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if organization is None:
                organization = organization_create(workspace=workspace,
                                                   fields=form.service_fields())
            else:
                organization = organization_update(organization=organization,
                                                   fields=form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organization.name} saved.")
            return redirect("web:organization", organization_id=organization.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/pages/organization_form.html",
                  {"form": form, "organization": organization}, status=status)
