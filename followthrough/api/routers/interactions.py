"""/api/v1/interactions: the tracking log (one row per touch)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from followthrough.access import access_contact, access_interaction, access_user
from followthrough.accounts.models import Workspace
from followthrough.activity.models import Interaction
from followthrough.activity.selectors import interaction_list
from followthrough.activity.services import NextFollowUp, interaction_log
from followthrough.api.auth import request_user
from followthrough.api.errors import errors_under, ref
from followthrough.api.paging import PageParams, page_of
from followthrough.api.schemas import (
    InteractionIn,
    InteractionOut,
    InteractionPage,
    LoggedOut,
    NextFollowUpIn,
)

router = Router(tags=["interactions"])

# Errors the follow-up service raises when "log and schedule next" plans the next touch.
NEXT_FOLLOWUP_FIELDS = frozenset({"purpose", "due", "channel", "assignee"})


class InteractionFilters(Schema):
    contact: int | None = Field(None, description="Only this contact's touches.")


@router.get("", response=InteractionPage, summary="The tracking log, newest first")
def list_interactions(
    request: HttpRequest, filters: Query[InteractionFilters], page: Query[PageParams]
) -> dict[str, Any]:
    workspace = request_user(request).workspace
    contact = None
    if filters.contact is not None:
        contact = ref(access_contact, ("query", "contact"), workspace=workspace,
                      contact_id=filters.contact)
    return page_of(interaction_list(workspace=workspace, contact=contact), page)


@router.post("", response={201: LoggedOut}, summary="Log a touch (and schedule the next)")
def log_interaction(request: HttpRequest, payload: InteractionIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    contact = ref(access_contact, ("body", "contact_id"), workspace=user.workspace,
                  contact_id=payload.contact_id)
    schedule_next = None
    if payload.schedule_next is not None:
        schedule_next = followup_plan(user.workspace, payload.schedule_next)
    with errors_under("schedule_next", NEXT_FOLLOWUP_FIELDS, active=schedule_next is not None):
        interaction, followup = interaction_log(
            contact=contact, by=user, channel=payload.channel, summary=payload.summary,
            direction=payload.direction, occurred_at=payload.occurred_at, needs=payload.needs,
            next_approach=payload.next_approach, cost=payload.cost, schedule_next=schedule_next,
        )
    return Status(201, {"interaction": interaction, "next_followup": followup})


@router.get("/{interaction_id}", response=InteractionOut, summary="One logged touch")
def get_interaction(request: HttpRequest, interaction_id: int) -> Interaction:
    workspace = request_user(request).workspace
    return access_interaction(workspace=workspace, interaction_id=interaction_id)


def followup_plan(
    workspace: Workspace, data: NextFollowUpIn, *, at: tuple[str, ...] = ("body", "schedule_next")
) -> NextFollowUp:
    """A follow-up in a request body (found at `at`) as the services take it."""
    assignee = None
    if data.assignee_id is not None:
        assignee = ref(access_user, (*at, "assignee_id"), workspace=workspace,
                       user_id=data.assignee_id)
    return NextFollowUp(purpose=data.purpose, due=data.due, channel=data.channel,
                        assignee=assignee)
