"""Files into tables: a header and rows of text cells, whatever the file was (CSV in any
delimiter and encoding a spreadsheet program writes, XLSX, or vCard 2.1/3.0/4.0).

Every way a file can be unreadable ends in one ValidationError on "file" with a sentence a
person can act on, never an exception page. A vCard card that cannot be read is not the whole
file's fault: it becomes a row with a problem (Table.problems), and the cards after it are read.
"""

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any, Final

from django.core.exceptions import ValidationError

from followthrough.core import tabular
from followthrough.core.spreadsheet_safety import cell_unescape

MAX_COLUMNS: Final = 500
VCARD_HEADER: Final = (
    "Full name",
    "First name",
    "Last name",
    "Organization",
    "Job title",
    "Birthday",
    "Categories",
    "Street",
    "City",
    "Region",
    "Postal code",
    "Country",
    "Note",
    "Email 1",
    "Email 2",
    "Email 3",
    "Phone 1",
    "Phone 2",
    "Phone 3",
)
_NOTE: Final = VCARD_HEADER.index("Note")


@dataclass(frozen=True)
class Table:
    """A file's header and rows, as they are (a row may be shorter or longer than the header;
    blank rows are kept so row numbers match what a spreadsheet shows)."""

    kind: str  # "csv", "xlsx" or "vcard"
    header: list[str]
    rows: list[list[str]]
    delimiter: str = ","
    # The number people know rows[0] by: a spreadsheet's row (the header is row 1), a vCard's
    # card number.
    first_row: int = 2
    # Why a row could not be read, by its number; such a row is rejected with that reason.
    problems: dict[int, str] = field(default_factory=dict)


def _unreadable(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def read_table(*, name: str, data: bytes, limit: int | None = None) -> Table:
    """The table in the file `name` with the bytes `data`; ValidationError on "file" if it is
    not a spreadsheet or a vCard. `limit`: read only the header and the first `limit` rows with
    something in them (what a file's mapping page shows), not the whole file."""
    if not data.strip():
        raise _unreadable("The file is empty: export your contacts again and upload that file.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, limit)
    kind = tabular.binary_kind(data[:16])
    if kind is not None:
        raise _unreadable(
            f"This file is {kind}, not a spreadsheet or a vCard: upload a CSV, XLSX or VCF file."
        )
    try:
        text = tabular.decode(data)
    except tabular.NotText:
        text = ""
    if not text or tabular.looks_binary(text):
        raise _unreadable("This file is not a spreadsheet or a vCard: upload a CSV, XLSX or VCF.")
    text = text.lstrip("\ufeff")
    if re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE):
        return _read_vcards(text, limit)
    return _read_csv(text, limit)


def _read_csv(text: str, limit: int | None) -> Table:
    delimiter = tabular.sniff_delimiter(text)
    return _table("csv", _csv_cells(text, delimiter), limit, delimiter)


def _csv_cells(text: str, delimiter: str) -> Iterator[list[str]]:
    try:
        for row in tabular.csv_rows(text, delimiter):
            # A cell our own export escaped against formula injection ("'=…", "'+1 415…") reads
            # back as the value it was.
            yield [cell_unescape(cell) for cell in row]
    except tabular.BadCsv as error:
        raise _unreadable(str(error)) from None


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _table(kind: str, rows: Iterator[list[str]], limit: int | None, delimiter: str = ",") -> Table:
    """The first row with something in it is the header; the rows below it are the table (all
    of them, or up to `limit` with something in them)."""
    skipped = 0
    for first in rows:
        if not _blank(first):
            break
        skipped += 1
    else:
        raise _unreadable("The file has no rows.")
    header = [cell.strip() for cell in first]
    # Spreadsheet programs pad the header with empty trailing columns.
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise _unreadable(
            f"The file has {len(header)} columns; at most {MAX_COLUMNS} can be read. Delete the "
            "columns you do not need and upload it again."
        )
    body = _take(rows, limit)
    if not body:
        raise _unreadable("The file has a header but no rows below it.")
    header = [column or f"Column {index + 1}" for index, column in enumerate(header)]
    return Table(kind, header, body, delimiter, first_row=skipped + 2)


def _take(rows: Iterator[list[str]], limit: int | None) -> list[list[str]]:
    if limit is None:
        return list(rows)
    taken: list[list[str]] = []
    filled = 0
    for row in rows:
        taken.append(row)
        filled += not _blank(row)
        if filled == limit:
            break
    return taken


# ----------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, limit: int | None) -> Table:
    from openpyxl import load_workbook  # heavy: only for spreadsheets

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _unreadable(
            "This file is a zip archive but not an Excel workbook: upload a CSV, XLSX or VCF."
        ) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        return _table("xlsx", ([_cell_text(value) for value in row] for row in rows), limit)
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A cell as the text a person saw: dates as YYYY-MM-DD, 4155550100.0 as 4155550100."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ----------------------------------------------------------------------------- vCard

# vCard 2.1 quoted-printable values continue on the next line after a trailing "=" (a soft line
# break); vobject reads only RFC folding (a leading space), so those lines are joined first.
_QP_LINE = re.compile(r"^[^:]*QUOTED-PRINTABLE[^:]*:", re.IGNORECASE)


def _join_soft_breaks(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            out[-1] = out[-1][:-1] + line
        else:
            out.append(line)
        joining = bool(_QP_LINE.match(out[-1])) and out[-1].endswith("=")
    return "\r\n".join(out) + "\r\n"


_PROPERTY = re.compile(r"^([^:]*):(.*)$")
_LIST_PROPERTY = re.compile(r"^(\w+\.)?(CATEGORIES|NICKNAME)\b", re.IGNORECASE)
_BARE_COMMA = re.compile(r"(?<!\\),")


def _escape_commas(text: str) -> str:
    """Escape the bare commas of text values. vCard 2.1 (and many sloppy 3.0 writers) leave them
    bare; vobject then keeps only the part of a NOTE before its first comma. CATEGORIES and
    NICKNAME are comma-separated lists and stay as they are."""
    out: list[str] = []
    in_list = False
    for line in text.split("\r\n"):
        if line.startswith((" ", "\t")):
            out.append(line if in_list else _BARE_COMMA.sub(r"\\,", line))
            continue
        match = _PROPERTY.match(line)
        in_list = bool(match and _LIST_PROPERTY.match(match[1]))
        if match and not in_list:
            line = match[1] + ":" + _BARE_COMMA.sub(r"\\,", match[2])
        out.append(line)
    return "\r\n".join(out)


_BEGIN: Final = re.compile(r"\s*BEGIN:VCARD\s*$", re.IGNORECASE)
_END: Final = re.compile(r"\s*END:VCARD\s*$", re.IGNORECASE)


def _cards(text: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a card begins on, its lines) for each BEGIN:VCARD … END:VCARD, read as they
    are asked for. A card missing its END ends where the next one begins, so one bad card
    cannot swallow the others (vobject, given the whole file, stops at the first)."""
    card: list[str] = []
    start = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        line = line.rstrip("\r\n")
        if _BEGIN.match(line):
            if card:
                yield start, [*card, "END:VCARD"]
            card, start = [line], number
        elif card:
            card.append(line)
            if _END.match(line):
                yield start, card
                card = []
    if card:
        yield start, [*card, "END:VCARD"]


def _read_vcards(text: str, limit: int | None) -> Table:
    logging.getLogger("vobject.base").setLevel(logging.CRITICAL)  # it logs every odd line
    rows: list[list[str]] = []
    problems: dict[int, str] = {}
    for number, (line, card) in enumerate(islice(_cards(text), limit), start=1):
        row, problem = _card_cells(card)
        rows.append(row)
        if problem:
            problems[number] = f"card {number} (starting on line {line}) {problem}"
    if not rows:
        raise _unreadable("The file has no contacts (no BEGIN:VCARD … END:VCARD).")
    if len(problems) == len(rows) and (limit is None or len(rows) < limit):
        raise _unreadable(f"This vCard file cannot be read: export it again ({problems[1]}).")
    return Table("vcard", list(VCARD_HEADER), rows, first_row=1, problems=problems)


def _card_cells(lines: list[str]) -> tuple[list[str], str]:
    """A card's row and "" when it reads, else a row keeping the card as it was (in the Note
    column, so the rejected rows have it) and why it did not read."""
    import vobject  # only for address books

    text = "\r\n".join(lines) + "\r\n"
    try:
        row = _card_row(
            vobject.readOne(_escape_commas(_join_soft_breaks(text)), ignoreUnreadable=True)
        )
    except Exception as error:  # noqa: BLE001  vobject raises many kinds on a broken card
        # vobject's line numbers count from the card's first line: they would mislead.
        return _kept(text), f"cannot be read: {getattr(error, 'msg', error)}"
    if _blank(row):
        return _kept(text), "has no name, email, phone or anything else we import"
    return row, ""


def _kept(card: str) -> list[str]:
    row = [""] * len(VCARD_HEADER)
    row[_NOTE] = card.strip()
    return row


def _values(card: Any, key: str) -> list[Any]:
    return [line.value for line in card.contents.get(key, [])]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v).strip() for v in value if str(v).strip())
    return str(value or "").strip()


def _card_row(card: Any) -> list[str]:
    """One card in VCARD_HEADER's columns. item1.EMAIL and EMAIL are the same to vobject: the
    group prefix only ties a property to its label."""
    name = next(iter(_values(card, "n")), None)
    org = next(iter(_values(card, "org")), None)
    adr = next(iter(_values(card, "adr")), None)
    emails = [_text(v) for v in _values(card, "email") if _text(v)]
    phones = [_text(v) for v in _values(card, "tel") if _text(v)]
    categories: list[str] = []
    for value in _values(card, "categories"):
        categories += value if isinstance(value, list) else [str(value)]
    cells = [
        _text(next(iter(_values(card, "fn")), "")),
        _text(getattr(name, "given", "")),
        _text(getattr(name, "family", "")),
        _text(org[0] if isinstance(org, list) and org else org),
        _text(next(iter(_values(card, "title")), "")),
        _text(next(iter(_values(card, "bday")), "")),
        "; ".join(c.strip() for c in categories if c.strip()),
        _text(getattr(adr, "street", "")),
        _text(getattr(adr, "city", "")),
        _text(getattr(adr, "region", "")),
        _text(getattr(adr, "code", "")),
        _text(getattr(adr, "country", "")),
        _text(next(iter(_values(card, "note")), "")),
    ]
    # Beyond three emails or phones, the rest join the last cell (Google's " ::: " separator).
    return cells + _spread(emails, 3) + _spread(phones, 3)


def _spread(values: list[str], width: int) -> list[str]:
    cells = values[: width - 1] + [" ::: ".join(values[width - 1 :])]
    return cells + [""] * (width - len(cells))


def iter_nonblank(table: Table) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for every row with something in it."""
    for index, row in enumerate(table.rows):
        if not _blank(row):
            yield index + table.first_row, row
