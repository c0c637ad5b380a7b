"""The batch histories agree with core.rhythm.customer_rhythm, customer by customer."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from followthrough.core.rhythm import customer_rhythm
from followthrough.insight.purchases import local_day_numbers, purchase_histories


def test_it_matches_each_customers_own_rhythm_on_random_histories() -> None:
    rng = np.random.default_rng(3)
    contacts = rng.integers(1, 60, 800)
    days = rng.integers(700_000, 700_400, 800)
    amounts = rng.choice([np.nan, 10.0, 25.5, 99.0], 800)
    today = 700_400

    h = purchase_histories(contacts, days, amounts, today=today)

    assert list(h.contact_ids) == sorted(set(contacts.tolist()))
    for i, cid in enumerate(h.contact_ids):
        mine = np.sort(days[contacts == cid])
        own = customer_rhythm(mine.astype(float).tolist(), today=float(today))
        assert h.purchases[i] == own.purchases
        assert h.purchase_days[i] == np.unique(mine).size
        expected = np.nan if own.typical_interval_days is None else own.typical_interval_days
        assert h.typical_interval[i] == pytest.approx(expected, nan_ok=True)
        assert today - h.last_day[i] == own.days_since_last
        spend = np.nansum(amounts[contacts == cid])
        assert h.lifetime_spend[i] == pytest.approx(spend)


def test_a_day_with_two_receipts_is_one_purchase_day_and_its_spend_adds_up() -> None:
    h = purchase_histories([7, 7, 7, 7], [10, 40, 40, 70], [5.0, 10.0, 2.0, 8.0], today=100)
    assert (h.purchases[0], h.purchase_days[0]) == (4, 3)
    assert (h.frequency[0], h.recency[0], h.age(100)[0]) == (2, 60, 90)
    assert h.typical_interval[0] == 30
    assert h.mean_repeat_spend[0] == pytest.approx((12 + 8) / 2)
    assert h.spend_12m[0] == h.lifetime_spend[0] == 25


def test_spend_in_the_last_year_leaves_older_purchases_out() -> None:
    h = purchase_histories([1, 1], [1000, 1400], [100.0, 30.0], today=1500)
    assert (h.lifetime_spend[0], h.spend_12m[0]) == (130, 30)


def test_no_purchases_give_empty_histories() -> None:
    h = purchase_histories([], [], [], today=5)
    assert h.contact_ids.size == 0 and h.lifetime_spend.dtype == np.float64


@pytest.mark.parametrize(
    "zone", ["America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "UTC"]
)
def test_local_days_follow_the_time_zone_through_daylight_saving(zone) -> None:
    tz = ZoneInfo(zone)
    rng = np.random.default_rng(9)
    start = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    seconds = start + rng.random(20_000) * 3 * 365 * 86_400
    # and the minutes around every change of offset in those years
    changes = [
        t
        for t in range(int(start), int(start) + 3 * 365 * 86_400, 900)
        if _offset(t, tz) != _offset(t + 900, tz)
    ]
    seconds = np.concatenate([seconds, *[np.arange(t - 120, t + 1020, 60.0) for t in changes]])

    days = local_day_numbers(seconds, tz)

    expected = [datetime.fromtimestamp(s, tz).date().toordinal() for s in seconds]
    assert days.tolist() == expected
    if zone == "America/New_York":
        assert len(changes) == 6  # two a year


def _offset(timestamp: int, tz) -> float:
    return datetime.fromtimestamp(timestamp, tz).utcoffset().total_seconds()
