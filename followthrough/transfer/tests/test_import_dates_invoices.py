"""Invoice dates are days on the workspace's calendar: an invoice issued or paid today goes in
at any hour (at 09:00 in New York, today's noon is still to come), one dated tomorrow is
refused with its row, and a paid date is never dropped without a word."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followthrough.events.models import Event
from followthrough.transfer.importing.invoices import InvoiceReport, invoices_import

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 23)  # in New York, at both hours below
MORNING = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
LATE = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 23:30 in New York, tomorrow in UTC
HEADER = "Invoice Number,Customer Email,Amount,Invoice Date,Due Date,Paid Date\n"


def _import(workspace, at: datetime, *rows: str) -> InvoiceReport:  # type: ignore[no-untyped-def]
    data = (HEADER + "".join(f"{row}\n" for row in rows)).encode()
    with time_machine.travel(at, tick=False):
        return invoices_import(workspace=workspace, name="invoices.csv", data=data)


@pytest.mark.parametrize("at", [MORNING, LATE], ids=["09:00", "23:30"])
def test_an_invoice_issued_and_paid_today_goes_in(workspace, at: datetime) -> None:  # type: ignore[no-untyped-def]
    report = _import(workspace, at, "INV-1,dana@example.com,80,2026-11-23,2026-12-23,2026-11-23")

    assert (report.invoices, report.events_created, report.rejected) == (1, 2, [])
    for event in Event.objects.filter(type__in=["invoice.issued", "invoice.paid"]):
        assert event.occurred_at.astimezone(NEW_YORK).date() == TODAY
        assert event.occurred_at <= at  # never recorded as happening later than now


@pytest.mark.parametrize("at", [MORNING, LATE], ids=["09:00", "23:30"])
def test_a_date_of_tomorrow_rejects_the_row_and_says_which(workspace, at: datetime) -> None:  # type: ignore[no-untyped-def]
    report = _import(
        workspace,
        at,
        "INV-2,dana@example.com,80,2026-11-24,2026-12-24,",
        "INV-3,dana@example.com,80,2026-11-20,2026-12-20,2026-11-24",
    )

    assert [str(r) for r in report.rejected] == [
        "row 2, Invoice Date: in the future",
        "row 3, Paid Date: in the future",
    ]
    assert Event.objects.count() == 0
