"""Turning "this field is wrong" into HTTP 422 in the one shape clients see everywhere.

Ninja's own schema errors and the services' django ValidationErrors both come out as
`{"detail": [{"type", "loc": ["body", <field>, …], "msg"}]}`; `loc` uses the API's field names
(`organization_id`, `preferences.phone`), not the model's.
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from followthrough.core.channels import Medium

M = TypeVar("M")

NOT_FOUND = "Not found in this workspace."

# Model field names in service errors → where that value sits in the request body.
_BODY_PATHS: dict[str, tuple[str, ...]] = {
    "organization": ("organization_id",),
    "owner": ("owner_id",),
    "referred_by": ("referred_by_id",),
    "assignee": ("assignee_id",),
    "contact": ("contact_id",),
    NON_FIELD_ERRORS: (),
    **{f"pref_{medium.value}": ("preferences", medium.value) for medium in Medium},
}


def _body_loc(name: str) -> list[str]:
    *parents, last = name.split(".")
    return ["body", *parents, *_BODY_PATHS.get(last, (last,))]


def field_errors(error: DjangoValidationError) -> list[dict[str, Any]]:
    """The service's error as ninja-style error items, one per message."""
    if not hasattr(error, "error_dict"):
        return [{"type": "value_error", "loc": ["body"], "msg": m} for m in error.messages]
    return [
        {"type": "value_error", "loc": _body_loc(name), "msg": message}
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def unprocessable(loc: tuple[str, ...], msg: str, kind: str = "value_error") -> ValidationError:
    return ValidationError([{"type": kind, "loc": list(loc), "msg": msg}])


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DjangoValidationError)
    def service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)


@contextmanager
def errors_under(prefix: str, names: Collection[str], *, active: bool = True) -> Iterator[None]:
    """Service errors on `names` belong to the nested object `prefix` of the request body.

    "Log and schedule next" runs two services in one transaction; an error on `purpose` or
    `channel` from the second is about `schedule_next.purpose`, not the logged touch.
    """
    try:
        yield
    except DjangoValidationError as error:
        if not active or not hasattr(error, "error_dict"):
            raise
        raise DjangoValidationError(
            {f"{prefix}.{k}" if k in names else k: v for k, v in error.error_dict.items()}
        ) from None


def ref(lookup: Callable[..., M], loc: tuple[str, ...], **lookup_args: Any) -> M:
    """A row referenced by id in a request, through its `access_*` lookup. Someone else's row
    or a missing one is a 422 on that field (the request is wrong), not a 404 (the URL is right)."""
    try:
        return lookup(**lookup_args)
    except Http404:
        raise unprocessable(loc, NOT_FOUND, "not_found") from None
