"""Files as spreadsheet programs and phones write them: any delimiter, UTF-8 with or without a
BOM, UTF-16, Windows-1252, lines in mixed encodings, XLSX; and files that are not spreadsheets,
empty or very wide get one clear message."""

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from followthrough.people.models import Contact
from followthrough.transfer.importing.jobs import import_job_create
from followthrough.transfer.models import ImportJob
from followthrough.transfer.tests.conftest import person

Run = Callable[..., ImportJob]
ROWS = (
    "First Name;Last Name;E-mail Address;Mobile Phone\r\n"
    "Renée;Côté;renee@example.fr;+33 1 42 68 53 00\r\n"
)


@pytest.mark.parametrize(
    "data",
    [
        ROWS.encode("utf-8"),
        b"\xef\xbb\xbf" + ROWS.encode("utf-8"),
        ROWS.encode("cp1252"),
        ROWS.encode("utf-16"),  # Excel's "Unicode text", with its BOM
        ROWS.replace(";", "\t").encode("utf-16"),
        ROWS.replace(";", "|").encode("utf-8"),
        ROWS.replace(";", ",").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16", "utf16-tab", "pipe", "comma"],
)
def test_it_reads_every_delimiter_and_encoding(run_import: Run, data: bytes) -> None:
    run_import(name="people.csv", data=data)
    assert person("renee@example.fr")["name"] == "Renée Côté"
    assert person("renee@example.fr")["phones"] == ["+33142685300"]


def test_it_reads_lines_in_mixed_encodings(run_import: Run) -> None:
    data = (
        "Name,Email\nJosé Núñez,jose@example.com\n".encode()
        + "Zoë Weiß,zoe@example.com\n".encode("cp1252")
    )
    run_import(name="mixed.csv", data=data)
    assert person("jose@example.com")["name"] == "José Núñez"
    assert person("zoe@example.com")["name"] == "Zoë Weiß"


def test_it_reads_an_xlsx_workbook(run_import: Run) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["First Name", "Last Name", "Email", "Phone Number", "Birthday", "Company Name"])
    sheet.append(["Ada", "Byron", "ada@example.com", 4155550150, date(1990, 12, 10), "Analytical"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Grace", "Hopper", "grace@example.com", "+1 415 555 0151", "12/09/1906", None])
    out = io.BytesIO()
    book.save(out)
    job = run_import(name="people.xlsx", data=out.getvalue())
    assert job.summary["created"] == 2
    assert person("ada@example.com") | {"tags": []} == {
        "name": "Ada Byron",
        "emails": ["ada@example.com"],
        "phones": ["+14155550150"],
        "organization": "Analytical",
        "title": "",
        "tags": [],
        "birthday": (1990, 12, 10),
    }
    assert person("grace@example.com")["birthday"] == (1906, 12, 9)


def _error(alice, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as raised:
        import_job_create(workspace=alice.workspace, by=alice, file_name=name, data=data)
    return " ".join(raised.value.message_dict["file"])


def test_files_that_are_not_spreadsheets_get_one_clear_message(alice) -> None:  # type: ignore[no-untyped-def]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert _error(alice, "contacts.csv", png) == (
        "This file is a PNG image, not a spreadsheet or a vCard: upload a CSV, XLSX or VCF file."
    )
    assert "a PDF document" in _error(
        alice, "contacts.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"
    )
    assert _error(alice, "contacts.csv", b"") == (
        "The file is empty: export your contacts again and upload that file."
    )
    assert "not a spreadsheet" in _error(alice, "x.csv", bytes(range(1, 32)) * 200)
    assert "zip archive but not an Excel workbook" in _error(alice, "x.xlsx", b"PK\x03\x04junk")
    assert "no rows below" in _error(alice, "x.csv", b"Name,Email\r\n")
    assert "vCard file cannot be read" in _error(alice, "x.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert not ImportJob.objects.exists()


def test_it_imports_a_file_of_200_columns(run_import: Run) -> None:
    header = ["First Name", "Last Name", "Email"] + [f"Custom field {i}" for i in range(197)]
    row = ["Wide", "Sheet", "wide@example.com"] + [f"v{i}" for i in range(197)]
    data = "\n".join(",".join(r) for r in (header, row)).encode()
    job = run_import(name="wide.csv", data=data)
    assert len(job.header) == 200
    assert job.mapping[3:] == [""] * 197
    assert person("wide@example.com")["name"] == "Wide Sheet"


def test_a_mapping_chosen_by_the_user(run_import: Run) -> None:
    data = b"Kunde,Mail,Handy,Bemerkung\nFrau Lang,lang@example.de,+49 30 12345681,Stammkundin\n"
    job = run_import(name="kunden.csv", data=data, mapping=["full_name", "email", "phone", "notes"])
    assert job.summary["created"] == 1
    lang = Contact.objects.get()
    assert (lang.first_name, lang.last_name, lang.notes) == ("Frau", "Lang", "Stammkundin")


def test_a_file_over_the_size_limit_is_refused_with_a_message(alice) -> None:  # type: ignore[no-untyped-def]
    from followthrough.transfer.importing.jobs import MAX_BYTES

    big = b"Name,Email\n" + b"x" * MAX_BYTES
    assert "larger than 60 MB: split it" in _error(alice, "huge.csv", big)
