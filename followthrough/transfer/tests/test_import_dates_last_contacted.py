"""A "last contacted" column is read on the workspace's calendar: a time with an offset is a
moment, and its day is New York's day then, so a touch this evening is not "in the future"
because it is already tomorrow in UTC."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followthrough.transfer.models import ImportJob
from followthrough.transfer.tests.conftest import by_email

Run = Callable[..., ImportJob]
EVENING = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 22:30 on the 23rd in New York
NEW_YORK = ZoneInfo("America/New_York")


def _import(run_import: Run, written: str) -> ImportJob:
    data = f"Name,Email,Last contacted\nDana Rider,dana@example.com,{written}\n".encode()
    with time_machine.travel(EVENING, tick=False):
        return run_import(name="book.csv", data=data)


@pytest.mark.parametrize(
    "written",
    [
        "2026-11-24T03:00:00+00:00",  # our own export: UTC
        "2026-11-24T03:00:00Z",
        "2026-11-23T22:00:00-05:00",
        "2026-11-23 22:00",  # no offset: New York's time
        "2026-11-23",
    ],
)
def test_a_touch_this_evening_is_kept_on_its_day(run_import: Run, written: str) -> None:
    job = _import(run_import, written)

    assert job.summary["rejected"] == 0
    touched = by_email("dana@example.com").last_touched_at
    assert touched is not None and touched.astimezone(NEW_YORK).date() == date(2026, 11, 23)


def test_a_touch_tomorrow_morning_is_in_the_future(run_import: Run) -> None:
    job = _import(run_import, "2026-11-24T09:00:00-05:00")

    assert [r.reasons for r in job.rejected_rows.all()] == [
        [{"column": "Last contacted", "message": "“2026-11-24T09:00:00-05:00” is in the future"}]
    ]


def test_a_date_of_today_imported_in_the_morning_is_not_a_touch_in_the_future(
    run_import: Run,
) -> None:
    morning = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
    data = b"Name,Email,Last contacted\nDana Rider,dana@example.com,2026-11-23\n"
    with time_machine.travel(morning, tick=False):
        run_import(name="book.csv", data=data)
    assert by_email("dana@example.com").last_touched_at == morning


def test_a_moment_with_an_offset_is_kept_to_the_second(run_import: Run) -> None:
    _import(run_import, "2026-11-23T21:15:42-05:00")
    touched = by_email("dana@example.com").last_touched_at
    assert touched == datetime(2026, 11, 24, 2, 15, 42, tzinfo=UTC)
