"""Who is in the demo book.

Each contact is drawn from its own random streams (seeded by the demo seed and its index), so any
contact can be rebuilt alone: the generator first draws every contact's `Core` (stage, owner,
preferences) to plan the agenda over the whole book, then rebuilds the details and history chunk
by chunk while writing, without holding 100,000 people in memory.
"""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from followthrough.core.channels import Medium, Preference
from followthrough.core.scheduling import ReachPrefs
from followthrough.demo import words
from followthrough.people.models import ConsentMethod, DateKind, Source, Stage, Tier

OWNER, SALES, SERVICE = "owner", "sales", "service"
STAFF = (OWNER, SALES, SERVICE)
ACTIVE_STAGES = (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT, Stage.LAPSED)
HISTORY_DAYS = 3 * 365


def stream(seed: int, index: int, purpose: str) -> random.Random:
    """An independent, reproducible random stream for one contact and one purpose."""
    return random.Random(f"{seed}:{index}:{purpose}")


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return str(rng.choices(values, weights)[0])


@dataclass(frozen=True)
class OrgProfile:
    index: int
    name: str
    kind: str
    industry: str
    owner: str
    tier: str
    street: str
    city: str
    postal_code: str
    phone_seed: int


@dataclass(frozen=True)
class Core:
    """What planning the agenda needs to know about a contact."""

    index: int
    stage: str
    tier: str
    owner: str
    source: str
    influence: bool
    title: str
    organization: int | None
    # Clients whose history stops before their cadence runs out (the field notes' "60% never
    # heard from us again"); only decided for gold and silver, bronze neglect happens naturally.
    neglected: bool
    joined: date
    ended: date | None
    timezone: str
    prefs: ReachPrefs


def organization_profiles(*, seed: int, count: int) -> list[OrgProfile]:
    rng = random.Random(f"{seed}:organizations")
    combos = [(place, kind) for place in words.ORGANIZATION_PLACES
              for kind in words.ORGANIZATION_KINDS]
    rng.shuffle(combos)
    return [_organization(rng, i, place, kind) for i, (place, kind) in enumerate(combos[:count])]


def _organization(
    rng: random.Random, index: int, place: str, kind: tuple[str, str, str]
) -> OrgProfile:
    key, suffix, industry = kind
    city, zip3 = rng.choice(words.CITIES)
    return OrgProfile(
        index=index, name=f"{place} {suffix}", kind=key, industry=industry,
        owner=pick(rng, ((OWNER, 5), (SALES, 3), (SERVICE, 2))),
        tier=pick(rng, ((Tier.GOLD, 2), (Tier.SILVER, 3), (Tier.BRONZE, 3), (Tier.NONE, 4))),
        street=f"{rng.randint(100, 4999)} {rng.choice(words.STREETS)}", city=city,
        postal_code=f"{zip3}{rng.randint(1, 99):02d}", phone_seed=rng.randrange(1 << 30),
    )


def core_profile(*, seed: int, index: int, today: date, org_kinds: list[str]) -> Core:
    rng = stream(seed, index, "core")
    stage = pick(rng, ((Stage.LEAD, 18), (Stage.PROSPECT, 12), (Stage.CLIENT, 45),
                       (Stage.LAPSED, 15), (Stage.FORMER, 10)))
    organization = rng.randrange(len(org_kinds)) if org_kinds and rng.random() < 0.3 else None
    title = _title(rng, org_kinds[organization] if organization is not None else None)
    influence = (title in words.LEADER_TITLES and rng.random() < 0.6) or (
        title in words.SOLO_INFLUENCER_TITLES
    )
    tier = _tier(rng, stage, influence)
    joined, ended = _lifetime(rng, stage, today)
    timezone, prefs = _reach(rng)
    return Core(
        index=index, stage=stage, tier=tier, owner=_owner(rng, stage, tier, influence),
        source=_source(rng, stage), influence=influence, title=title, organization=organization,
        neglected=tier in (Tier.GOLD, Tier.SILVER) and stage == Stage.CLIENT
        and rng.random() < 0.15,
        joined=joined, ended=ended, timezone=timezone, prefs=prefs,
    )


def _title(rng: random.Random, org_kind: str | None) -> str:
    if org_kind is not None:
        return rng.choice(words.TITLES[org_kind])
    if rng.random() < 0.012:
        return rng.choice(words.SOLO_INFLUENCER_TITLES)
    return ""


def _tier(rng: random.Random, stage: str, influence: bool) -> str:
    if stage == Stage.CLIENT:
        if influence:
            # Opinion leaders count even when their own orders are small.
            return pick(rng, ((Tier.GOLD, 6), (Tier.SILVER, 4)))
        return pick(rng, ((Tier.GOLD, 8), (Tier.SILVER, 22), (Tier.BRONZE, 50), (Tier.NONE, 20)))
    if stage == Stage.LAPSED:
        return pick(rng, ((Tier.SILVER, 10), (Tier.BRONZE, 50), (Tier.NONE, 40)))
    if stage == Stage.FORMER:
        return pick(rng, ((Tier.BRONZE, 30), (Tier.NONE, 70)))
    return Tier.NONE


def _owner(rng: random.Random, stage: str, tier: str, influence: bool) -> str:
    if influence or tier == Tier.GOLD:
        return pick(rng, ((OWNER, 7), (SALES, 2), (SERVICE, 1)))
    if stage in (Stage.LEAD, Stage.PROSPECT):
        return pick(rng, ((OWNER, 2), (SALES, 6), (SERVICE, 2)))
    return pick(rng, ((OWNER, 3), (SALES, 3), (SERVICE, 4)))


def _source(rng: random.Random, stage: str) -> str:
    if stage == Stage.LEAD and rng.random() < 0.12:
        # Sign-up sheets from events, imported and never touched yet: the "never" bucket.
        return Source.IMPORT
    return pick(rng, ((Source.WALK_IN, 35), (Source.WEB_FORM, 20), (Source.REFERRAL, 15),
                      (Source.EVENT, 10), (Source.CALL, 10), (Source.EMAIL, 6),
                      (Source.OTHER, 4)))


def _lifetime(rng: random.Random, stage: str, today: date) -> tuple[date, date | None]:
    """When they first came in and, for lapsed and former people, when it went quiet."""
    if stage == Stage.LEAD:
        return today - timedelta(days=int(rng.triangular(2, 560, 20))), None
    if stage == Stage.PROSPECT:
        return today - timedelta(days=int(rng.triangular(3, 400, 30))), None
    if stage == Stage.CLIENT:
        return today - timedelta(days=rng.randint(25, HISTORY_DAYS - 10)), None
    joined = rng.randint(420, HISTORY_DAYS - 10)
    quiet = rng.randint(330, joined - 60) if stage == Stage.LAPSED else rng.randint(90, joined - 60)
    return today - timedelta(days=joined), today - timedelta(days=quiet)


def _reach(rng: random.Random) -> tuple[str, ReachPrefs]:
    """Their time zone as stored (blank: the shop's) and how they like to be reached."""
    roll = rng.random()
    timezone = "" if roll < 0.93 else (
        words.SHOP_TIMEZONE if roll < 0.96 else rng.choice(words.OTHER_TIMEZONES)
    )
    prefs = ReachPrefs(
        timezone=timezone or words.SHOP_TIMEZONE,
        preferences=_preferences(rng),
        best_days=_best_days(rng),
        best_hours=_best_hours(rng),
    )
    return timezone, prefs


def _preferences(rng: random.Random) -> dict[Medium, Preference]:
    """Mostly "ok"; some hate calls, some treat email they didn't ask for as spam, some want a
    text or a letter (the first field note)."""
    prefs = dict.fromkeys(Medium, Preference.OK)
    odds = {Medium.PHONE: (0.12, 0.10), Medium.TEXT: (0.15, 0.05), Medium.EMAIL: (0.10, 0.06),
            Medium.MAIL: (0.05, 0.04), Medium.SOCIAL: (0.02, 0.30)}
    for medium, (preferred, refused) in odds.items():
        roll = rng.random()
        if roll < preferred:
            prefs[medium] = Preference.PREFERRED
        elif roll < preferred + refused:
            prefs[medium] = Preference.REFUSED
    return prefs


def _best_days(rng: random.Random) -> frozenset[int]:
    return frozenset(rng.choices(
        ((), (5, 6), (0, 1, 2, 3, 4, 5, 6), (0, 1, 2, 3, 4, 5), (1, 3), (0, 2, 4)),
        (62, 8, 12, 10, 4, 4),
    )[0])


def _best_hours(rng: random.Random) -> tuple[time, time] | None:
    return rng.choices(
        (None, (time(17, 0), time(19, 30)), (time(7, 0), time(9, 0)), (time(12, 0), time(13, 30)),
         (time(10, 0), time(16, 0))),
        (62, 14, 8, 8, 8),
    )[0]


@dataclass(frozen=True)
class Phone:
    number: str
    label: str


@dataclass(frozen=True)
class ImportantDay:
    kind: str
    month: int
    day: int
    year: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Consent:
    given: bool
    method: str = ""
    wording: str = ""
    days_after_joining: int = 0


@dataclass
class Person:
    """Everything written on the contact's row and its detail rows."""

    core: Core
    first_name: str
    last_name: str
    interests: list[str]
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    notes: str = ""
    birthday: ImportantDay | None = None
    custom_dates: list[ImportantDay] = field(default_factory=list)
    max_touches_per_month: int | None = None
    cadence_days: int | None = None
    consent: Consent = field(default_factory=lambda: Consent(False))
    referred_by: int | None = None

    @property
    def interest(self) -> str:
        return self.interests[0]


def person_profile(*, seed: int, core: Core) -> Person:
    rng = stream(seed, core.index, "person")
    person = Person(
        core=core, first_name=rng.choice(words.FIRST_NAMES),
        last_name=rng.choice(words.LAST_NAMES),
        interests=rng.sample(words.INTERESTS, k=rng.choice((1, 1, 2, 2, 3))),
    )
    if core.stage != Stage.LEAD or rng.random() < 0.25:
        _address(rng, person)
    if rng.random() < 0.12:
        person.notes = rng.choice(words.NOTES)
    if rng.random() < 0.45:
        year = rng.randint(1950, 2012) if rng.random() < 0.6 else None
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        person.birthday = ImportantDay(DateKind.BIRTHDAY, month, day, year)
    if "racing" in person.interests and rng.random() < 0.3:
        person.custom_dates.append(ImportantDay(DateKind.CUSTOM, 8, 15, label="Leadville 100"))
    _limits(rng, person)
    return person


def _address(rng: random.Random, person: Person) -> None:
    city, zip3 = rng.choice(words.CITIES)
    person.street = f"{rng.randint(100, 9999)} {rng.choice(words.STREETS)}"
    person.city, person.region, person.country = city, "CO", "US"
    person.postal_code = f"{zip3}{rng.randint(1, 99):02d}"


def _limits(rng: random.Random, person: Person) -> None:
    core = person.core
    if rng.random() < 0.04:
        person.max_touches_per_month = rng.choice((1, 2))
    if core.influence and rng.random() < 0.5:
        person.cadence_days = 21
    elif core.stage == Stage.CLIENT and rng.random() < 0.03:
        person.cadence_days = rng.choice((45, 120))
    if core.stage in (Stage.CLIENT, Stage.LAPSED) or rng.random() < 0.3:
        method = rng.choice((ConsentMethod.WEB_FORM, ConsentMethod.WRITTEN, ConsentMethod.VERBAL))
        if rng.random() < 0.7:
            person.consent = Consent(True, method, words.CONSENT_WORDING, rng.randint(0, 40))
