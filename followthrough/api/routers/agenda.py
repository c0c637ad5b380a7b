"""/api/v1/agenda: overdue, today and the coming week, for one person or the whole team."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from followthrough.access import access_user
from followthrough.activity.selectors import AGENDA_LIMIT, Agenda, agenda_get
from followthrough.api.auth import request_user
from followthrough.api.errors import ref
from followthrough.api.schemas import AgendaOut

router = Router(tags=["agenda"])


class AgendaParams(Schema):
    who: str = Field("me", pattern=r"^(me|team|\d+)$",
                     description="me, team, or a user id of the workspace.")
    limit: int = Field(AGENDA_LIMIT, ge=1, le=500, description="Rows per section at most.")


@router.get("", response=AgendaOut, summary="The agenda, days counted in your time zone")
def get_agenda(request: HttpRequest, params: Query[AgendaParams]) -> Agenda:
    user = request_user(request)
    whose = user if params.who == "me" else None
    if params.who.isdigit():
        whose = ref(access_user, ("query", "who"), workspace=user.workspace, user_id=params.who)
    return agenda_get(workspace=user.workspace, user=whose, now=timezone.now(),
                      tz_name=user.local_timezone, limit=params.limit)
