"""/api/v1/playbooks: the workspace's playbooks, read-only (they are edited in the web app or
imported from a file)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from followthrough.api.auth import request_user
from followthrough.api.paging import PageParams, page_of
from followthrough.api.schemas_events import PlaybookFilters, PlaybookPage
from followthrough.playbooks.selectors import playbook_list

router = Router(tags=["playbooks"])


@router.get("", response=PlaybookPage, summary="Playbooks by name, with their enabled flag")
def list_playbooks(
    request: HttpRequest, filters: Query[PlaybookFilters], page: Query[PageParams]
) -> dict[str, Any]:
    workspace = request_user(request).workspace
    return page_of(playbook_list(workspace=workspace, enabled=filters.enabled,
                                 trigger=filters.trigger), page)
