"""Per-customer purchase histories from a workspace's purchases, in one pass of numpy.

Pure (no Django, no clock), so a hundred thousand customers take a few array operations instead
of a hundred thousand calls of core.rhythm.customer_rhythm; a test checks both agree.

Days are whole day numbers (date.toordinal() of the local date). Several purchases on one day
are one *purchase day*: a shop visit with two receipts is one visit, and the BG/NBD model counts
in whole days. A purchase without an amount adds nothing to spend.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
YEAR_DAYS = 365
UNIX_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()
# Time zones change offset on a quarter hour (in practice on the hour or half hour), so one
# offset per 15-minute bucket of UTC time is exact.
_BUCKET_SECONDS = 900


@dataclass(frozen=True)
class Histories:
    """One element per customer, sorted by contact id.

    ``typical_interval`` is the median gap between purchase days (NaN with a single purchase
    day); ``mean_repeat_spend`` the average spend per purchase day after the first (NaN without
    one): the Gamma-Gamma model's "monetary value". ``spend_12m`` counts the 365 days up to and
    including ``today``.
    """

    contact_ids: IntArray
    purchases: IntArray
    purchase_days: IntArray
    first_day: IntArray
    last_day: IntArray
    typical_interval: FloatArray
    lifetime_spend: FloatArray
    spend_12m: FloatArray
    mean_repeat_spend: FloatArray

    @property
    def frequency(self) -> FloatArray:
        """Repeat purchase days (BG/NBD x)."""
        return (self.purchase_days - 1).astype(np.float64)

    @property
    def recency(self) -> FloatArray:
        """Days from the first to the last purchase day (BG/NBD t_x)."""
        return (self.last_day - self.first_day).astype(np.float64)

    def age(self, today: int) -> FloatArray:
        """Days from the first purchase day to ``today`` (BG/NBD T)."""
        return (today - self.first_day).astype(np.float64)


def local_day_numbers(epoch_seconds: npt.ArrayLike, tz: tzinfo) -> IntArray:
    """date.toordinal() of each moment's local date in ``tz``, from seconds since 1970 UTC.

    The offset (with daylight saving time) is looked up once per distinct 15-minute bucket
    rather than once per purchase: two million purchases span a few thousand days.
    """
    seconds = np.asarray(epoch_seconds, dtype=np.float64)
    if seconds.size == 0:
        return np.zeros(0, dtype=np.int64)
    buckets = np.floor(seconds / _BUCKET_SECONDS).astype(np.int64)
    distinct, inverse = np.unique(buckets, return_inverse=True)
    offsets = np.array(
        [_offset(int(b) * _BUCKET_SECONDS, tz) for b in distinct.tolist()], dtype=np.float64
    )
    local = seconds + offsets[inverse.ravel()]
    return (np.floor(local / 86_400).astype(np.int64) + UNIX_EPOCH_ORDINAL).astype(np.int64)


def _offset(timestamp: int, tz: tzinfo) -> float:
    offset = datetime.fromtimestamp(timestamp, UTC).astimezone(tz).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _starts(*keys: npt.NDArray[np.generic]) -> npt.NDArray[np.bool_]:
    """True where a run of equal keys begins (keys sorted together)."""
    n = keys[0].size
    start = np.zeros(n, dtype=bool)
    start[:1] = True
    for key in keys:
        start[1:] |= key[1:] != key[:-1]
    return start


def _group_median(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Median of ``values`` per group number (NaN for a group with no values)."""
    order = np.lexsort((values, groups))
    ordered = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    median = np.full(n_groups, np.nan)
    has = counts > 0
    low = offsets[has] + (counts[has] - 1) // 2
    high = offsets[has] + counts[has] // 2
    median[has] = (ordered[low] + ordered[high]) / 2.0
    return median


def purchase_histories(
    contact: npt.ArrayLike, day: npt.ArrayLike, amount: npt.ArrayLike, *, today: int
) -> Histories:
    """Histories from one element per purchase (contact id, day number, amount or NaN)."""
    contacts = np.asarray(contact, dtype=np.int64)
    days = np.asarray(day, dtype=np.int64)
    amounts = np.nan_to_num(np.asarray(amount, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    order = np.lexsort((days, contacts))
    contacts, days, amounts = contacts[order], days[order], amounts[order]

    new_day = _starts(contacts, days)
    day_number = np.cumsum(new_day) - 1
    day_spend = np.bincount(day_number, weights=amounts) if amounts.size else np.zeros(0)
    day_contact, day_of = contacts[new_day], days[new_day]
    purchases_per_day = np.bincount(day_number) if day_number.size else np.zeros(0, np.int64)

    first_of_customer = _starts(day_contact)
    customer = np.cumsum(first_of_customer) - 1
    n = int(first_of_customer.sum())
    purchase_days = np.bincount(customer, minlength=n).astype(np.int64)
    last_of_customer = np.append(first_of_customer[1:], True) if n else first_of_customer
    repeat = ~first_of_customer
    repeat_spend = np.bincount(customer[repeat], weights=day_spend[repeat], minlength=n).astype(
        np.float64
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_repeat = np.where(purchase_days > 1, repeat_spend / (purchase_days - 1), np.nan)
    gaps = np.diff(day_of).astype(np.float64)[repeat[1:]] if n else np.zeros(0)
    recent = day_of > today - YEAR_DAYS
    return Histories(
        contact_ids=day_contact[first_of_customer],
        purchases=np.bincount(customer, weights=purchases_per_day, minlength=n).astype(np.int64),
        purchase_days=purchase_days,
        first_day=day_of[first_of_customer],
        last_day=day_of[last_of_customer],
        typical_interval=_group_median(gaps, customer[repeat], n),
        lifetime_spend=np.bincount(customer, weights=day_spend, minlength=n).astype(np.float64),
        spend_12m=np.bincount(customer, weights=day_spend * recent, minlength=n).astype(np.float64),
        mean_repeat_spend=mean_repeat,
    )
