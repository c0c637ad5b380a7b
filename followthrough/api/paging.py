"""limit/offset pagination with the total, shared by every list endpoint."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def page_of(rows: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    items = list(rows[params.offset : params.offset + params.limit])
    if params.offset == 0 and len(items) < params.limit:
        total = len(items)  # the whole result is on this page: no COUNT needed
    else:
        total = rows.count()
    return {"items": items, "total": total, "limit": params.limit, "offset": params.offset}
