"""/api/v1/events: touch points in (one event, or a list of up to 1,000), and the events stored.

Events are stored at once and evaluated by the worker after the commit, hence 202. A replay (same
source and external_id) stores nothing and gets exactly the answer of the first delivery. In a
list every item is checked and stored on its own: a bad item is reported in its result and never
blocks the others.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError, ValidationError
from pydantic import ValidationError as SchemaError

from followthrough.access import access_contact
from followthrough.accounts.models import Workspace
from followthrough.api.auth import request_user
from followthrough.api.errors import NOT_FOUND, ref
from followthrough.api.paging import PageParams, page_of
from followthrough.api.schemas_events import (
    MAX_BATCH,
    ErrorsOut,
    EventAcceptedOut,
    EventBatchOut,
    EventFilters,
    EventIn,
    EventPage,
)
from followthrough.events.models import Event
from followthrough.events.selectors import event_list
from followthrough.events.services import (
    BatchResult,
    ContactRef,
    EventInput,
    event_record,
    event_record_batch,
)
from followthrough.playbooks.tasks import events_enqueue

router = Router(tags=["events"])

Loc = tuple[str | int, ...]


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """EventIn's JSON schema with its nested models written in place, for the request body
    documented below (the handler reads the body itself, so ninja does not register them)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


_EVENT_SCHEMA = _inline_refs(EventIn.model_json_schema(ref_template="#/$defs/{model}"))
_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _EVENT_SCHEMA,
                        {"type": "array", "items": _EVENT_SCHEMA, "minItems": 1,
                         "maxItems": MAX_BATCH},
                    ]
                }
            }
        },
    }
}


@router.post(
    "", response={202: EventAcceptedOut, 200: EventBatchOut, 404: ErrorsOut},
    summary=f"Record one event (202), or a list of up to {MAX_BATCH:,} (200, a result per item)",
    openapi_extra=_REQUEST_BODY,
)
def record_events(request: HttpRequest) -> Status[Any]:
    workspace = request_user(request).workspace
    body = _json_body(request)
    if isinstance(body, list):
        return Status(200, _record_list(workspace, body))
    item = _event_input(body, at=("body",))
    try:
        event = event_record(workspace=workspace, item=item, after_commit=_enqueue_one)
    except DjangoValidationError as error:
        raise ValidationError(_service_errors(error.message_dict, at=("body",))) from None
    except Http404:
        return Status(404, {"detail": _not_found(at=("body",))})
    return Status(202, event)


@router.get("", response=EventPage, summary="Events, latest first (a contact's, of a type)")
def list_events(
    request: HttpRequest, filters: Query[EventFilters], page: Query[PageParams]
) -> dict[str, Any]:
    workspace = request_user(request).workspace
    contact = None
    if filters.contact is not None:
        contact = ref(access_contact, ("query", "contact"), workspace=workspace,
                      contact_id=filters.contact)
    return page_of(event_list(workspace=workspace, contact=contact, event_type=filters.type),
                   page)


def _enqueue_one(event: Event) -> None:
    events_enqueue([event])


def _json_body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        raise HttpError(400, "Cannot parse request body (send JSON).") from None


def _record_list(workspace: Workspace, raw_items: list[Any]) -> dict[str, Any]:
    if not raw_items:
        raise ValidationError(_error(("body",), "Send at least one event.", "too_short"))
    if len(raw_items) > MAX_BATCH:
        raise ValidationError(_error(
            ("body",), f"At most {MAX_BATCH:,} events per request (got {len(raw_items):,}); "
            "send the rest in another request.", "too_long",
        ))
    results: dict[int, dict[str, Any]] = {}
    valid: list[tuple[int, EventInput]] = []
    for index, raw in enumerate(raw_items):
        try:
            valid.append((index, _event_input(raw, at=("body", index))))
        except ValidationError as error:
            results[index] = {"index": index, "status": 422, "errors": error.errors}
    stored = event_record_batch(workspace=workspace, items=[item for _, item in valid],
                                after_commit=events_enqueue)
    for (index, _), result in zip(valid, stored, strict=True):
        results[index] = _item_result(index, result)
    ordered = [results[i] for i in range(len(raw_items))]
    accepted = sum(r["status"] == 202 for r in ordered)
    return {"accepted": accepted, "rejected": len(ordered) - accepted, "results": ordered}


def _item_result(index: int, result: BatchResult) -> dict[str, Any]:
    at: Loc = ("body", index)
    if result.event is not None:
        return {"index": index, "status": 202, "id": result.event.pk,
                "contact_id": result.event.contact_id}
    if result.not_found:
        return {"index": index, "status": 404, "errors": _not_found(at=at)}
    return {"index": index, "status": 422,
            "errors": _service_errors(result.errors or {}, at=at)}


def _event_input(raw: Any, *, at: Loc) -> EventInput:
    """The event at `at` in the body as the service takes it; schema errors name the field."""
    if not isinstance(raw, dict):
        raise ValidationError(_error(at, "An event object, or a list of them.", "model_type"))
    try:
        event = EventIn.model_validate(raw)
    except SchemaError as error:
        raise ValidationError([
            {"type": e["type"], "loc": [*at, *e["loc"]], "msg": e["msg"]}
            for e in error.errors(include_url=False)
        ]) from None
    person = event.contact
    return EventInput(
        type=event.type, occurred_at=event.occurred_at, source=event.source,
        external_id=event.external_id, data=event.data,
        contact=ContactRef(id=person.id, external_id=person.external_id, email=person.email,
                           phone=person.phone, name=person.name),
    )


def _service_errors(errors: Mapping[str, Sequence[str]], *, at: Loc) -> list[dict[str, Any]]:
    """The service's errors, keyed by dotted paths ("data.amount", "contact.phone"), as error
    items whose loc is where that value sits in the request."""
    return [
        {"type": "value_error",
         "loc": [*at, *([] if name == NON_FIELD_ERRORS else name.split("."))], "msg": message}
        for name, messages in errors.items()
        for message in messages
    ]


def _not_found(*, at: Loc) -> list[dict[str, Any]]:
    return _error((*at, "contact", "id"), NOT_FOUND, "not_found")


def _error(loc: Loc, msg: str, kind: str) -> list[dict[str, Any]]:
    return [{"type": kind, "loc": list(loc), "msg": msg}]
