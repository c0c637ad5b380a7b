"""Reading people's spreadsheets: text decoding, the delimiter, which column is which, and the
values in the cells (dates, tags, stages). Pure: no Django, no clock.

Column recognition knows the exports of Google Contacts (old "Given Name" / "E-mail 1 - Value"
and new "First Name" / "Labels" forms), Outlook ("E-mail Address", "Business Phone") and HubSpot
("Email", "Phone Number", "Lifecycle Stage", "Record ID"), plus plain English headers.
"""

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

# The fields a column can be mapped to; "" means "ignore this column".
FIELDS: Final[dict[str, str]] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "email": "Email",
    "phone": "Phone",
    "organization": "Organization",
    "title": "Job title",
    "birthday": "Birthday",
    "tags": "Tags / groups",
    "notes": "Notes",
    "street": "Street",
    "city": "City",
    "region": "State / region",
    "postal_code": "Postal code",
    "country": "Country",
    "stage": "Stage",
    "owner": "Owner (user email or name)",
    "external_id": "External id",
    "last_contacted": "Last contacted (date)",
    "source": "Source (how they found you)",
    "tier": "Tier (gold, silver, bronze)",
    "client_since": "Client since (date)",
    "marketing_consent": "Marketing consent (yes / no)",
    "consent_at": "Consent given on (date)",
}
IGNORE: Final = ""

_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "first_name": ("first_name", "given_name", "firstname", "first", "vorname", "prenom"),
    "last_name": ("last_name", "family_name", "surname", "lastname", "last", "nachname", "nom"),
    "full_name": ("name", "full_name", "display_name", "contact_name", "formatted_name"),
    "email": (
        "email", "e_mail", "email_address", "e_mail_address", "mail", "work_email",
        "personal_email", "primary_email",
    ),
    "phone": (
        "phone", "phone_number", "telephone", "tel", "mobile", "mobile_phone",
        "mobile_phone_number", "business_phone", "business_phone_2", "home_phone",
        "home_phone_2", "other_phone", "primary_phone", "car_phone", "cell", "cell_phone",
        "work_phone",
    ),
    "organization": (
        "organization", "organisation", "company", "company_name", "organization_name",
        "organization_1_name", "employer", "account_name",
    ),
    # Outlook's "Title" is Mr./Ms.: a "Job Title" column wins over it (see guess_mapping).
    "title": ("job_title", "organization_title", "organization_1_title", "title", "position",
              "role"),
    "birthday": ("birthday", "birth_date", "date_of_birth", "dob", "bday", "birthdate"),
    "tags": ("tags", "labels", "group_membership", "groups", "categories", "interests",
             "category"),
    "notes": ("notes", "note", "comments", "description"),
    "street": (
        "street", "address", "street_address", "address_1_street", "business_street",
        "home_street", "address_line_1", "address_street",
    ),
    "city": ("city", "town", "address_1_city", "business_city", "home_city", "address_city"),
    "region": (
        "state", "region", "province", "state_region", "address_1_region", "business_state",
        "home_state", "state_province", "county",
    ),
    "postal_code": (
        "postal_code", "zip", "zip_code", "postcode", "address_1_postal_code",
        "business_postal_code", "home_postal_code", "postal",
    ),
    "country": (
        "country", "address_1_country", "business_country_region", "home_country_region",
        "country_region", "country_code",
    ),
    "stage": ("lifecycle_stage", "stage", "status", "lead_status"),
    "owner": ("owner", "contact_owner", "account_owner", "assigned_to"),
    "external_id": ("external_id", "record_id", "contact_id", "customer_id", "id", "hubspot_id"),
    # HubSpot "Last Contacted" / "Last Activity Date"; plain sheets "Last contact", "Last touch".
    "last_contacted": (
        "last_contacted", "last_contact", "last_contacted_date", "last_contact_date",
        "last_activity_date", "last_activity", "last_touched", "last_touch",
        "last_engagement_date", "last_meeting_date",
    ),
    "source": ("source", "lead_source", "original_source", "contact_source"),
    "tier": ("tier", "customer_tier", "client_tier"),
    "client_since": ("client_since", "customer_since", "became_a_customer_date"),
    "marketing_consent": ("marketing_consent", "email_consent", "accepts_marketing",
                          "accepts_email_marketing", "email_opt_in", "marketing_opt_in"),
    "consent_at": ("consent_at", "consent_date", "consented_at", "consent_given_on",
                   "opt_in_date"),
}  # fmt: skip
_BY_HEADER: Final[dict[str, str]] = {
    synonym: field for field, synonyms in _SYNONYMS.items() for synonym in synonyms
}
# Numbered vendor columns: Google "E-mail 2 - Value", "Phone 3 - Value", Outlook "E-mail 2
# Address", "Address 1 - Street". Their "... - Type"/"- Label" siblings are labels, ignored.
_NUMBERED: Final = (
    (re.compile(r"^e_?mail_\d+(_value|_address)?$"), "email"),
    (re.compile(r"^phone_\d+(_value)?$"), "phone"),
    (re.compile(r"^organization_\d+_name$"), "organization"),
    (re.compile(r"^organization_\d+_title$"), "title"),
)
# The rejected-rows file adds this column; a re-import must not read it as data.
ERROR_COLUMN: Final = "error"


def normal_header(name: str) -> str:
    """ "E-mail 1 - Value" → "e_mail_1_value"."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _guess(header: str) -> tuple[str, int]:
    """The field a header names and how surely (lower is surer: its place among the synonyms)."""
    name = normal_header(header)
    field = _BY_HEADER.get(name)
    if field is not None:
        return field, _SYNONYMS[field].index(name)
    for pattern, numbered in _NUMBERED:
        if pattern.match(name):
            return numbered, 100
    return IGNORE, 0


def guess_field(header: str) -> str:
    """The field a column header names, or IGNORE."""
    return _guess(header)[0]


MANY: Final = frozenset({"email", "phone", "tags", "notes"})


def guess_mapping(header: Sequence[str]) -> list[str]:
    """A field per column. A field that takes one value (all but MANY) goes to the column that
    names it most surely, the first such one on a tie: Outlook's "Job Title" beats its "Title"
    (Mr./Ms.), "Business Street" keeps "Home Street" from overwriting it."""
    guesses = [_guess(column) for column in header]
    best: dict[str, tuple[int, int]] = {}
    for index, (field, rank) in enumerate(guesses):
        if field and (field not in best or rank < best[field][0]):
            best[field] = (rank, index)
    return [
        field if field in MANY or (field and best[field][1] == index) else IGNORE
        for index, (field, _) in enumerate(guesses)
    ]


# ----------------------------------------------------------------------------- text


class NotText(ValueError):
    """The bytes are not a text file (an image, a PDF, a program)."""


_BINARY_MAGIC: Final = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file: save it as .xlsx or CSV"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)


def binary_kind(head: bytes) -> str | None:
    """What a binary file looks like ("a PNG image"), or None if it is not a known binary."""
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    return None


def decode(data: bytes) -> str:
    """Text from what a spreadsheet program or a phone writes: UTF-8 with or without a BOM,
    UTF-16 (Excel's "Unicode text", with a BOM), else Windows-1252. A file whose lines were
    written in different encodings is read line by line, so one Excel-edited line does not
    turn the whole file into mojibake. Raises NotText for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotText("a broken UTF-16 text file") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise NotText("a binary file")
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(_decode_line(line) for line in data.splitlines(keepends=True))


def _utf16_without_bom(data: bytes) -> str | None:
    # Every other byte zero at the start: UTF-16 text of mostly-ASCII characters.
    head = data[:4096]
    for codec, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros and zeros.count(0) > len(zeros) * 0.9:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; latin-1 reads them all.
        try:
            return line.decode("cp1252")
        except UnicodeDecodeError:
            return line.decode("latin-1")


def looks_binary(text: str) -> bool:
    """True when decoded text is full of control characters (a binary file read as text)."""
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return "\x00" in sample or controls > len(sample) * 0.05


DELIMITERS: Final = (",", ";", "\t", "|")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (above one) of columns
    most often; a comma when none does. csv.Sniffer guesses wrong on quoted fields that hold
    commas, which a Google export is full of."""
    lines = text[:65536].splitlines()[:30]
    if len(lines) > 1 and len(text) > 65536:
        lines = lines[:-1]  # the last line of a sample may be cut in half
    best, best_score = ",", 0
    sample = "\n".join(lines)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = count * 1000 + width
        if score > best_score:
            best, best_score = delimiter, score
    return best


class BadCsv(ValueError):
    """The text cannot be read as CSV; the message says on which line and what to do."""


# csv refuses a cell over 128 KiB (a long Notes cell); this is more than an upload (60 MB)
# can hold. The limit is process-wide: every reader sets this same value, so threads agree.
MAX_CELL: Final = 64 * 1024 * 1024
# A quote that opens a cell: at the start of a line or right after a delimiter (elsewhere csv
# reads a quote as text), and the rest of that quoted cell up to its closing quote ("" is a
# quote inside the cell). Possessive, as csv reads: no backtracking into a "" pair.
_OPENING: Final = r'(?:^|(?<=[{delimiter}\r\n]))"'
_CLOSING: Final = re.compile(r'[^"]*+(?:""[^"]*+)*+"')
_LINE_BREAK: Final = re.compile(r"\r\n?|\n")


def csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    """Every row of a CSV text, read as it is asked for (NUL characters dropped: csv refuses
    them). Raises BadCsv for what csv cannot read, and for a quote that is never closed: csv
    would read the rest of the file into that one cell."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    csv.field_size_limit(MAX_CELL)
    source = io.StringIO(text, newline="")
    reader = csv.reader(source, delimiter=delimiter)
    last = start = 0  # where the row just read, and the next one, begin in the text
    try:
        for row in reader:
            last, start = start, source.tell()
            yield row
    except csv.Error as error:
        raise BadCsv(
            f"Line {reader.line_num} cannot be read ({error}): fix it in a spreadsheet program "
            "and upload the file again."
        ) from None
    _check_quotes_closed(text, last, delimiter)


def _check_quotes_closed(text: str, start: int, delimiter: str) -> None:
    """Raise BadCsv if a quote opened in the row that begins at `start` (the last row) is
    never closed and swallowed the lines after it. One on the last line swallowed nothing."""
    opening = re.compile(_OPENING.format(delimiter=re.escape(delimiter)), re.MULTILINE)
    position = start
    while (quote := opening.search(text, position)) is not None:
        closing = _CLOSING.match(text, quote.end())
        if closing is None:
            if _LINE_BREAK.search(text[quote.end() :].strip()):
                line = len(_LINE_BREAK.findall(text, 0, quote.start())) + 1
                raise BadCsv(
                    f'Line {line} opens a quote (") that is never closed, so every line after '
                    "it reads as one cell: close that quote or delete it, and upload the file "
                    "again."
                )
            return
        position = closing.end()


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Day:
    """A yearly date; the year is unknown for "--04-12" birthdays (vCard, Google)."""

    month: int
    day: int
    year: int | None = None


_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?$")
_WORDS_DMY = re.compile(r"^(\d{1,2})\.?\s+([A-Za-z]+)\.?,?(?:\s+(\d{4}))?$")
_WORDS_MDY = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?$")
# Outlook writes an empty birthday as "0/0/00"; Excel sometimes as "00.00.0000".
_EMPTY_DATES: Final = frozenset({"0/0/00", "0/0/0000", "00.00.0000", "0000-00-00", "1/1/1601"})


class BadDate(ValueError):
    """Not a date in any format we read."""


def parse_day(raw: str, *, day_first: bool) -> Day | None:
    """A birthday as people write it: 1985-04-12, 19850412, --04-12, 12/04/1985 (day or month
    first: `day_first`), 12.04.1985, 12 April 1985, April 12, 1985, Apr 12. None for an empty
    cell (and Outlook's "0/0/00"); BadDate for anything else."""
    value = raw.strip()
    if not value or value in _EMPTY_DATES:
        return None
    result = _parse_numeric(value, day_first) or _parse_words(value)
    if result is None:
        raise BadDate(f"“{raw}” is not a date we can read (use YYYY-MM-DD)")
    try:
        date(result.year or 2000, result.month, result.day)  # 2000: 29 Feb without a year
    except ValueError:
        raise BadDate(f"“{raw}” is not a real date") from None
    if result.year is not None and not 1800 <= result.year <= 2200:
        raise BadDate(f"“{raw}” has an unlikely year")
    return result


def _parse_numeric(value: str, day_first: bool) -> Day | None:
    if match := _ISO.match(value):
        return Day(int(match[2]), int(match[3]), int(match[1]))
    if match := _NO_YEAR.match(value):
        return Day(int(match[1]), int(match[2]))
    if match := _NUMERIC.match(value):
        first, second = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else None
        if year is not None and len(match[3]) == 2:
            # Two-digit years of birthdays: 85 is 1985, 05 is 2005.
            year += 1900 if year > 30 else 2000
        if "." in value or first > 12:
            day_first = True
        elif second > 12:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        return Day(month, day, year)
    return None


def _parse_words(value: str) -> Day | None:
    if match := _WORDS_DMY.match(value):
        day, month_name, year = match[1], match[2], match[3]
    elif match := _WORDS_MDY.match(value):
        month_name, day, year = match[1], match[2], match[3]
    else:
        return None
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    return Day(month, int(day), int(year) if year else None)


def day_first_for(values: Sequence[str], *, month_first_region: bool) -> bool:
    """Whether a file writes 03/04/1985 as 3 April: a date that reads only one way (13/04 or
    04/13) settles it for the whole file, the most common such reading winning; else the
    workspace's country decides. A date that reads no way (31/31) is no evidence."""
    votes: Counter[bool] = Counter()
    for value in values:
        if match := _NUMERIC.match(value.strip()):
            first, second = int(match[1]), int(match[2])
            if first > 12 >= second:
                votes[True] += 1
            elif second > 12 >= first:
                votes[False] += 1
    if votes:
        return votes[True] >= votes[False]
    return not month_first_region


_LIST_SPLIT = re.compile(r"\s*(?::::|;|,)\s*")
# Google's system groups ("* myContacts", "* starred") are not the user's labels.
_SYSTEM_GROUP = re.compile(r"^\*\s")


def split_tags(raw: str) -> list[str]:
    """Google "Friends ::: * myContacts ::: Cycling", Outlook "Friends;Cycling", "a, b" → tags
    (lower-case, without Google's system groups)."""
    tags: list[str] = []
    for part in _LIST_SPLIT.split(raw.strip()):
        if not part or _SYSTEM_GROUP.match(part):
            continue
        tag = part.lower()[:60]
        if tag not in tags:
            tags.append(tag)
    return tags


def split_values(raw: str) -> list[str]:
    """Several emails or phones in one cell (Google writes "a@x.com ::: b@y.com")."""
    return [part for part in re.split(r"\s*(?::::|;|\n)\s*", raw.strip()) if part]


def split_name(full: str) -> tuple[str, str]:
    """ "Dana Rider" → ("Dana", "Rider"); "Rider, Dana" → ("Dana", "Rider")."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.partition(" ")
    return first, last


# HubSpot lifecycle stages and common words → our stages.
_STAGES: Final[dict[str, str]] = {
    "lead": "lead", "subscriber": "lead", "new": "lead", "open": "lead",
    "marketingqualifiedlead": "lead", "marketing_qualified_lead": "lead", "mql": "lead",
    "salesqualifiedlead": "prospect", "sales_qualified_lead": "prospect", "sql": "prospect",
    "opportunity": "prospect", "prospect": "prospect", "in_progress": "prospect",
    "customer": "client", "client": "client", "evangelist": "client", "active": "client",
    "lapsed": "lapsed", "inactive": "lapsed", "former": "former", "churned": "former",
    "other": "lead", "unqualified": "lead",
}  # fmt: skip
STAGES: Final = ("lead", "prospect", "client", "lapsed", "former")


def parse_stage(raw: str) -> str | None:
    """Our stage for a stage or HubSpot lifecycle stage; None when unknown."""
    return _STAGES.get(normal_header(raw))


_YES: Final = frozenset({"yes", "y", "true", "1", "x", "subscribed", "opted_in", "granted"})
_NO: Final = frozenset({"no", "n", "false", "0", "unsubscribed", "opted_out", "not_subscribed"})


def parse_yes_no(raw: str) -> bool | None:
    """True for "yes", "TRUE", "1", "Subscribed"; False for "no", "0", "Unsubscribed"; None when
    it says neither."""
    value = normal_header(raw)
    return True if value in _YES else False if value in _NO else None


_COUNTRIES: Final[dict[str, str]] = {
    "united_states": "US", "usa": "US", "united_states_of_america": "US", "us": "US",
    "united_kingdom": "GB", "uk": "GB", "great_britain": "GB", "england": "GB",
    "canada": "CA", "australia": "AU", "germany": "DE", "deutschland": "DE", "france": "FR",
    "ireland": "IE", "new_zealand": "NZ", "netherlands": "NL", "spain": "ES", "espana": "ES",
    "italy": "IT", "italia": "IT", "switzerland": "CH", "schweiz": "CH", "austria": "AT",
    "belgium": "BE", "sweden": "SE", "norway": "NO", "denmark": "DK", "mexico": "MX",
    "brazil": "BR", "india": "IN", "japan": "JP", "portugal": "PT", "poland": "PL",
}  # fmt: skip


def parse_country(raw: str) -> str | None:
    """An ISO 3166 alpha-2 code for "US", "us", "United States", "Deutschland"; None if
    unknown."""
    value = raw.strip()
    if re.fullmatch(r"[A-Za-z]{2}", value):
        return value.upper()
    return _COUNTRIES.get(normal_header(value))


def phone_label(header: str) -> str:
    """The label a phone column gives its numbers: "Mobile Phone" → "mobile"."""
    name = normal_header(header)
    for word, label in (("mobile", "mobile"), ("cell", "mobile"), ("business", "work"),
                        ("work", "work"), ("home", "home")):  # fmt: skip
        if word in name:
            return label
    return ""
