"""Table tests for review buckets and the cadence check."""

from datetime import UTC, datetime, timedelta

import pytest

from followthrough.core.cadence import ReviewBucket, cadence_check, days_since, review_bucket

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days_ago", "bucket"),
    [
        (0, ReviewBucket.RECENT),
        (30, ReviewBucket.RECENT),
        (31, ReviewBucket.MONTH),
        (60, ReviewBucket.MONTH),
        (61, ReviewBucket.QUARTER),
        (90, ReviewBucket.QUARTER),
        (91, ReviewBucket.LONGER),
        (1000, ReviewBucket.LONGER),
        (None, ReviewBucket.NEVER),
    ],
)
def test_it_puts_contacts_in_the_30_60_quarter_folders(days_ago, bucket) -> None:
    touched = None if days_ago is None else NOW - timedelta(days=days_ago, hours=1)
    assert review_bucket(touched, now=NOW) is bucket


def test_it_counts_whole_days() -> None:
    assert days_since(NOW - timedelta(days=2, hours=23), now=NOW) == 2
    assert days_since(None, now=NOW) is None


@pytest.mark.parametrize(
    ("last_touched_days", "since_days", "cadence", "neglected", "overdue_by"),
    [
        (29, 400, 30, False, -1),
        (31, 400, 30, True, 1),  # a gold client, a day past the monthly touch
        (61, 400, 60, True, 1),
        (89, 400, 90, False, -1),
        (None, 10, 30, False, -20),  # added ten days ago, never touched: not yet
        (None, 200, 180, True, 20),  # never touched and long past any cadence
    ],
)
def test_it_flags_clients_past_their_cadence(
    last_touched_days, since_days, cadence, neglected, overdue_by
) -> None:
    last = None if last_touched_days is None else NOW - timedelta(days=last_touched_days)
    check = cadence_check(
        last_touched=last, since=NOW - timedelta(days=since_days), cadence_days=cadence, now=NOW
    )
    assert (check.neglected, check.overdue_by) == (neglected, overdue_by)
