"""Which contacts are on the agenda the morning the demo opens.

The agenda is the first thing anyone sees, so it is planned rather than left to chance: each staff
member gets a believable number of overdue follow-ups, a morning's worth for today and a week
ahead, scaled with the size of the book. Every planned follow-up then shapes its contact's story
(a "two-week call" is due because the bike was sold fourteen days before).
"""

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followthrough.activity.models import Status
from followthrough.core.playbooks import add_business_days
from followthrough.core.scheduling import next_slot
from followthrough.demo import words
from followthrough.demo.profiles import ACTIVE_STAGES, OWNER, SALES, SERVICE, Core, pick
from followthrough.people.models import Stage

OVERDUE, TODAY, UPCOMING = "overdue", "today", "upcoming"
# (overdue, today, next seven days) per 500 contacts: a morning that fits in a coffee.
# The engine adds its own (a repeat customer's thank-you, a birthday card, a check-in past a
# cadence): about three a day each for today and the week ahead, so the plan leaves room. On a
# Monday it also plans what came in over the weekend, so today's share is smaller then.
QUOTAS = {OWNER: (6, 6, 12), SALES: (7, 8, 15), SERVICE: (5, 5, 10)}
MONDAY_ROOM = 1
BOOK_SIZE = 500
# Days late of the overdue ones: mostly a day or two, a few that slipped for weeks.
LATENESS = (1, 1, 1, 2, 2, 3, 4, 5, 7, 9, 12, 16, 23)
# Days before the due day on which the story behind a follow-up starts.
LEAD_UP = {"web_form_reply": 1, "test_ride_followup": 2, "quote_followup": 5, "note_7d": 7,
           "call_14d": 7}

KINDS: dict[str, tuple[tuple[str, int], ...]] = {
    # Birthday cards are the engine's now (date.upcoming, see LIVE below).
    Stage.CLIENT: (("call_14d", 16), ("note_7d", 12), ("checkin", 24), ("tuneup", 14),
                   ("review_ask", 10), ("share", 14)),
    Stage.LEAD: (("nurture_3m", 40), ("nurture_6m", 25), ("web_form_reply", 12),
                 ("event_invite", 15)),
    Stage.PROSPECT: (("quote_followup", 45), ("on_hold_revisit", 30), ("test_ride_followup", 25)),
    Stage.LAPSED: (("winback", 60), ("missed_tuneup", 40)),
}


# Follow-ups the engine plans itself, from events of the last days recorded through it (see
# morning.py), all for the owner: three first bikes (the thank-you note a week after each), an
# invoice paid ten days late yesterday (the call about it), a project on hold (the revisit next
# week), a birthday in five days (the card, today) and a regular who has just missed their usual
# purchase (the call). (kind, days: since the sale / until the revisit)
LIVE: tuple[tuple[str, int], ...] = (
    ("new_buyer", 1), ("new_buyer", 2), ("new_buyer", 4), ("late_payment", 0),
    ("on_hold_live", 6), ("birthday_live", 0), ("missed_live", 0),
)
BIRTHDAY_LEAD_DAYS = 5  # the demo workspace's date_lead_days: cards go out five days ahead
LIVE_STAGES = {"new_buyer": Stage.CLIENT, "late_payment": Stage.CLIENT,
               "on_hold_live": Stage.PROSPECT, "birthday_live": Stage.CLIENT,
               "missed_live": Stage.CLIENT}


@dataclass(frozen=True)
class Role:
    """A pending follow-up planned for the agenda."""

    kind: str
    window: str
    day: date  # the due day on the contact's calendar
    due_at: datetime
    status: str = Status.OPEN
    snooze_count: int = 0


def plan_agenda(
    cores: list[Core], *, seed: int, today: date, scale: float
) -> dict[int, Role]:
    """Roles by contact index. Each staff member's active contacts are shuffled and handed out
    to the windows in turn; a contact whose preferences put the slot on another day is passed
    over (someone who only takes weekend calls is not due on a Monday)."""
    rng = random.Random(f"{seed}:agenda")
    roles = plan_live(cores, seed=seed, today=today)
    live = Counter(role.window for role in roles.values())
    for staff, quotas in QUOTAS.items():
        pool = [c for c in cores
                if c.owner == staff and c.stage in ACTIVE_STAGES and c.index not in roles]
        rng.shuffle(pool)
        candidates = iter(pool)
        for window, quota in zip((OVERDUE, TODAY, UPCOMING), quotas, strict=True):
            room = MONDAY_ROOM if window == TODAY and today.weekday() == 0 else 0
            wanted = max(1, round((quota - room + rng.randint(-1, 1)) * scale))
            if staff == OWNER:
                wanted = max(1, wanted - live[window])
            roles.update(_fill(rng, candidates, window, wanted, today))
    return roles


def plan_live(cores: list[Core], *, seed: int, today: date) -> dict[int, Role]:
    """The owner's contacts whose follow-ups the engine plans this morning (see LIVE). A kind
    without a fitting contact (a tiny book) is left out."""
    rng = random.Random(f"{seed}:live")
    pool = [c for c in cores if c.owner == OWNER and not c.neglected]
    rng.shuffle(pool)
    roles: dict[int, Role] = {}
    for kind, days in LIVE:
        day = _live_day(kind, days, today)
        for core in pool:
            if core.index in roles or not _fits(kind, core, today):
                continue
            due_at = slot_on(day, core)
            window = _window_of(due_at, today)
            if window in (TODAY, UPCOMING) and (kind != "new_buyer" or window == UPCOMING):
                roles[core.index] = Role(kind, window, day, due_at)
                break
    return roles


def _live_day(kind: str, days: int, today: date) -> date:
    """The day the engine's follow-up falls due (the playbooks' offsets)."""
    if kind == "new_buyer":
        return today - timedelta(days=days) + timedelta(days=7)
    if kind == "late_payment":
        return add_business_days(today - timedelta(days=1), 1)
    if kind == "on_hold_live":
        return today + timedelta(days=days)
    if kind == "missed_live":
        return add_business_days(today, 0)
    return today


def _fits(kind: str, core: Core, today: date) -> bool:
    if core.stage != LIVE_STAGES[kind]:
        return False
    if kind == "new_buyer":
        return core.organization is None
    if kind == "late_payment":
        return (core.organization is not None and core.title in words.ORDER_TITLES
                and core.joined <= today - timedelta(days=150))
    if kind == "missed_live":
        return core.organization is None and core.joined <= today - timedelta(days=240)
    return True


def late_twice(cores: list[Core], roles: dict[int, Role], *, today: date) -> int | None:
    """The client who paid late twice in the last twelve months (an invoice playbook's case):
    the first one buying for an organization that has no agenda role."""
    return next((c.index for c in cores
                 if c.index not in roles and c.stage == Stage.CLIENT and _fits(
                     "late_payment", c, today - timedelta(days=200))), None)


def _fill(
    rng: random.Random, candidates: Iterator[Core], window: str, wanted: int, today: date
) -> dict[int, Role]:
    # No kind takes more than a quarter of a window: a morning of ten web-form replies reads
    # like a bug, not like a shop.
    cap = max(2, -(-wanted // 4))
    kinds: Counter[str] = Counter()
    roles: dict[int, Role] = {}
    for core in candidates:
        full = frozenset(kind for kind, count in kinds.items() if count >= cap)
        role = _try_role(rng, core, window, today, full)
        if role is not None:
            roles[core.index] = role
            kinds[role.kind] += 1
        if len(roles) == wanted:
            break
    return roles


def _try_role(
    rng: random.Random, core: Core, window: str, today: date, full: frozenset[str]
) -> Role | None:
    if window == OVERDUE:
        day = today - timedelta(days=rng.choice(LATENESS))
    elif window == TODAY:
        day = today
    else:
        day = today + timedelta(days=rng.randint(1, 7))
    kind = _kind(rng, core, day, today, full)
    due_at = slot_on(day, core)
    if kind is None or _window_of(due_at, today) != window:
        return None
    if window == OVERDUE and rng.random() < 0.3:
        return Role(kind, window, day, due_at, Status.SNOOZED, rng.choice((1, 1, 2)))
    return Role(kind, window, day, due_at)


def _kind(
    rng: random.Random, core: Core, day: date, today: date, full: frozenset[str]
) -> str | None:
    if core.neglected:
        return "checkin"
    # What led up to the follow-up must already have happened: the sale a week before a
    # thank-you note, the web form the evening before the reply (which never waits for days).
    kinds = tuple(
        (kind, weight) for kind, weight in KINDS[core.stage]
        if kind not in full and day - timedelta(days=LEAD_UP.get(kind, 0)) < today
        and (kind != "web_form_reply" or today - day <= timedelta(days=2))
    )
    return pick(rng, kinds) if kinds else None


def slot_on(day: date, core: Core) -> datetime:
    """The contact's first acceptable slot on `day` or after, as followup_create would plan it."""
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(core.prefs.timezone))
    return next_slot(after=start, prefs=core.prefs)


def _window_of(due_at: datetime, today: date) -> str | None:
    """Which agenda section the shop sees this follow-up in (days counted in the shop's zone)."""
    local = due_at.astimezone(ZoneInfo(words.SHOP_TIMEZONE)).date()
    if local < today:
        return OVERDUE
    if local == today:
        return TODAY
    if local <= today + timedelta(days=7):
        return UPCOMING
    return None
