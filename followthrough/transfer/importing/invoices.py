"""Invoice history from a CSV or XLSX file: each invoice becomes an `invoice.issued` event and,
when it was paid, an `invoice.paid` event, through events.services.event_record_batch, so derived
facts (paid on time, N days late, late payments in the last 12 months) cover the past.

The external ids are the invoice's own ("invoice:INV-1042:issued"): importing the same file
twice, or a longer export later, adds only what is new. As with purchase history, imported
events are marked processed: an invoice paid late in 2024 must not start a conversation today.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.core import tabular
from followthrough.core.facts import INVOICE_ISSUED, INVOICE_PAID
from followthrough.core.spreadsheet_safety import cell_escape
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record_batch
from followthrough.insight.imports import MONTH_FIRST_REGIONS, RejectedRow, parse_amount
from followthrough.people.models import Contact, Source, Stage
from followthrough.transfer.importing.reading import Table, iter_nonblank, read_table

SOURCE: Final = "import:invoices"
CHUNK: Final = 1000
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "invoice_id": ("invoice_id", "invoice", "invoice_number", "invoice_no", "number", "id"),
    "email": ("email", "e_mail", "email_address", "customer_email", "client_email"),
    "customer_id": ("customer_id", "customer", "client_id", "customer_number", "external_id"),
    "name": ("name", "customer_name", "client_name", "client", "full_name"),
    "amount": ("amount", "total", "amount_due", "invoice_total", "total_amount", "value"),
    "issued": (
        "issued",
        "issued_at",
        "issue_date",
        "invoice_date",
        "date",
        "date_issued",
        "created",
        "issued_on",
    ),
    "due": ("due", "due_date", "due_at", "payment_due", "due_on", "date_due"),
    "paid": ("paid", "paid_at", "paid_date", "payment_date", "date_paid", "paid_on"),
    "currency": ("currency", "currency_code"),
}
REQUIRED: Final = ("invoice_id", "amount", "issued", "due")


@dataclass
class InvoiceReport:
    """What an invoice import did (or in a dry run would do)."""

    rows: int = 0
    invoices: int = 0
    events_created: int = 0
    already_imported: int = 0
    new_contacts: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})


def _columns(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = tabular.normal_header(raw)
        for ours, synonyms in COLUMNS.items():
            if name in synonyms and ours not in found:
                found[ours] = index
    missing = [c for c in REQUIRED if c not in found]
    if not any(c in found for c in ("email", "customer_id")):
        missing.append("email or customer_id")
    if missing:
        raise ValidationError(
            {
                "file": [
                    f"No {', '.join(missing)} column. Name the columns invoice_id, email (or "
                    "customer_id), amount, issued, due and, for paid invoices, paid."
                ]
            }
        )
    return found


@dataclass(frozen=True)
class _Layout:
    header: Sequence[str]
    columns: dict[str, int]
    day_first: bool
    tz: ZoneInfo
    now: datetime

    def cell(self, row: Sequence[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def day(self, row: Sequence[str], name: str, out: list[tuple[str, str]]) -> date | None:
        raw = self.cell(row, name)
        try:
            day = tabular.parse_day(raw, day_first=self.day_first) if raw else None
        except tabular.BadDate as error:
            out.append((self.header[self.columns[name]], f"{error}: unknown date format"))
            return None
        if day is None or day.year is None:
            if raw or name != "paid":
                out.append(
                    (
                        self.header[self.columns[name]],
                        "missing" if not raw else f"“{raw}” has no year",
                    )
                )
            return None
        return date(day.year, day.month, day.day)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def moment(self, day: date) -> datetime:
        """A date alone means local noon, so the day survives any time zone; but no later than
        now, or an invoice issued or paid this morning would be recorded in the future."""
        return min(datetime.combine(day, time(12), tzinfo=self.tz), self.now)


def _events(layout: _Layout, row: Sequence[str]) -> tuple[list[EventInput], list[tuple[str, str]]]:
    """The row's events, or none and its problems as (column, message)."""
    problems: list[tuple[str, str]] = []
    invoice_id = layout.cell(row, "invoice_id")
    if not invoice_id:
        problems.append((layout.header[layout.columns["invoice_id"]], "missing"))
    raw_amount = layout.cell(row, "amount")
    amount = parse_amount(raw_amount) if raw_amount else None
    if amount is None:
        problems.append(
            (
                layout.header[layout.columns["amount"]],
                f"“{raw_amount}” is not an amount" if raw_amount else "missing",
            )
        )
    issued, due = layout.day(row, "issued", problems), layout.day(row, "due", problems)
    paid = layout.day(row, "paid", problems) if "paid" in layout.columns else None
    ref = _who(layout, row, problems)
    # By the workspace's date, not the time of day: an invoice of today is fine at 09:00.
    problems += [
        (layout.header[layout.columns[name]], "in the future")
        for name, day in (("issued", issued), ("paid", paid))
        if day and day > layout.today
    ]
    if problems or ref is None:
        return [], problems
    assert issued is not None and due is not None  # noqa: S101  (no problems)
    data: dict[str, Any] = {
        "invoice_id": invoice_id[:100],
        "amount": str(amount),
        "due_date": due.isoformat(),
    }
    if currency := layout.cell(row, "currency"):
        data["currency"] = currency[:10]
    key = f"invoice:{invoice_id[:150]}"
    events = [EventInput(INVOICE_ISSUED, layout.moment(issued), SOURCE, ref, f"{key}:issued", data)]
    if paid:
        events.append(
            EventInput(
                INVOICE_PAID,
                layout.moment(paid),
                SOURCE,
                ref,
                f"{key}:paid",
                {"invoice_id": data["invoice_id"], "amount": str(amount)},
            )
        )
    return events, []


def _who(layout: _Layout, row: Sequence[str], out: list[tuple[str, str]]) -> ContactRef | None:
    email, customer = layout.cell(row, "email").lower(), layout.cell(row, "customer_id")
    name = layout.cell(row, "name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            column = layout.header[layout.columns["email"]]
            out.append((column, f"“{email}” is not a valid email address"))
            return None
    if not (email or customer):
        column = layout.header[layout.columns.get("email", layout.columns.get("customer_id", 0))]
        out.append((column, "missing (give an email or a customer id)"))
        return None
    return ContactRef(external_id=customer[:100], email=email, name=name)


def invoices_import(
    *,
    workspace: Workspace,
    name: str,
    data: bytes,
    dry_run: bool = False,
    now: datetime | None = None,
) -> InvoiceReport:
    """Import invoice history from a file. Raises ValidationError on "file" when it cannot be
    read as an invoice list; a bad row is reported by row and column and the others go in."""
    now = now or timezone.now()
    table = read_table(name=name, data=data)
    layout = _layout(workspace, table, now)
    report = InvoiceReport(dry_run=dry_run)
    items: list[tuple[int, EventInput]] = []
    for number, row in iter_nonblank(table):
        report.rows += 1
        events, problems = _events(layout, row)
        report.invoices += bool(events)
        items += [(number, event) for event in events]
        report.rejected += [RejectedRow(number, column, message) for column, message in problems]
    with transaction.atomic():
        for start in range(0, len(items), CHUNK):
            _store(workspace, items[start : start + CHUNK], now, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _layout(workspace: Workspace, table: Table, now: datetime) -> _Layout:
    columns = _columns(table.header)
    dates = [
        row[i] for i in (columns["issued"], columns["due"]) for row in table.rows if i < len(row)
    ]
    month_first = workspace.default_region.upper() in MONTH_FIRST_REGIONS
    day_first = tabular.day_first_for(dates, month_first_region=month_first)
    return _Layout(table.header, columns, day_first, ZoneInfo(workspace.timezone), now)


def _store(
    workspace: Workspace,
    numbered: list[tuple[int, EventInput]],
    now: datetime,
    report: InvoiceReport,
) -> None:
    """One chunk through the event ingestion: replays are counted, new events marked processed
    (history), and people first met through an invoice become clients."""
    items = [item for _, item in numbered]
    stored = set(
        Event.objects.filter(
            workspace=workspace, source=SOURCE, external_id__in=[i.external_id for i in items]
        ).values_list("external_id", flat=True)
    )
    last_contact = Contact.objects.filter(workspace=workspace).aggregate(m=Max("id"))["m"] or 0
    results = event_record_batch(workspace=workspace, items=items)
    for result in results:
        if result.event is None:
            number = numbered[result.index][0]
            errors = result.errors or {"contact": ["no such contact"]}
            report.rejected += [RejectedRow(number, k, " ".join(v)) for k, v in errors.items()]
    new = [
        r.event for r in results if r.event is not None and items[r.index].external_id not in stored
    ]
    Event.objects.filter(pk__in=[e.pk for e in new]).update(processed_at=now)
    report.events_created += len(new)
    report.already_imported += sum(1 for r in results if r.event) - len(new)
    newcomers = Contact.objects.filter(
        pk__in={e.contact_id for e in new if e.contact_id > last_contact}, stage=Stage.LEAD
    )
    report.new_contacts += newcomers.update(stage=Stage.CLIENT, source=Source.IMPORT)


def rejected_invoices_csv(*, name: str, data: bytes, report: InvoiceReport) -> str:
    """The rejected rows as they were, with an `error` column, to fix and import again. Every
    cell is escaped against formulas; the reader takes the quote off again."""
    table = read_table(name=name, data=data)
    reasons: dict[int, list[str]] = {}
    for rejected in report.rejected:
        reasons.setdefault(rejected.row, []).append(f"{rejected.column}: {rejected.message}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keep = [i for i, h in enumerate(table.header) if h != tabular.ERROR_COLUMN]
    header = [table.header[i] for i in keep] + [tabular.ERROR_COLUMN]
    writer.writerow([cell_escape(c) for c in header])
    for number, row in iter_nonblank(table):
        if number in reasons:
            cells = [row[i] if i < len(row) else "" for i in keep]
            writer.writerow([cell_escape(c) for c in [*cells, "; ".join(reasons[number])]])
    return out.getvalue()
