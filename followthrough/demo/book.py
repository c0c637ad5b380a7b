"""Writing the demo book: staff, tags, organizations, then contacts chunk by chunk with their
emails, phones, interests, dates, purchases and other events, the repeat-purchase playbook's runs,
interactions and follow-ups.

The rows are the ones the services would write (contact_create, interaction_log,
followup_create): emails lower-cased, phones in E.164 as phone_normalize gives them, the search
text as people.services.search_text_for builds it, last touched / last heard from the log, and
follow-ups due in slots the contact accepts. They are written as plain tuples (see rows.py)
because one row at a time through the services takes hours at benchmark size.
"""

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from followthrough.accounts.models import Role as UserRole
from followthrough.accounts.models import User, Workspace
from followthrough.accounts.services import user_create, workspace_create
from followthrough.activity.models import Direction, FollowUp, Interaction
from followthrough.bulk import Table
from followthrough.core.facts import purchase_missed
from followthrough.demo import words
from followthrough.demo.buying import BuyerRole, Sale, buying_history
from followthrough.demo.experiment import (
    Experiment,
    Outcome,
    experiment_configure,
    experiment_outcome,
)
from followthrough.demo.ledger import EVENT_COLUMNS, RUN_COLUMNS, LiveEvent, contact_events
from followthrough.demo.plan import BIRTHDAY_LEAD_DAYS, BOOK_SIZE, Role, late_twice, plan_agenda
from followthrough.demo.profiles import (
    OWNER,
    SALES,
    SERVICE,
    Core,
    OrgProfile,
    Person,
    core_profile,
    organization_profiles,
    person_profile,
    stream,
)
from followthrough.demo.story import FollowUpPlan, RunPlan, Story, TouchPlan, build_story
from followthrough.events.models import Event
from followthrough.people.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    DateKind,
    ImportantDate,
    Organization,
    Source,
    Stage,
    Tag,
)
from followthrough.people.services import phone_normalize
from followthrough.playbooks.models import PlaybookRun, RunStatus

# Printed by the `demo` command and documented in README.md: the demo holds made-up people only.
DEMO_PASSWORD = "followthrough-demo"  # noqa: S105
STAFF = {
    OWNER: ("owner@spokechain.example", "Sam", "Ortega", UserRole.OWNER),
    SALES: ("jo@spokechain.example", "Jo", "Park", UserRole.MEMBER),
    SERVICE: ("luis@spokechain.example", "Luis", "Romero", UserRole.MEMBER),
}
CHUNK = 5_000  # contacts built and written at a time
SHOP_TZ = ZoneInfo(words.SHOP_TIMEZONE)

ORGANIZATION_COLUMNS = (
    "workspace", "name", "website", "industry", "phone", "owner", "tier", "notes", "street",
    "city", "region", "postal_code", "country", "created_at", "updated_at",
)
CONTACT_COLUMNS = (
    "workspace", "first_name", "last_name", "title", "organization", "stage", "source",
    "referred_by", "owner", "tier", "influence", "external_id", "pref_phone", "pref_text",
    "pref_email", "pref_mail", "pref_in_person", "pref_social", "best_days", "best_hours_start",
    "best_hours_end", "timezone", "max_touches_per_month", "cadence_days", "marketing_consent",
    "consent_at", "consent_method", "consent_wording", "review_flag", "notes",
    "last_touched_at", "last_heard_at", "search_text", "created_at", "updated_at", "street",
    "city", "region", "postal_code", "country",
)
INTERACTION_COLUMNS = (
    "workspace", "contact", "user", "occurred_at", "channel", "direction", "summary", "needs",
    "next_approach", "cost", "created_at",
)
FOLLOWUP_COLUMNS = (
    "workspace", "contact", "assignee", "due_at", "purpose", "channel", "origin", "status",
    "snooze_count", "skip_reason", "completed_at", "interaction", "created_by", "created_at",
    "event", "run", "step_index",
)


@dataclass(frozen=True)
class Missed:
    """A customer the simple missed-purchase rule holds for today, and the day it first did."""

    contact_id: int
    since_day: date  # the first day it held: the engine's tick derived purchase.missed then
    typical_days: float
    last_purchase: date


class Book:
    """One demo workspace being written. `write()` runs inside the caller's transaction."""

    def __init__(self, *, seed: int, now: datetime, size: int) -> None:
        self.seed, self.size, self.now = seed, size, now
        self.today = now.astimezone(SHOP_TZ).date()
        self.morning = datetime.combine(self.today, time(0), tzinfo=SHOP_TZ).astimezone(UTC)
        self.users: dict[str, User] = {}
        self.tags: dict[str, int] = {}
        self.organizations: list[tuple[int, OrgProfile]] = []
        self.contact_ids: list[int] = []
        self.influencers: list[int] = []
        self.local_parts: dict[str, int] = {}
        self.numbers: set[str] = set()
        self.interactions = self.followups = self.events = self.runs = 0
        self.live: list[LiveEvent] = []
        self.missed: list[Missed] = []
        self.late_twice: int | None = None
        self.tables = {
            "contact": Table(Contact, CONTACT_COLUMNS),
            "email": Table(ContactEmail, ("workspace", "contact", "email", "label", "is_primary")),
            "phone": Table(ContactPhone, ("workspace", "contact", "number", "label",
                                          "is_primary")),
            "tag": Table(Contact.tags.through, ("contact", "tag")),
            "date": Table(ImportantDate, ("contact", "kind", "label", "month", "day", "year")),
            "interaction": Table(Interaction, INTERACTION_COLUMNS),
            "followup": Table(FollowUp, FOLLOWUP_COLUMNS),
            "event": Table(Event, EVENT_COLUMNS, ready=("data",)),
            "run": Table(PlaybookRun, RUN_COLUMNS),
        }

    def write(self) -> Workspace:
        self.workspace = workspace_create(name=words.SHOP_NAME, timezone_name=words.SHOP_TIMEZONE)
        self.workspace.postal_address = words.SHOP_ADDRESS
        self.workspace.date_lead_days = BIRTHDAY_LEAD_DAYS
        self.workspace.save(update_fields=["postal_address", "date_lead_days"])
        experiment_configure(workspace=self.workspace)
        self.experiment = Experiment.load(workspace=self.workspace, today=self.today)
        self._staff()
        self._tags()
        self._organizations()
        org_kinds = [org.kind for _, org in self.organizations]
        # One place is kept for the lead who sent the web form last night (see morning.py).
        people = self.size - 1
        cores = [core_profile(seed=self.seed, index=i, today=self.today, org_kinds=org_kinds)
                 for i in range(people)]
        self.influencers = [c.index for c in cores if c.influence]
        roles = plan_agenda(cores, seed=self.seed, today=self.today, scale=self.size / BOOK_SIZE)
        self.late_twice = late_twice(cores, roles, today=self.today)
        for start in range(0, people, CHUNK):
            self._chunk(cores[start:start + CHUNK], roles)
        return self.workspace

    def _staff(self) -> None:
        for key, (email, first, last, role) in STAFF.items():
            self.users[key] = user_create(
                workspace=self.workspace, email=email, password=None, role=role,
                first_name=first, last_name=last,
            )
        # One hash for the shared demo password: hashing is deliberately slow, thrice is waste.
        owner = self.users[OWNER]
        owner.set_password(DEMO_PASSWORD)
        owner.save(update_fields=["password"])
        User.objects.filter(workspace=self.workspace).update(password=owner.password)

    def _tags(self) -> None:
        Tag.objects.bulk_create(Tag(workspace=self.workspace, name=n) for n in words.INTERESTS)
        self.tags = dict(Tag.objects.filter(workspace=self.workspace).values_list("name", "id"))

    def _organizations(self) -> None:
        combos = len(words.ORGANIZATION_PLACES) * len(words.ORGANIZATION_KINDS)
        profiles = organization_profiles(seed=self.seed, count=min(combos, max(4, self.size // 15)))
        created = datetime.combine(self.today - timedelta(days=1100), time(17), tzinfo=SHOP_TZ)
        rows = [self._organization(org, created) for org in profiles]
        ids = Table(Organization, ORGANIZATION_COLUMNS).insert(rows)
        self.organizations = list(zip(ids, profiles, strict=True))

    def _organization(self, org: OrgProfile, created: datetime) -> tuple[Any, ...]:
        rng = random.Random(org.phone_seed)
        slug = re.sub(r"[^a-z0-9]+", "", org.name.lower())
        return (self.workspace.pk, org.name, f"https://{slug}.example.org", org.industry,
                self._number(rng), self.users[org.owner].pk, org.tier, "", org.street, org.city,
                "CO", org.postal_code, "US", created, created)

    # -- contacts, chunk by chunk ----------------------------------------------------------
    def _chunk(self, cores: Sequence[Core], roles: dict[int, Role]) -> None:
        people = [person_profile(seed=self.seed, core=core) for core in cores]
        stories = [build_story(seed=self.seed, person=p, role=roles.get(p.core.index),
                               today=self.today) for p in people]
        details = [self._reach(p) for p in people]
        rows = [self._contact(p, s, emails, phones)
                for p, s, (emails, phones) in zip(people, stories, details, strict=True)]
        ids = self.tables["contact"].insert(rows)
        self.contact_ids += ids
        self._referrals(people, ids)
        self._details(ids, people, details)
        outcomes = [self._buying(contact_id, person, story, roles.get(person.core.index))
                    for contact_id, person, story in zip(ids, people, stories, strict=True)]
        runs = self._events(ids, people, stories, outcomes)
        self._log(ids, stories, outcomes, runs)

    # -- purchases, invoices, service visits and the runs they started --------------------
    def _buying(self, contact_id: int, person: Person, story: Story, role: Role | None
                ) -> Outcome:
        core = person.core
        kind = role.kind if role is not None else ""
        org = self.organizations[core.organization][1] if core.organization is not None else None
        buying = buying_history(
            seed=self.seed, person=person, story=story, today=self.today,
            org_kind=org.kind if org is not None else None,
            role=BuyerRole(missed_today=kind == "missed_live", late_payment=kind == "late_payment",
                           late_twice=core.index == self.late_twice),
        )
        outcome = experiment_outcome(experiment=self.experiment, seed=self.seed,
                                     contact_id=contact_id, person=person, story=story,
                                     buying=buying)
        if core.stage != Stage.FORMER:
            self._missed(contact_id, outcome.sales)
        return outcome

    def _missed(self, contact_id: int, sales: list[Sale]) -> None:
        """Where the engine's simple rule (core.facts.purchase_missed) holds today, the day it
        first held: its tick stored purchase.missed then (see morning.py)."""
        found = purchase_missed([sale.day for sale in sales], today=self.today)
        if found is None:
            return
        typical, since = found
        last = self.today - timedelta(days=since)
        first_day = last + timedelta(days=math.floor(1.5 * typical) + 1)
        self.missed.append(Missed(contact_id, first_day, typical, last))

    def _events(self, ids: list[int], people: list[Person], stories: list[Story],
                outcomes: list[Outcome]) -> dict[RunPlan, tuple[int, int]]:
        """Write the events, then the runs they started; returns (run id, event id) by run."""
        rows: list[tuple[Any, ...]] = []
        sales: list[Sale | None] = []
        for contact_id, person, story, outcome in zip(ids, people, stories, outcomes,
                                                      strict=True):
            found = contact_events(workspace_id=self.workspace.pk, contact_id=contact_id,
                                   index=person.core.index, sales=outcome.sales,
                                   services=story.services, live=story.live)
            rows += found.rows
            sales += found.sales
            self.live += found.live
        event_ids = self.tables["event"].insert(rows)
        self.events += len(rows)
        by_sale = {id(sale): event_id for sale, event_id in zip(sales, event_ids, strict=True)
                   if sale is not None}
        runs = [(run, contact_id, person.core.stage)
                for contact_id, person, outcome in zip(ids, people, outcomes, strict=True)
                for run in outcome.runs]
        run_ids = self.tables["run"].insert([
            (self.workspace.pk, self.experiment.playbook.pk, contact_id,
             by_sale[id(run.trigger)], stage, RunStatus.ACTIVE, run.started_at, None, "",
             run.held_out)
            for run, contact_id, stage in runs
        ])
        self.runs += len(runs)
        return {run: (run_id, by_sale[id(run.trigger)])
                for (run, _, _), run_id in zip(runs, run_ids, strict=True)}

    def _reach(self, person: Person) -> tuple[list[str], list[tuple[str, str]]]:
        rng = stream(self.seed, person.core.index, "reach")
        return self._emails(rng, person), self._phones(rng, person)

    def _contact(self, person: Person, story: Story, emails: list[str],
                 phones: list[tuple[str, str]]) -> tuple[Any, ...]:
        core = person.core
        start, end = core.prefs.best_hours or (None, None)
        prefs = {f"pref_{medium.value}": p.value for medium, p in core.prefs.preferences.items()}
        created = _created_at(person, story)
        values: dict[str, Any] = {
            "workspace": self.workspace.pk, "first_name": person.first_name,
            "last_name": person.last_name, "title": core.title,
            "organization": self._organization_id(core), "stage": core.stage,
            "source": core.source, "referred_by": None, "owner": self.users[core.owner].pk,
            "tier": core.tier, "influence": core.influence, "external_id": "", **prefs,
            "best_days": sorted(core.prefs.best_days), "best_hours_start": start,
            "best_hours_end": end, "timezone": core.timezone,
            "max_touches_per_month": person.max_touches_per_month,
            "cadence_days": person.cadence_days, **self._consent(person),
            "review_flag": core.index % 37 == 0, "notes": person.notes,
            **_derived(story.touches),
            "search_text": self._search_text(person, emails, phones),
            "created_at": created, "updated_at": min(created + timedelta(days=core.index % 30),
                                                     self.morning),
            "street": person.street, "city": person.city, "region": person.region,
            "postal_code": person.postal_code, "country": person.country,
        }
        return tuple(values[name] for name in CONTACT_COLUMNS)

    def _organization_id(self, core: Core) -> int | None:
        return self.organizations[core.organization][0] if core.organization is not None else None

    def _consent(self, person: Person) -> dict[str, Any]:
        consent = person.consent
        if not consent.given:
            return {"marketing_consent": False, "consent_at": None, "consent_method": "",
                    "consent_wording": ""}
        day = min(person.core.joined + timedelta(days=consent.days_after_joining),
                  self.today - timedelta(days=1))
        return {
            "marketing_consent": True, "consent_method": consent.method,
            "consent_wording": consent.wording,
            "consent_at": datetime.combine(day, time(12), tzinfo=SHOP_TZ).astimezone(UTC),
        }

    def new_local_part(self, first_name: str, last_name: str) -> str:
        """"ana.garcia", then "ana.garcia2"…: no two people of the book share an address."""
        base = _ascii(first_name) + "." + _ascii(last_name)
        seen = self.local_parts.get(base, 0)
        self.local_parts[base] = seen + 1
        return base if seen == 0 else f"{base}{seen + 1}"

    def _emails(self, rng: random.Random, person: Person) -> list[str]:
        if rng.random() < 0.12:
            return []
        local = self.new_local_part(person.first_name, person.last_name)
        emails = [f"{local}@{rng.choice(words.PERSONAL_EMAIL_DOMAINS)}"]
        if person.core.organization is not None and rng.random() < 0.3:
            org = self.organizations[person.core.organization][1]
            emails.append(f"{local}@{re.sub(r'[^a-z0-9]+', '', org.name.lower())}.test")
        return emails

    def _phones(self, rng: random.Random, person: Person) -> list[tuple[str, str]]:
        if rng.random() < 0.15:
            return []
        phones = [(self._number(rng), "mobile")]
        if rng.random() < 0.15:
            phones.append((self._number(rng), rng.choice(("home", "work"))))
        return phones

    def _number(self, rng: random.Random) -> str:
        """A new Colorado number in E.164, checked like phone_normalize checks what people type."""
        while True:
            exchange = rng.randint(200, 999)
            if exchange % 100 == 11 or exchange == 555:
                continue
            number = f"+1{rng.choice(words.AREA_CODES)}{exchange}{rng.randint(0, 9999):04d}"
            if number not in self.numbers and _valid(number):
                self.numbers.add(number)
                return number

    def _search_text(self, person: Person, emails: list[str],
                     phones: list[tuple[str, str]]) -> str:
        """What search_text_for gives for these rows (tags come back sorted by name)."""
        parts = [person.first_name, person.last_name, person.core.title]
        if person.core.organization is not None:
            parts.append(self.organizations[person.core.organization][1].name)
        parts += emails + [number for number, _ in phones] + sorted(person.interests)
        return " ".join(p for p in parts if p).lower()

    def _referrals(self, people: list[Person], ids: list[int]) -> None:
        """Referrers may be earlier contacts of the same chunk, so they are set once it has ids."""
        updates = [(self._referrer(p.core), contact_id) for p, contact_id in zip(people, ids,
                                                                                strict=True)]
        updates = [u for u in updates if u[0] is not None]
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(_referrer_sql(), updates)

    def _referrer(self, core: Core) -> int | None:
        if core.source != Source.REFERRAL or core.index == 0:
            return None
        rng = stream(self.seed, core.index, "referral")
        earlier = [i for i in self.influencers[:64] if i < core.index]
        index = rng.choice(earlier) if earlier and rng.random() < 0.5 else rng.randrange(core.index)
        return self.contact_ids[index]

    def _details(self, ids: list[int], people: list[Person],
                 details: list[tuple[list[str], list[tuple[str, str]]]]) -> None:
        ws = self.workspace.pk
        emails, phones, tags, dates = [], [], [], []
        for contact_id, person, (addresses, numbers) in zip(ids, people, details, strict=True):
            emails += [(ws, contact_id, e, "", i == 0) for i, e in enumerate(addresses)]
            phones += [(ws, contact_id, n, label, i == 0) for i, (n, label) in enumerate(numbers)]
            tags += [(contact_id, self.tags[t]) for t in person.interests]
            dates += _dates(contact_id, person)
        for table, rows in (("email", emails), ("phone", phones), ("tag", tags), ("date", dates)):
            self.tables[table].insert(rows)

    def _log(self, ids: list[int], stories: list[Story], outcomes: list[Outcome],
             runs: dict[RunPlan, tuple[int, int]]) -> None:
        """Interactions first (the done follow-ups point at them), then every follow-up."""
        ws = self.workspace.pk
        touches = [(contact_id, t)
                   for contact_id, story, outcome in zip(ids, stories, outcomes, strict=True)
                   for t in (*story.touches, *outcome.touches)]
        interaction_ids = self.tables["interaction"].insert([
            (ws, contact_id, self.users[t.by].pk, t.at, t.channel, t.direction, t.summary,
             t.needs, t.next_approach, t.cost, t.at)  # logged when it happened
            for contact_id, t in touches
        ])
        followups = [self._followup(contact_id, t.followup, interaction_id, runs)
                     for (contact_id, t), interaction_id in zip(touches, interaction_ids,
                                                                 strict=True)
                     if t.followup is not None]
        followups += [self._followup(contact_id, plan, None, runs)
                      for contact_id, story, outcome in zip(ids, stories, outcomes, strict=True)
                      for plan in (*story.followups, *outcome.followups)]
        self.tables["followup"].insert(followups)
        self.interactions += len(touches)
        self.followups += len(followups)

    def _followup(self, contact_id: int, plan: FollowUpPlan, interaction_id: int | None,
                  runs: dict[RunPlan, tuple[int, int]]) -> tuple[Any, ...]:
        staff = self.users[plan.by].pk
        run_id, event_id = runs[plan.run] if plan.run is not None else (None, None)
        # The engine plans a playbook's follow-ups: nobody created them by hand.
        created_by = None if plan.run is not None else staff
        return (self.workspace.pk, contact_id, staff, plan.due_at, plan.purpose, plan.channel,
                plan.origin, plan.status, plan.snooze_count, plan.skip_reason,
                plan.completed_at, interaction_id, created_by, plan.created_at, event_id,
                run_id, plan.step_index)


def _referrer_sql() -> str:
    qn = connection.ops.quote_name
    column = qn(Contact._meta.get_field("referred_by").column)
    return f"UPDATE {qn(Contact._meta.db_table)} SET {column} = %s WHERE {qn('id')} = %s"  # noqa: S608 -- names from model metadata


def _ascii(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _derived(touches: Sequence[TouchPlan]) -> dict[str, datetime | None]:
    """Last touched (any touch) and last heard from (only what they started), as
    activity.services keeps them when a touch is logged."""
    return {
        "last_touched_at": max((t.at for t in touches), default=None),
        "last_heard_at": max((t.at for t in touches if t.direction == Direction.INBOUND),
                             default=None),
    }


def _dates(contact_id: int, person: Person) -> list[tuple[Any, ...]]:
    days = [d for d in (person.birthday, *person.custom_dates) if d is not None]
    rows = [(contact_id, d.kind, d.label, d.month, d.day, d.year) for d in days]
    if person.core.stage in (Stage.CLIENT, Stage.LAPSED, Stage.FORMER):
        since = person.core.joined
        rows.append((contact_id, DateKind.CLIENT_SINCE, "", since.month, since.day, since.year))
    return rows


def _created_at(person: Person, story: Story) -> datetime:
    """Added the morning they first came in, or at their first touch if that was earlier."""
    joined = datetime.combine(person.core.joined, time(9), tzinfo=SHOP_TZ).astimezone(UTC)
    return min([joined, *(t.at for t in story.touches)])


_VALID: dict[str, bool] = {}


def _valid(number: str) -> bool:
    """NANP validity depends on the area code and exchange only, so one check per prefix."""
    prefix = number[:8]
    if prefix not in _VALID:
        try:
            _VALID[prefix] = phone_normalize(number, region="US") == number
        except ValueError:
            _VALID[prefix] = False
    return _VALID[prefix]
