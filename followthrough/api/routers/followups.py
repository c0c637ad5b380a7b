"""/api/v1/followups: planned touches, and what happens to them (complete, snooze, reschedule,
skip). Every action goes through the activity services, which respect the contact's channels,
days, hours and time zone."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Query, Router, Status

from followthrough.access import access_contact, access_followup, access_user
from followthrough.accounts.models import User
from followthrough.activity.models import PENDING, FollowUp
from followthrough.activity.selectors import followup_list
from followthrough.activity.services import (
    followup_complete,
    followup_create,
    followup_reschedule,
    followup_skip,
    followup_snooze,
)
from followthrough.api.auth import request_user
from followthrough.api.errors import errors_under, ref
from followthrough.api.paging import PageParams, page_of
from followthrough.api.routers.interactions import NEXT_FOLLOWUP_FIELDS, followup_plan
from followthrough.api.schemas import (
    CompletedOut,
    CompleteIn,
    FollowUpFilters,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    RescheduleIn,
    SkipIn,
    SnoozeIn,
)

router = Router(tags=["follow-ups"])


@router.get("", response=FollowUpPage, summary="Follow-ups by due time")
def list_followups(
    request: HttpRequest, filters: Query[FollowUpFilters], page: Query[PageParams]
) -> dict[str, Any]:
    user = request_user(request)
    workspace = user.workspace
    assignee = contact = None
    if filters.assignee is not None:
        assignee = ref(access_user, ("query", "assignee"), workspace=workspace,
                       user_id=filters.assignee)
    if filters.contact is not None:
        contact = ref(access_contact, ("query", "contact"), workspace=workspace,
                      contact_id=filters.contact)
    followups = followup_list(
        workspace=workspace, statuses=_statuses(filters.status), assignee=assignee,
        contact=contact, due_from=_aware(filters.due_from, user),
        due_before=_aware(filters.due_before, user),
    )
    return page_of(followups, page)


@router.post("", response={201: FollowUpOut}, summary="Plan a follow-up")
def create_followup(request: HttpRequest, payload: FollowUpIn) -> Status[FollowUp]:
    user = request_user(request)
    contact = ref(access_contact, ("body", "contact_id"), workspace=user.workspace,
                  contact_id=payload.contact_id)
    plan = followup_plan(user.workspace, payload, at=("body",))
    followup = followup_create(contact=contact, by=user, purpose=plan.purpose, due=plan.due,
                               channel=plan.channel, assignee=plan.assignee)
    return Status(201, followup)


@router.get("/{followup_id}", response=FollowUpOut, summary="One follow-up")
def get_followup(request: HttpRequest, followup_id: int) -> FollowUp:
    return access_followup(workspace=request_user(request).workspace, followup_id=followup_id)


@router.post("/{followup_id}/complete", response=CompletedOut,
             summary="Done: log the touch it was (and schedule the next)")
def complete_followup(
    request: HttpRequest, followup_id: int, payload: CompleteIn
) -> dict[str, Any]:
    user = request_user(request)
    followup = access_followup(workspace=user.workspace, followup_id=followup_id)
    schedule_next = None
    if payload.schedule_next is not None:
        schedule_next = followup_plan(user.workspace, payload.schedule_next)
    with errors_under("schedule_next", NEXT_FOLLOWUP_FIELDS, active=schedule_next is not None):
        interaction = followup_complete(
            followup=followup, by=user, outcome=payload.outcome, needs=payload.needs,
            next_approach=payload.next_approach, direction=payload.direction, cost=payload.cost,
            schedule_next=schedule_next,
        )
    return {"followup": followup, "interaction": interaction}


@router.post("/{followup_id}/snooze", response=FollowUpOut,
             summary="Push back to the contact's next acceptable slot")
def snooze_followup(request: HttpRequest, followup_id: int, payload: SnoozeIn) -> FollowUp:
    user = request_user(request)
    followup = access_followup(workspace=user.workspace, followup_id=followup_id)
    return followup_snooze(followup=followup, by=user, days=payload.days)


@router.post("/{followup_id}/reschedule", response=FollowUpOut, summary="Move to another day")
def reschedule_followup(request: HttpRequest, followup_id: int, payload: RescheduleIn) -> FollowUp:
    user = request_user(request)
    followup = access_followup(workspace=user.workspace, followup_id=followup_id)
    assignee = None
    if payload.assignee_id is not None:
        assignee = ref(access_user, ("body", "assignee_id"), workspace=user.workspace,
                       user_id=payload.assignee_id)
    return followup_reschedule(followup=followup, by=user, due=payload.due,
                               channel=payload.channel, assignee=assignee)


@router.post("/{followup_id}/skip", response=FollowUpOut, summary="Close without a touch")
def skip_followup(request: HttpRequest, followup_id: int, payload: SkipIn) -> FollowUp:
    user = request_user(request)
    followup = access_followup(workspace=user.workspace, followup_id=followup_id)
    return followup_skip(followup=followup, by=user, reason=payload.reason)


def _statuses(status: str | None) -> tuple[str, ...]:
    if status is None:
        return ()
    return tuple(PENDING) if status == "pending" else (status,)


def _aware(moment: datetime | None, user: User) -> datetime | None:
    """A moment written without an offset is on the caller's own clock."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(user.local_timezone))
