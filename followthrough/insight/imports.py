"""Purchase history from a CSV file, so a new workspace has a rhythm on day one (DESIGN C7 builds
the full importer; this reads date, customer and amount).

Every row becomes a purchase.made event through events.services.event_record_batch, with an
external id that hashes the row's content: importing the same file twice adds nothing. Rows with
problems are reported by row number (as a spreadsheet shows them: the header is row 1) and
column; the others are imported.

Imported purchases are marked processed: they are history for rhythm, value and tiers, and
never start playbooks (a thank-you note for a purchase of 2019 helps nobody, and a file of
100,000 rows must not queue 100,000 engine runs). Purchases that arrive live, through the API
or a webhook, start playbooks as usual.
"""

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Final
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.core.facts import PURCHASE
from followthrough.core.spreadsheet_safety import cell_escape, cell_unescape
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record_batch
from followthrough.people.models import Contact, Source, Stage

CHUNK: Final = 2000
SAMPLE: Final = 64 * 1024
# Header synonyms, compared after _normal_header ("Order Date" -> "order_date").
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "date": (
        "date",
        "order_date",
        "purchase_date",
        "purchased_at",
        "ordered_at",
        "created_at",
        "transaction_date",
        "sale_date",
        "invoice_date",
        "paid_at",
        "day",
    ),
    "email": (
        "email",
        "e_mail",
        "email_address",
        "customer_email",
        "customer_e_mail",
        "buyer_email",
        "client_email",
        "mail",
    ),
    "customer_id": (
        "customer_id",
        "customer",
        "client_id",
        "customer_number",
        "external_id",
        "buyer_id",
        "account_id",
    ),
    "contact_id": ("contact_id", "followthrough_id"),
    "amount": (
        "amount",
        "total",
        "order_total",
        "total_amount",
        "amount_paid",
        "price",
        "value",
        "revenue",
        "sum",
        "grand_total",
        "net_total",
    ),
    "name": ("name", "customer_name", "full_name", "client_name", "buyer_name"),
    "currency": ("currency", "currency_code"),
    "order_id": (
        "order_id",
        "order",
        "order_number",
        "invoice",
        "invoice_id",
        "receipt",
        "transaction_id",
    ),
    "items": ("items", "item", "product", "products", "description"),
}
WHO: Final = ("email", "customer_id", "contact_id")
# Countries that write the month first (03/04/2025 is March 4th) when a file does not tell.
MONTH_FIRST_REGIONS: Final = frozenset({"US", "PH", "FM", "MH", "PW", "GU", "AS", "PR", "VI"})
_SLASHED = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_AMOUNT = re.compile(
    r"^(?:[A-Za-z]{3}|[$€£¥₹]|CHF|kr)?\s*(-?[\d.,' \u00a0\u202f]+?)\s*(?:[A-Za-z]{3}|[$€£¥₹]|kr)?$"
)


@dataclass(frozen=True)
class RejectedRow:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    created: int = 0
    duplicates: int = 0
    new_contacts: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})


@dataclass(frozen=True)
class _Row:
    number: int
    occurred_at: datetime
    ref: ContactRef
    who: tuple[str, str]  # (column, value) naming the person, for errors and caching
    data: dict[str, object]
    key: str


# ----------------------------------------------------------------------------- reading


def _normal_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Our column name -> its index in the file; ValidationError on "file" if one is missing."""
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _normal_header(raw)
        for ours, synonyms in COLUMNS.items():
            if name in synonyms and ours not in found:
                found[ours] = index
    missing = [c for c in ("date", "amount") if c not in found]
    if not any(c in found for c in WHO):
        missing.append("email or customer_id")
    if missing:
        seen = ", ".join(f"“{h}”" for h in header) or "none"
        raise ValidationError(
            {
                "file": [
                    f"No {' and no '.join(missing)} column (the header has {seen}); name them "
                    "date, email or customer_id, and amount."
                ]
            }
        )
    return found


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows, with the delimiter csv.Sniffer finds (comma when it cannot tell). A
    cell escaped against formulas ("'=…", as our rejected-rows file writes it) reads as the
    value it was."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:SAMPLE], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = ([cell_unescape(c) for c in row] for row in csv.reader(io.StringIO(text), dialect))
    header = next(reader, [])
    return header, list(reader)


# ----------------------------------------------------------------------------- values


def _day_first(values: Sequence[str], region: str) -> bool:
    """Whether 03/04/2025 means 3 April: a day above 12 in either place settles it for the
    whole file; otherwise the workspace's country decides."""
    firsts, seconds = set(), set()
    for value in values:
        match = _SLASHED.match(value.strip())
        if match:
            firsts.add(int(match[1]))
            seconds.add(int(match[2]))
    if any(v > 12 for v in firsts):
        return True
    if any(v > 12 for v in seconds):
        return False
    return region.upper() not in MONTH_FIRST_REGIONS


def _date_or_time(raw: str, *, day_first: bool, tz: ZoneInfo) -> datetime | date | None:
    """A purchase date, or time: ISO dates and times, 31/12/2025 or 12/31/2025 (with a time or
    not), 2025/12/31. A time without an offset is local time."""
    value = raw.strip()
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return _other_formats(value, day_first, tz)
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz)
    return parsed


def _other_formats(value: str, day_first: bool, tz: ZoneInfo) -> datetime | date | None:
    try:
        if match := _YEAR_FIRST.match(value):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _SLASHED.match(value):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            year += 2000 if year < 100 else 0
            day, month = (first, second) if day_first else (second, first)
            if match[4] is None:
                return date(year, month, day)
            clock = time(int(match[4]), int(match[5]), int(match[6] or 0))
            return datetime.combine(date(year, month, day), clock, tzinfo=tz)
    except ValueError:
        return None
    return None


def parse_amount(raw: str) -> Decimal | None:
    """12.50, 12,50, 1,234.50, 1.234,50, $12.50, 12,50 €, 1 234,50; None if not an amount.
    A comma followed by one or two digits at the end is a decimal comma; otherwise the last of
    "," and "." is the decimal separator when both appear."""
    match = _AMOUNT.match(raw.strip())
    if not match:
        return None
    number = re.sub(r"[' \u00a0\u202f]", "", match[1])
    if "," in number and "." in number:
        decimal_mark = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        number = number.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in number:
        number = (
            number.replace(",", ".")
            if re.fullmatch(r"-?\d+,\d{1,2}", number)
            else (number.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", number) else "x")
        )
    elif number.count(".") > 1:
        number = number.replace(".", "")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# ----------------------------------------------------------------------------- one row


@dataclass(frozen=True)
class _Layout:
    """How to read the file's rows: its header, where our columns are, the date order."""

    header: Sequence[str]
    columns: dict[str, int]
    day_first: bool
    tz: ZoneInfo
    now: datetime

    def cell(self, row: Sequence[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""


def _who(layout: _Layout, row: Sequence[str]) -> tuple[ContactRef, tuple[str, str]] | RejectedRow:
    """The person (and the column and value naming them), or what is wrong (row 0: the caller
    sets the number)."""
    email, name = layout.cell(row, "email").lower(), layout.cell(row, "name")
    customer, contact_id = layout.cell(row, "customer_id"), layout.cell(row, "contact_id")
    if contact_id:
        if not contact_id.isdigit():
            return RejectedRow(0, "contact_id", f"“{contact_id}” is not an id")
        return ContactRef(id=int(contact_id), name=name), ("contact_id", contact_id)
    if customer:
        ref = ContactRef(external_id=customer[:100], email=email, name=name)
        return ref, ("customer_id", customer)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return RejectedRow(0, "email", f"“{email}” is not an email address")
        return ContactRef(email=email, name=name), ("email", email)
    column = next(c for c in WHO if c in layout.columns)
    return RejectedRow(0, column, "missing (give an email or a customer id)")


def _when(layout: _Layout, row: Sequence[str]) -> datetime | RejectedRow:
    """When the purchase was made. A date alone means local noon, so the day survives any time
    zone; it is in the future only after today (at 09:00, today's noon is still to come)."""
    raw = layout.cell(row, "date")
    when = _date_or_time(raw, day_first=layout.day_first, tz=layout.tz) if raw else None
    if when is None:
        return RejectedRow(0, "date", f"“{raw}” is not a date" if raw else "missing")
    if isinstance(when, datetime):
        moment, future = when, when > layout.now
    else:
        moment = datetime.combine(when, time(12), tzinfo=layout.tz)
        future = when > layout.now.astimezone(layout.tz).date()
    if future:
        return RejectedRow(0, "date", f"“{raw}” is in the future")
    return moment


def _how_much(layout: _Layout, row: Sequence[str]) -> Decimal | RejectedRow:
    raw = layout.cell(row, "amount")
    amount = parse_amount(raw) if raw else None
    if amount is None:
        return RejectedRow(0, "amount", f"“{raw}” is not an amount" if raw else "missing")
    if amount < 0:
        return RejectedRow(0, "amount", f"“{raw}” is negative (a refund is not a purchase)")
    return amount


def _parse_row(
    layout: _Layout, row: Sequence[str], number: int, problems: list[RejectedRow]
) -> _Row | None:
    """The row as a purchase, or None with its problems (all of them) added to `problems`."""
    moment, amount, found = _when(layout, row), _how_much(layout, row), _who(layout, row)
    wrong = [p for p in (moment, amount, found) if isinstance(p, RejectedRow)]
    problems += [RejectedRow(number, p.column, p.message) for p in wrong]
    if wrong:
        return None
    assert isinstance(moment, datetime) and isinstance(amount, Decimal)  # noqa: S101
    assert isinstance(found, tuple)  # noqa: S101
    ref, who = found
    data: dict[str, object] = {"amount": str(amount)}
    for extra in ("currency", "order_id"):
        if value := layout.cell(row, extra):
            data[extra] = value[:100]
    if items := layout.cell(row, "items"):
        data["items"] = [items[:200]]
    # The row's identity: the values we read, normalised, and every other cell as it is.
    content = {"date": moment.isoformat(), "who": list(who), "amount": str(amount.normalize())}
    ours = set(layout.columns.values())
    content |= {
        _normal_header(h): v.strip()
        for i, (h, v) in enumerate(zip(layout.header, row, strict=False))
        if i not in ours
    }
    # Today's noon may be still to come: the purchase is recorded no later than now, while its
    # identity keeps noon, so importing the file again at another hour matches it.
    occurred_at = min(moment, layout.now)
    return _Row(number, occurred_at, ref, who, data, json.dumps(content, sort_keys=True))


def _with_keys(rows: list[_Row]) -> Iterator[tuple[_Row, str]]:
    """Each row with its external id: a hash of its content and how many identical rows came
    before it, so two identical purchases in one file both count and a re-import matches."""
    seen: Counter[str] = Counter()
    for row in rows:
        seen[row.key] += 1
        digest = hashlib.sha256(f"{row.key}#{seen[row.key]}".encode()).hexdigest()[:40]
        yield row, f"row:{digest}"


# ----------------------------------------------------------------------------- writing


def _store(
    workspace: Workspace,
    source: str,
    batch: list[tuple[_Row, str]],
    now: datetime,
    report: ImportReport,
) -> None:
    """One chunk in one transaction, through the batch ingestion (a few queries whatever its
    size): skip stored rows, record the others, mark them processed, and make the people first
    met here clients."""
    with transaction.atomic():
        stored = set(
            Event.objects.filter(
                workspace=workspace, source=source, external_id__in=[key for _, key in batch]
            ).values_list("external_id", flat=True)
        )
        fresh = [(row, key) for row, key in batch if key not in stored]
        report.duplicates += len(batch) - len(fresh)
        last_contact = Contact.objects.filter(workspace=workspace).aggregate(m=Max("id"))["m"]
        items = [
            EventInput(type=PURCHASE, occurred_at=row.occurred_at, source=source,
                       contact=row.ref, external_id=key, data=row.data)
            for row, key in fresh
        ]  # fmt: skip
        results = event_record_batch(workspace=workspace, items=items)
        created = []
        for result in results:
            row = fresh[result.index][0]
            if result.event is not None:
                created.append(result.event)
            elif result.not_found:
                message = f"no contact with id {row.who[1]}"
                report.rejected.append(RejectedRow(row.number, row.who[0], message))
            else:
                for name, messages in (result.errors or {}).items():
                    column = _column_of(name, row.who[0])
                    report.rejected.append(RejectedRow(row.number, column, " ".join(messages)))
        Event.objects.filter(pk__in=[e.pk for e in created]).update(processed_at=now)
        report.created += len(created)
        report.new_contacts += _make_clients(created, last_contact or 0)


def _column_of(field_name: str, who: str) -> str:
    return who if field_name.startswith("contact") else field_name.removeprefix("data.")


def _make_clients(events: list[Event], last_contact: int) -> int:
    """Someone we first meet through a purchase is a client, not a lead (the batch ingestion
    creates them as leads; ids only grow, so the new ones are above the last id before it)."""
    newcomers = Contact.objects.filter(
        pk__in={e.contact_id for e in events if e.contact_id > last_contact}, stage=Stage.LEAD
    )
    return newcomers.update(stage=Stage.CLIENT, source=Source.IMPORT)


def purchases_import_csv(
    *,
    workspace: Workspace,
    file: IO[str],
    source: str = "import:purchases",
    dry_run: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Import purchases from a CSV text stream (UTF-8, with or without a byte-order mark; any
    delimiter csv.Sniffer recognises; headers case-insensitive, with the synonyms of COLUMNS).
    Raises ValidationError on "file" when the file cannot be read as a purchase list at all.
    A dry run does everything, reports it, and rolls it back."""
    now = now or timezone.now()
    text = file.read().lstrip("\ufeff")
    header, records = _rows(text)
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError({"file": ["The file is empty."]})
    columns = _columns(header)
    dates = [r[columns["date"]] for r in records if columns["date"] < len(r)]
    layout = _Layout(header, columns, _day_first(dates, workspace.default_region),
                     ZoneInfo(workspace.timezone), now)  # fmt: skip
    report = ImportReport(dry_run=dry_run)
    parsed: list[_Row] = []
    for index, record in enumerate(records):
        if not any(cell.strip() for cell in record):
            continue
        report.rows += 1
        if row := _parse_row(layout, record, index + 2, report.rejected):
            parsed.append(row)
    keyed = list(_with_keys(parsed))
    if dry_run:
        with transaction.atomic():
            _store_all(workspace, source, keyed, now, report)
            transaction.set_rollback(True)
    else:
        _store_all(workspace, source, keyed, now, report)
    report.rejected.sort(key=lambda r: r.row)
    return report


def _store_all(
    workspace: Workspace,
    source: str,
    keyed: list[tuple[_Row, str]],
    now: datetime,
    report: ImportReport,
) -> None:
    """Chunk by chunk, each its own transaction: a long import must not hold SQLite's write
    lock for minutes while the web app waits (its busy timeout is 20 s)."""
    for start in range(0, len(keyed), CHUNK):
        _store(workspace, source, keyed[start : start + CHUNK], now, report)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter and quoting _rows reads the file with."""
    try:
        return csv.Sniffer().sniff(text[:SAMPLE], ",;\t|")
    except csv.Error:
        return csv.excel


def rejected_rows_csv(*, text: str, report: ImportReport) -> str:
    """The header and the rejected rows of the file `text`, as they were and in its own
    delimiter, for a person to fix and import again. The imported rows are not in it, and a
    fixed row hashes like the same row fixed in the original file, so nothing is counted twice.
    Every cell is escaped against formulas; _rows takes the quote off again."""
    text = text.lstrip("\ufeff")
    header, records = _rows(text)
    wanted = sorted({r.row for r in report.rejected})
    out = io.StringIO()
    writer = csv.writer(out, delimiter=_dialect(text).delimiter, lineterminator="\r\n")
    rows = [header, *(records[row - 2] for row in wanted if 0 <= row - 2 < len(records))]
    writer.writerows([cell_escape(c) for c in row] for row in rows)
    return out.getvalue()
