"""/api/v1/contacts: the people we follow up with."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import PatchDict, Query, Router, Status

from followthrough.access import access_contact, access_organization, access_user
from followthrough.accounts.models import Workspace
from followthrough.api.auth import request_user
from followthrough.api.errors import ref
from followthrough.api.paging import PageParams, page_of
from followthrough.api.schemas import ContactFilters, ContactIn, ContactOut, ContactPage
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_list
from followthrough.people.services import DateInput, PhoneInput, contact_create, contact_update

router = Router(tags=["contacts"])

_DETAILS = ("emails", "phones", "tags", "dates")


@router.get("", response=ContactPage, summary="Search and filter contacts")
def list_contacts(
    request: HttpRequest, filters: Query[ContactFilters], page: Query[PageParams]
) -> dict[str, Any]:
    workspace = request_user(request).workspace
    owner = None
    if filters.owner is not None:
        owner = ref(access_user, ("query", "owner"), workspace=workspace, user_id=filters.owner)
    contacts = contact_list(
        workspace=workspace, query=filters.q, stage=filters.stage or "",
        tier="" if filters.tier == "none" else filters.tier,
        owner=owner, tag=filters.tag, touched=filters.touched or "", flagged=filters.flagged,
        now=timezone.now(),
    )
    return page_of(contacts.prefetch_related(*_DETAILS), page)


@router.post("", response={201: ContactOut}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[Contact]:
    user = request_user(request)
    args = _service_args(user.workspace, payload.model_dump(exclude_unset=True))
    return Status(201, contact_create(workspace=user.workspace, by=user, **args))


@router.get("/{contact_id}", response=ContactOut, summary="One contact")
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return access_contact(workspace=request_user(request).workspace, contact_id=contact_id)


@router.patch("/{contact_id}", response=ContactOut, summary="Change some fields of a contact")
def update_contact(
    request: HttpRequest, contact_id: int, payload: PatchDict[ContactIn]
) -> Contact:
    workspace = request_user(request).workspace
    contact = access_contact(workspace=workspace, contact_id=contact_id)
    return contact_update(contact=contact, **_service_args(workspace, dict(payload)))


def _service_args(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """The request body as contact_create / contact_update arguments. Lists that were not sent
    are left out, so an update keeps what the contact has."""
    args: dict[str, Any] = {}
    emails, tags = data.pop("emails", None), data.pop("tags", None)
    phones, dates = data.pop("phones", None), data.pop("dates", None)
    if emails is not None:
        args["emails"] = emails
    if tags is not None:
        args["tags"] = tags
    if phones is not None:
        args["phones"] = [PhoneInput(p["number"], p.get("label", "")) for p in phones]
    if dates is not None:
        args["dates"] = [DateInput(**d) for d in dates]
    preferences = data.pop("preferences", None) or {}
    fields = {f"pref_{medium}": value for medium, value in preferences.items() if value is not None}
    fields.update(_referenced_rows(workspace, data))
    fields.update(data)
    args["fields"] = fields
    return args


def _referenced_rows(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    lookups: dict[str, tuple[str, Callable[..., Any], str]] = {
        "organization_id": ("organization", access_organization, "organization_id"),
        "owner_id": ("owner", access_user, "user_id"),
        "referred_by_id": ("referred_by", access_contact, "contact_id"),
    }
    rows: dict[str, Any] = {}
    for key, (field, lookup, arg) in lookups.items():
        if key not in data:
            continue
        value = data.pop(key)
        rows[field] = None if value is None else ref(
            lookup, ("body", key), workspace=workspace, **{arg: value}
        )
    return rows
