"""Purchases for rhythm tests: real purchase.made events at local noon (so the local day is
never in doubt), written in bulk so a few hundred synthetic customers take milliseconds."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from followthrough.accounts.models import Workspace
from followthrough.conftest import NOW
from followthrough.core.rhythm import simulate_bgnbd
from followthrough.events.models import Event
from followthrough.insight.services import rhythm_refresh
from followthrough.people.models import Contact

TODAY = date(2026, 11, 23)  # NOW in New York
_ids = count()


def local_noon(workspace: Workspace, day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(workspace.timezone))


def purchase(workspace: Workspace, contact_id: int, day: date, amount: object = 50) -> Event:
    at = local_noon(workspace, day)
    data = {} if amount is None else {"amount": str(amount)}
    return Event(
        workspace=workspace,
        contact_id=contact_id,
        type="purchase.made",
        source="test",
        external_id=f"p{next(_ids)}",
        occurred_at=at,
        processed_at=at,
        data=data,
    )


def people(workspace: Workspace, n: int, *, stage: str = "client", **fields: Any) -> list[int]:
    """n contacts named "Customer 0".."Customer n-1", created in bulk; their ids in order."""
    Contact.objects.bulk_create(
        Contact(workspace=workspace, first_name="Customer", last_name=str(i), stage=stage, **fields)
        for i in range(n)
    )
    return list(
        Contact.objects.filter(workspace=workspace, first_name="Customer")
        .order_by("id")
        .values_list("id", flat=True)
    )[-n:]


@pytest.fixture
def buy(workspace: Workspace) -> Callable[..., None]:
    """buy(contact, days_ago..., amount=50): purchases that many days before TODAY."""

    def record(contact: Contact | int, *days_ago: int, amount: object = 50) -> None:
        contact_id = contact if isinstance(contact, int) else contact.pk
        Event.objects.bulk_create(
            purchase(workspace, contact_id, TODAY - timedelta(days=d), amount) for d in days_ago
        )

    return record


def synthetic_days(
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
    rng: np.random.Generator,
) -> Iterable[list[int]]:
    """Purchase days (days ago) with exactly these (x, t_x, T): first purchase T days ago, the
    last t_x later, the x - 1 others on distinct days in between (needs t_x >= x)."""
    for x, t_x, t in zip(frequency, recency, age, strict=True):
        first, last = int(t), int(t - t_x)
        middle = []
        if x > 1:
            middle = rng.choice(np.arange(last + 1, first), size=int(x) - 1, replace=False)
        yield [first, *(int(d) for d in middle), *([last] if x > 0 else [])]


TRUE_MODEL = (0.8, 40.0, 0.8, 2.5)  # r, alpha (days), a, b


@pytest.fixture
def synthetic(workspace: Workspace) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """300 customers drawn from BG/NBD(TRUE_MODEL) (seed 5: no two purchases share a day),
    with spend drawn per purchase around a per-customer mean. Returns (x, t_x, T, ids)."""
    rng = np.random.default_rng(5)
    age = rng.integers(60, 720, 300).astype(float)
    x, t_x = simulate_bgnbd(*TRUE_MODEL, age, rng=rng, time_resolution=1.0)
    ids = people(workspace, 300)
    means = rng.gamma(6.0, 10.0, size=300)
    events = [
        purchase(workspace, cid, TODAY - timedelta(days=d), round(rng.gamma(4.0, mean / 4.0), 2))
        for cid, days, mean in zip(ids, synthetic_days(x, t_x, age, rng), means, strict=True)
        for d in days
    ]
    Event.objects.bulk_create(events)
    return x, t_x, age, ids


@pytest.fixture
def fitted(workspace: Workspace, synthetic: Any, buy: Callable[..., None]) -> dict[str, int]:
    """The 300 synthetic customers (so the model fits) and a few we know, refreshed at NOW:
    a regular monthly buyer 80 days silent, a pair of purchases 380 days ago, a recent pair,
    one more regular buyer, a regular buyer who is a former client, and a pair of purchases
    180 days ago."""
    ids = people(workspace, 6, stage="client")
    names = ["regular", "gone", "young_pair", "came_back", "former", "fading"]
    people_by_name = dict(zip(names, ids, strict=True))
    buy(people_by_name["regular"], 200, 170, 140, 110, 80)
    buy(people_by_name["gone"], 400, 380)
    buy(people_by_name["fading"], 200, 180)
    buy(people_by_name["young_pair"], 60, 40)
    buy(people_by_name["came_back"], 200, 170, 140, 110, 80)
    buy(people_by_name["former"], 200, 170, 140, 110, 80)
    Contact.objects.filter(pk=people_by_name["former"]).update(stage="former")
    rhythm_refresh(workspace=workspace, now=NOW)
    return people_by_name
