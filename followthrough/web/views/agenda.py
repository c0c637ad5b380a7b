"""The morning agenda: overdue, today and the next 7 days, for me, a colleague or the team."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from followthrough.access import access_user
from followthrough.accounts.models import User
from followthrough.accounts.selectors import user_list
from followthrough.activity.selectors import AGENDA_LIMIT, agenda_get
from followthrough.people.selectors import neglected_report
from followthrough.web.views.common import MemberRequest, member_view


def _subject(request: MemberRequest) -> tuple[str, User | None]:
    """Whose agenda: ("me", me), ("team", None) or (their id, a colleague)."""
    who = request.GET.get("who", "me")
    if who == "team":
        return who, None
    if who in ("me", "", str(request.user.pk)):
        return "me", request.user
    return who, access_user(workspace=request.user.workspace, user_id=who)


# A short morning list first (DESIGN principle 7); "show more" asks for the long one. Each row
# carries its four action forms, so rendering, not the query, is what a long list costs.
SHORT_ROWS = 20


@member_view
@require_GET
def agenda(request: MemberRequest) -> HttpResponse:
    workspace, now = request.user.workspace, timezone.now()
    who, subject = _subject(request)
    rows = AGENDA_LIMIT if request.GET.get("rows") == "all" else SHORT_ROWS
    context = {
        "agenda": agenda_get(workspace=workspace, user=subject, now=now,
                             tz_name=request.user.local_timezone, limit=rows),
        "short": rows == SHORT_ROWS,
        "who": who,
        "subject": subject,
        "members": user_list(workspace=workspace),
        "show_assignee": who != "me",
        "neglected_count": neglected_report(workspace=workspace, now=now).count,
        "next_url": request.get_full_path(),
    }
    return render(request, "web/pages/agenda.html", context)
