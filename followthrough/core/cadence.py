"""How long since we last touched someone, and whether that is too long (DESIGN C3)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# Longest a contact may go untouched, by tier, unless the workspace or the contact says otherwise.
DEFAULT_CADENCE_DAYS: dict[str, int] = {"gold": 30, "silver": 60, "bronze": 90, "": 180}


class ReviewBucket(StrEnum):
    """The 30-day, 60-day and quarter folders of the field notes, plus "longer" and "never"."""

    RECENT = "0-30"
    MONTH = "31-60"
    QUARTER = "61-90"
    LONGER = "90+"
    NEVER = "never"


BUCKET_LABELS: dict[ReviewBucket, str] = {
    ReviewBucket.RECENT: "Last 30 days",
    ReviewBucket.MONTH: "31–60 days",
    ReviewBucket.QUARTER: "61–90 days",
    ReviewBucket.LONGER: "Over 90 days",
    ReviewBucket.NEVER: "Never touched",
}

# Inclusive day ranges; None means unbounded. Used to turn a bucket into a date filter.
BUCKET_DAYS: dict[ReviewBucket, tuple[int, int | None]] = {
    ReviewBucket.RECENT: (0, 30),
    ReviewBucket.MONTH: (31, 60),
    ReviewBucket.QUARTER: (61, 90),
    ReviewBucket.LONGER: (91, None),
}


def days_since(moment: datetime | None, *, now: datetime) -> int | None:
    """Whole days between `moment` and `now`; None if it never happened."""
    if moment is None:
        return None
    return max(0, (now - moment).days)


def review_bucket(last_touched: datetime | None, *, now: datetime) -> ReviewBucket:
    days = days_since(last_touched, now=now)
    if days is None:
        return ReviewBucket.NEVER
    for bucket, (low, high) in BUCKET_DAYS.items():
        if days >= low and (high is None or days <= high):
            return bucket
    raise AssertionError("buckets cover every non-negative day count")


@dataclass(frozen=True)
class CadenceCheck:
    cadence_days: int
    days_untouched: int
    overdue_by: int  # days past the cadence; 0 or less means not neglected

    @property
    def neglected(self) -> bool:
        return self.overdue_by > 0


def cadence_check(
    *, last_touched: datetime | None, since: datetime, cadence_days: int, now: datetime
) -> CadenceCheck:
    """Compare time untouched with the cadence. Someone never touched counts from `since` (when
    they were added), so a client added yesterday is not yet neglected."""
    untouched = days_since(last_touched or since, now=now) or 0
    return CadenceCheck(cadence_days, untouched, untouched - cadence_days)
