"""Files into tables: a header and rows of text cells, whatever the file was (CSV in any
delimiter and encoding a spreadsheet program writes, XLSX, or vCard 2.1/3.0/4.0).

Every way a file can be unreadable ends in one ValidationError on "file" with a sentence a
person can act on, never an exception page.
"""

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class Table:
    """A file's header and rows, as they are (a row may be shorter or longer than the header;
    blank rows are kept so row numbers match what a spreadsheet shows)."""

    kind: str  # "csv", "xlsx" or "vcard"
    header: list[str]
    rows: list[list[str]]
    delimiter: str = ","


def _unreadable(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def read_table(*, name: str, data: bytes) -> Table:
    """The table in the file `name` with the bytes `data`; ValidationError on "file" if it is
    not a spreadsheet or a vCard."""
    if not data.strip():
        raise _unreadable("The file is empty: export your contacts again and upload that file.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
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
        return _read_vcards(text)
    return _read_csv(text)


def _read_csv(text: str) -> Table:
    delimiter = tabular.sniff_delimiter(text)
    # A cell our own export escaped against formula injection ("'=…", "'+1 415…") reads back
    # as the value it was.
    rows = [[cell_unescape(c) for c in row] for row in tabular.csv_rows(text, delimiter)]
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    return _table("csv", rows, delimiter)


def _table(kind: str, rows: list[list[str]], delimiter: str = ",") -> Table:
    if not rows:
        raise _unreadable("The file has no rows.")
    header = [cell.strip() for cell in rows[0]]
    # Spreadsheet programs pad the header with empty trailing columns.
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise _unreadable(
            f"The file has {len(header)} columns; at most {MAX_COLUMNS} can be read. Delete the "
            "columns you do not need and upload it again."
        )
    if len(rows) < 2:
        raise _unreadable("The file has a header but no rows below it.")
    header = [column or f"Column {index + 1}" for index, column in enumerate(header)]
    return Table(kind, header, rows[1:], delimiter)


# ----------------------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # heavy: only for spreadsheets

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _unreadable(
            "This file is a zip archive but not an Excel workbook: upload a CSV, XLSX or VCF."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    return _table("xlsx", rows)


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


def _read_vcards(text: str) -> Table:
    import vobject  # only for address books

    logging.getLogger("vobject.base").setLevel(logging.CRITICAL)  # it logs every odd line
    rows: list[list[str]] = []
    try:
        for card in vobject.readComponents(
            _escape_commas(_join_soft_breaks(text)), ignoreUnreadable=True
        ):
            if card.name.upper() == "VCARD":
                rows.append(_card_row(card))
    except Exception:  # noqa: BLE001  vobject raises many kinds on a broken file
        if not rows:
            raise _unreadable("This vCard file cannot be read: export it again.") from None
    if not rows:
        raise _unreadable("The file has no contacts (no BEGIN:VCARD … END:VCARD).")
    return Table("vcard", list(VCARD_HEADER), rows)


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
        if any(cell.strip() for cell in row):
            yield index + 2, row
