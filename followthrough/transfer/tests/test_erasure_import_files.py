"""Erasing a person drops every uploaded import file that names them, whatever its format or
however it wrote their phone, and keeps the files that do not."""

import io

import pytest
from openpyxl import Workbook

from followthrough.transfer.erasure import contact_erase
from followthrough.transfer.importing.jobs import import_job_create
from followthrough.transfer.models import ImportJob

OTHERS = [[f"Rider {n}", f"rider{n}@example.com", f"+1 415 555 02{n:02d}"] for n in range(11)]


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    return "\r\n".join(delimiter.join(row) for row in rows).encode(encoding)


HEADER = ["Name", "Email", "Phone"]
ZOE = ["Zoë Rider", "Zoe.Rider@Example.com", ""]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("book.xlsx", _xlsx([HEADER, *OTHERS, ZOE])),
        ("unicode.csv", _csv([HEADER, *OTHERS, ZOE], encoding="utf-16", delimiter="\t")),
        ("phones.csv", _csv([HEADER, *OTHERS, ["Z. R.", "", "(415) 555-0177"]])),
        ("dotted.csv", _csv([HEADER, *OTHERS, ["Z. R.", "", "+1.415.555.0177 ext 2"]])),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook"),
    ],
)
def test_it_drops_a_file_that_names_her(make_contact, alice, workspace, name, data) -> None:
    zoe = make_contact("Zoë", "Rider", email="zoe.rider@example.com", phone="+1 415 555 0177")
    job = ImportJob.objects.create(
        workspace=workspace, created_by=alice, file_name=name, data=data, header=HEADER
    )

    report = contact_erase(contact=zoe, by=alice)

    job.refresh_from_db()
    assert bytes(job.data) == b""
    assert report.scrubbed["transfer.ImportJob"] == 1


def test_it_keeps_the_files_that_do_not(make_contact, alice, workspace) -> None:
    zoe = make_contact("Zoë", "Rider", email="zoe.rider@example.com", phone="+1 415 555 0177")
    data = _xlsx([HEADER, *OTHERS])
    job = import_job_create(workspace=workspace, by=alice, file_name="others.xlsx", data=data)

    contact_erase(contact=zoe, by=alice)

    job.refresh_from_db()
    assert bytes(job.data) == data and len(job.preview) == 3
