"""Request (`…In`) and response (`…Out`) bodies of the REST API.

Constraints that need no database (lengths, ranges, the stage / tier / channel / direction choices)
live here, so bad input is refused with the field named before any service runs. The services check
the rest (phone numbers, emails, refused channels, time zones) and their errors name the field in
the same way (see followthrough.api.errors).
"""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from ninja import Field, Schema
from pydantic import AwareDatetime, field_validator

from followthrough.activity.models import Direction, FollowUp, Interaction, Origin, Status
from followthrough.core.channels import Medium, Preference, TouchChannel
from followthrough.people.models import (
    ConsentMethod,
    Contact,
    DateKind,
    ImportantDate,
    Source,
    Stage,
    Tier,
)

Blank = Literal[""]
TagName = Annotated[str, Field(min_length=1, max_length=60)]
EmailAddress = Annotated[str, Field(min_length=1, max_length=254)]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows matching the filters, across all pages.")
    limit: int
    offset: int


class Ref(Schema):
    id: int
    name: str


# ---- People ---------------------------------------------------------------------------------


class PhoneIn(Schema):
    number: str = Field(
        min_length=1, max_length=40, examples=["+1 415 555 0100"],
        description="Any usual format; without a country code it is read in the contact's "
        "country, else the workspace's region.",
    )
    label: str = Field("", max_length=20, examples=["mobile"])


class PhoneOut(Schema):
    number: str = Field(description="E.164, e.g. +14155550100")
    label: str


class DateIn(Schema):
    kind: DateKind
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    year: int | None = Field(None, ge=1900, le=2100, description="Blank when unknown.")
    label: str = Field("", max_length=100)


class DateOut(DateIn):
    pass


class PreferencesIn(Schema):
    """How the contact accepts each medium; a medium left out keeps its value ("ok" when new)."""

    phone: Preference | None = None
    text: Preference | None = None
    email: Preference | None = None
    mail: Preference | None = None
    in_person: Preference | None = None
    social: Preference | None = None


class PreferencesOut(Schema):
    phone: Preference
    text: Preference
    email: Preference
    mail: Preference
    in_person: Preference
    social: Preference


class _Address(Schema):
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166 code, e.g. US")


class _ContactFields(_Address):
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=100, description="Job title")
    organization_id: int | None = None
    stage: Stage = Stage.LEAD
    source: Source | Blank = ""
    referred_by_id: int | None = None
    owner_id: int | None = Field(None, description="Left out on create: the token's user.")
    tier: Tier = Tier.NONE
    influence: bool = Field(False, description="Opinion leader or referrer.")
    external_id: str = Field("", max_length=100)
    best_days: list[Weekday] = Field(default_factory=list, description="Empty: weekdays.")
    best_hours_start: time | None = None
    best_hours_end: time | None = None
    timezone: str = Field("", max_length=64, description="IANA name; blank: the workspace's.")
    max_touches_per_month: int | None = Field(None, ge=1, le=1000)
    cadence_days: int | None = Field(None, ge=1, le=3650, description="Blank: the tier's.")
    marketing_consent: bool = False
    consent_at: AwareDatetime | None = None
    consent_method: ConsentMethod | Blank = ""
    consent_wording: str = Field("", max_length=2000)
    review_flag: bool = False
    notes: str = Field("", max_length=20000)


class ContactIn(_ContactFields):
    emails: list[EmailAddress] = Field(default_factory=list, description="The first is primary.")
    phones: list[PhoneIn] = Field(
        default_factory=list, description="The first is primary; plain strings are accepted."
    )
    tags: list[TagName] = Field(default_factory=list, description="Interests and labels.")
    dates: list[DateIn] = Field(default_factory=list)
    preferences: PreferencesIn = Field(default_factory=PreferencesIn)

    @field_validator("phones", mode="before")
    @classmethod
    def _numbers_as_phones(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"number": item} if isinstance(item, str) else item for item in value]
        return value


class ContactOut(_ContactFields):
    id: int
    name: str
    organization_name: str | None
    consent_at: datetime | None = None
    emails: list[str]
    phones: list[PhoneOut]
    tags: list[str]
    dates: list[DateOut]
    preferences: PreferencesOut
    last_touched_at: datetime | None = Field(description="Our last touch, whoever started it.")
    last_heard_at: datetime | None = Field(description="Their last touch (inbound).")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_organization_name(obj: Contact) -> str | None:
        return obj.organization.name if obj.organization else None

    @staticmethod
    def resolve_emails(obj: Contact) -> list[str]:
        return [e.email for e in obj.emails.all()]

    @staticmethod
    def resolve_phones(obj: Contact) -> list[dict[str, str]]:
        return [{"number": p.number, "label": p.label} for p in obj.phones.all()]

    @staticmethod
    def resolve_tags(obj: Contact) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @staticmethod
    def resolve_dates(obj: Contact) -> list[ImportantDate]:
        return list(obj.dates.all())

    @staticmethod
    def resolve_preferences(obj: Contact) -> dict[str, str]:
        return {m.value: getattr(obj, f"pref_{m.value}") for m in Medium}


class ContactPage(Page[ContactOut]):
    pass


class ContactFilters(Schema):
    q: str = Field("", max_length=200, description="Name, email, phone, organization or tag.")
    stage: Stage | None = None
    tier: Literal["gold", "silver", "bronze", "none"] | None = None
    owner: int | None = Field(None, description="A user id.")
    tag: str = Field("", max_length=60)
    touched: Literal["0-30", "31-60", "61-90", "90+", "never"] | None = Field(
        None, description="Days since the last touch (review buckets)."
    )
    flagged: bool = False


class OrganizationIn(_Address):
    name: str = Field(min_length=1, max_length=200)
    website: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    phone: str = Field("", max_length=40, description="Returned in E.164.")
    owner_id: int | None = None
    tier: Tier = Tier.NONE
    notes: str = Field("", max_length=20000)


class OrganizationOut(OrganizationIn):
    id: int
    created_at: datetime
    updated_at: datetime


class OrganizationPage(Page[OrganizationOut]):
    pass


# ---- Tracking log and follow-ups -----------------------------------------------------------


class NextFollowUpIn(Schema):
    """The follow-up to plan in the same step ("log and schedule next")."""

    purpose: str = Field(min_length=1, max_length=300, examples=["Check how the new bike rides"])
    due: date | None = Field(
        None, description="A day in the contact's time zone; blank: their next acceptable slot."
    )
    channel: TouchChannel | None = Field(None, description="Blank: the one they prefer.")
    assignee_id: int | None = Field(None, description="Blank: the contact's owner.")


class InteractionIn(Schema):
    contact_id: int
    channel: TouchChannel
    summary: str = Field(min_length=1, max_length=20000)
    direction: Direction = Direction.OUTBOUND
    occurred_at: AwareDatetime | None = Field(None, description="Blank: now.")
    needs: str = Field("", max_length=20000, description="Needs discussed")
    next_approach: str = Field("", max_length=20000)
    cost: Money | None = None
    schedule_next: NextFollowUpIn | None = None


class InteractionOut(Schema):
    id: int
    contact: Ref
    user_id: int | None
    occurred_at: datetime
    channel: TouchChannel
    direction: Direction
    summary: str
    needs: str
    next_approach: str
    cost: Decimal | None
    created_at: datetime

    @staticmethod
    def resolve_contact(obj: Interaction) -> dict[str, Any]:
        return {"id": obj.contact_id, "name": obj.contact.name}


class InteractionPage(Page[InteractionOut]):
    pass


class FollowUpIn(NextFollowUpIn):
    contact_id: int


class FollowUpOut(Schema):
    id: int
    contact: Ref
    contact_tier: Tier
    assignee_id: int | None
    due_at: datetime = Field(description="The contact's slot, in UTC.")
    purpose: str
    channel: TouchChannel
    origin: Origin
    status: Status
    snooze_count: int
    skip_reason: str
    completed_at: datetime | None
    interaction_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_contact(obj: FollowUp) -> dict[str, Any]:
        return {"id": obj.contact_id, "name": obj.contact.name}

    @staticmethod
    def resolve_contact_tier(obj: FollowUp) -> str:
        return obj.contact.tier


class FollowUpPage(Page[FollowUpOut]):
    pass


class FollowUpFilters(Schema):
    status: Literal["open", "snoozed", "done", "skipped", "pending"] | None = Field(
        None, description="pending = open or snoozed."
    )
    assignee: int | None = Field(None, description="A user id.")
    contact: int | None = Field(None, description="A contact id.")
    due_from: datetime | None = Field(
        None, description="Due at or after; without an offset, in your time zone."
    )
    due_before: datetime | None = Field(None, description="Due before (same rule).")


class LoggedOut(Schema):
    interaction: InteractionOut
    next_followup: FollowUpOut | None


class CompleteIn(Schema):
    outcome: str = Field("", max_length=20000, description="Blank: the purpose.")
    direction: Direction = Direction.OUTBOUND
    needs: str = Field("", max_length=20000)
    next_approach: str = Field("", max_length=20000)
    cost: Money | None = None
    schedule_next: NextFollowUpIn | None = None


class CompletedOut(Schema):
    followup: FollowUpOut
    interaction: InteractionOut


class SnoozeIn(Schema):
    days: int = Field(1, ge=1, le=365, description="At least this many days, then their next slot.")


class RescheduleIn(Schema):
    due: date = Field(description="A day in the contact's time zone.")
    channel: TouchChannel | None = None
    assignee_id: int | None = None


class SkipIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class AgendaSectionOut(Schema):
    total: int = Field(description="All the section's follow-ups, shown or not.")
    items: list[FollowUpOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[FollowUp]:
        return list(obj.followups)


class AgendaOut(Schema):
    day: date
    timezone: str
    overdue: AgendaSectionOut
    today: AgendaSectionOut
    upcoming: AgendaSectionOut
