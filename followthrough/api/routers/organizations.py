"""/api/v1/organizations: companies and households our contacts belong to."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, PatchDict, Query, Router, Schema, Status

from followthrough.access import access_organization, access_user
from followthrough.accounts.models import Workspace
from followthrough.api.auth import request_user
from followthrough.api.errors import ref
from followthrough.api.paging import PageParams, page_of
from followthrough.api.schemas import OrganizationIn, OrganizationOut, OrganizationPage
from followthrough.people.models import Organization
from followthrough.people.selectors import organization_list
from followthrough.people.services import organization_create, organization_update

router = Router(tags=["organizations"])


class OrganizationFilters(Schema):
    q: str = Field("", max_length=200, description="Words of the name.")


@router.get("", response=OrganizationPage, summary="List organizations")
def list_organizations(
    request: HttpRequest, filters: Query[OrganizationFilters], page: Query[PageParams]
) -> dict[str, Any]:
    workspace = request_user(request).workspace
    return page_of(organization_list(workspace=workspace, query=filters.q), page)


@router.post("", response={201: OrganizationOut}, summary="Create an organization")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[Organization]:
    workspace = request_user(request).workspace
    fields = _fields(workspace, payload.model_dump(exclude_unset=True))
    return Status(201, organization_create(workspace=workspace, fields=fields))


@router.get("/{organization_id}", response=OrganizationOut, summary="One organization")
def get_organization(request: HttpRequest, organization_id: int) -> Organization:
    workspace = request_user(request).workspace
    return access_organization(workspace=workspace, organization_id=organization_id)


@router.patch("/{organization_id}", response=OrganizationOut, summary="Change an organization")
def update_organization(
    request: HttpRequest, organization_id: int, payload: PatchDict[OrganizationIn]
) -> Organization:
    workspace = request_user(request).workspace
    organization = access_organization(workspace=workspace, organization_id=organization_id)
    return organization_update(organization=organization, fields=_fields(workspace, payload))


def _fields(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = None if owner_id is None else ref(
            access_user, ("body", "owner_id"), workspace=workspace, user_id=owner_id
        )
    return data
