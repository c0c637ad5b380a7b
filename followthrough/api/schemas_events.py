"""Request and response bodies of /api/v1/events and /api/v1/playbooks (DESIGN C4).

The schema checks shapes and lengths; the meaning of a type's data (an amount is a number, an
invoice names its id) is checked by the ingestion service, whose errors name the field the same
way (`["body", "data", "amount"]`).
"""

from datetime import UTC, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime

from followthrough.api.schemas import Page, Ref
from followthrough.core.event_types import KNOWN_TYPES
from followthrough.events.models import Event

MAX_BATCH = 1000

_TYPES_HELP = "Known types: " + ", ".join(KNOWN_TYPES) + ". Custom dotted names are allowed."


class ContactRefIn(Schema):
    """Who the event is about: the first of id, external_id, email, phone that matches wins.
    Nobody matching → a new lead (named `name`), never dropped."""

    id: int | None = Field(None, ge=1, description="A contact id of your workspace.")
    external_id: str = Field("", max_length=100, description="Your own id for the person.")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40, description="Any usual format; matched in E.164.")
    name: str = Field("", max_length=200, description="Used only when a new lead is created.")


class EventIn(Schema):
    type: str = Field(min_length=1, max_length=60, examples=["purchase.made"],
                      description=_TYPES_HELP)
    occurred_at: AwareDatetime = Field(description="When it happened, with a time zone.")
    source: str = Field(min_length=1, max_length=60, examples=["shop"],
                        description="Where the event comes from.")
    external_id: str = Field(
        "", max_length=200, examples=["order-1001"],
        description="Your id for this event: sent again with the same source, it is stored once "
        "and answered exactly as the first time.",
    )
    contact: ContactRefIn
    data: dict[str, Any] = Field(
        default_factory=dict, examples=[{"amount": "1249.00", "currency": "USD"}],
        description="purchase.made: amount, currency, items; invoice.*: invoice_id (and "
        "amount, due_date for invoice.issued); need.expected: revisit_on, note; lead.created: "
        "channel.",
    )


class ErrorOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ErrorsOut(Schema):
    detail: list[ErrorOut]


class EventAcceptedOut(Schema):
    """The stored event. A replay gets the same answer as the first delivery."""

    id: int
    status: Literal["accepted"] = "accepted"
    contact_id: int
    type: str
    source: str
    external_id: str
    occurred_at: datetime = Field(description="In UTC.")

    @staticmethod
    def resolve_occurred_at(obj: Event) -> datetime:
        # As stored: a first delivery sent with -05:00 and its replay read back from the
        # database must answer with the same text.
        return obj.occurred_at.astimezone(UTC)


class EventResultOut(Schema):
    index: int = Field(description="The item's position in the list sent.")
    status: Literal[202, 404, 422] = Field(
        description="202 stored (or already stored), 422 invalid, 404 contact not found."
    )
    id: int | None = None
    contact_id: int | None = None
    errors: list[ErrorOut] | None = Field(None, description="For 404 and 422: what and where.")


class EventBatchOut(Schema):
    accepted: int
    rejected: int
    results: list[EventResultOut]


class EventOut(Schema):
    id: int
    contact: Ref
    type: str
    source: str
    external_id: str
    occurred_at: datetime
    received_at: datetime
    processed_at: datetime | None = Field(description="When the playbooks evaluated it.")
    data: dict[str, Any]

    @staticmethod
    def resolve_contact(obj: Event) -> dict[str, Any]:
        return {"id": obj.contact_id, "name": obj.contact.name}


class EventPage(Page[EventOut]):
    pass


class EventFilters(Schema):
    contact: int | None = Field(None, description="Only this contact's events.")
    type: str = Field("", max_length=60, description="Only events of this type.")


class PlaybookOut(Schema):
    id: int
    key: str
    name: str
    description: str
    enabled: bool
    trigger: str = Field(description="The event type that starts it.")
    conditions: dict[str, Any]
    steps: list[dict[str, Any]]
    stop_conditions: list[str]
    max_runs_per_contact: int | None = Field(description="Re-entry limit; null for none.")
    holdout_percent: int = Field(description="Share of contacts held out as a control group.")
    updated_at: datetime


class PlaybookPage(Page[PlaybookOut]):
    pass


class PlaybookFilters(Schema):
    enabled: bool | None = None
    trigger: str = Field("", max_length=60)
