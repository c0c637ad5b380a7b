"""The pure rules of reading a spreadsheet (followthrough.core.tabular), table-driven, no
database: which column is which, dates as people write them, tags, stages, text decoding."""

import pytest

from followthrough.core import tabular
from followthrough.core.tabular import Day


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Given Name", "first_name"), ("Family Name", "last_name"), ("Name", "full_name"),
        ("E-mail 1 - Value", "email"), ("E-mail 1 - Type", ""), ("E-mail 2 Address", "email"),
        ("E-mail Address", "email"), ("Phone 3 - Value", "phone"), ("Phone 1 - Type", ""),
        ("Organization 1 - Name", "organization"), ("Organization 1 - Title", "title"),
        ("Group Membership", "tags"), ("Labels", "tags"), ("Categories", "tags"),
        ("Business Street", "street"), ("Business Country/Region", "country"),
        ("Mobile Phone Number", "phone"), ("Company Name", "organization"),
        ("Lifecycle Stage", "stage"), ("Contact owner", "owner"), ("Record ID", "external_id"),
        ("Business Fax", ""), ("Anniversary", ""), ("error", ""), ("  EMAIL  ", "email"),
    ],
)  # fmt: skip
def test_it_recognizes_vendor_headers(header: str, field: str) -> None:
    assert tabular.guess_field(header) == field


def test_one_value_fields_go_to_the_surest_column() -> None:
    header = ["Title", "First Name", "Job Title", "Business Street", "Home Street", "Email",
              "E-mail 2 Address"]  # fmt: skip
    assert tabular.guess_mapping(header) == [
        "", "first_name", "title", "street", "", "email", "email"]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "day_first", "day"),
    [
        ("1985-04-12", False, Day(4, 12, 1985)), ("19850412", False, Day(4, 12, 1985)),
        ("--04-12", False, Day(4, 12)), ("--0412", False, Day(4, 12)),
        ("4/12/1985", False, Day(4, 12, 1985)), ("4/12/1985", True, Day(12, 4, 1985)),
        ("12.04.1985", False, Day(4, 12, 1985)), ("25/12/85", False, Day(12, 25, 1985)),
        ("12 April 1985", False, Day(4, 12, 1985)), ("April 12, 1985", False, Day(4, 12, 1985)),
        ("Apr 12", False, Day(4, 12)), ("29/02", True, Day(2, 29)),
        ("1985-04-12T00:00:00Z", False, Day(4, 12, 1985)),
        ("", False, None), ("0/0/00", False, None),
    ],
)  # fmt: skip
def test_it_reads_birthdays(raw: str, day_first: bool, day: Day | None) -> None:
    assert tabular.parse_day(raw, day_first=day_first) == day


@pytest.mark.parametrize("raw", ["31/31/1980", "soon", "1985-02-30", "12/04/0001", "13 Foo"])
def test_it_refuses_what_is_not_a_date(raw: str) -> None:
    with pytest.raises(tabular.BadDate):
        tabular.parse_day(raw, day_first=False)


def test_the_file_decides_day_or_month_first_else_the_country() -> None:
    assert tabular.day_first_for(["03/04/1985", "25/12/1990"], month_first_region=True)
    assert not tabular.day_first_for(["03/04/1985", "12/25/1990"], month_first_region=False)
    assert not tabular.day_first_for(["03/04/1985", "31/31/1980"], month_first_region=True)
    assert tabular.day_first_for(["03/04/1985"], month_first_region=False)


def test_tags_stages_names_and_countries() -> None:
    assert tabular.split_tags("Friends ::: * myContacts ::: Road Cycling") == [
        "friends", "road cycling"]  # fmt: skip
    assert tabular.split_tags("Clients;Catering, clients") == ["clients", "catering"]
    assert tabular.parse_stage("Marketing Qualified Lead") == "lead"
    assert tabular.parse_stage("customer") == "client"
    assert tabular.parse_stage("Partner") is None
    assert tabular.split_name("O'Neil, Mary-Jane") == ("Mary-Jane", "O'Neil")
    assert tabular.parse_country("United States of America") == "US"
    assert tabular.parse_country("de") == "DE"
    assert tabular.parse_country("Atlantis") is None


def test_it_decodes_what_spreadsheet_programs_write() -> None:
    text = "Zoë;Müller\r\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16"),
                 text.encode("cp1252"), text.encode("utf-16-le")):  # fmt: skip
        assert tabular.decode(data).lstrip("\ufeff") == text
    assert tabular.sniff_delimiter('"Rider, Dana";dana@example.com\r\nSam;sam@example.com') == ";"
    assert tabular.binary_kind(b"%PDF-1.4") == "a PDF document"
