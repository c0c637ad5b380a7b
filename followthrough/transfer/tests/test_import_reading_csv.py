"""CSV that Python's csv module stumbles on: a cell over its 128 KiB limit (a long Notes cell)
imports; a quote that is never closed, which would read the rest of the file into one cell, is
refused with the line it opens on; whatever else csv cannot read names its line. Never a 500."""

import csv
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from followthrough.core import tabular
from followthrough.people.models import Contact
from followthrough.transfer.models import ImportJob, ImportStatus

LONG_NOTE = "Met at the spring ride; " * 9000  # 216,000 characters
UNCLOSED = 'Name,Email\r\nAda,ada@example.com\r\nBob,"bob@example.com\r\nCy,cy@example.com\r\n'


def _upload(client: Client, name: str, data: bytes) -> Any:
    return client.post("/import/", {"file": SimpleUploadedFile(name, data)})


def _run(client: Client, job: ImportJob, mode: str) -> None:
    form = {f"col_{i}": field for i, field in enumerate(job.mapping)}
    client.post(f"/import/{job.pk}/run/", form | {"mode": mode})


def test_a_notes_cell_over_the_csv_limit_imports(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    data = f'Name,Email,Notes\r\nAda Byron,ada@example.com,"{LONG_NOTE}"\r\n'.encode()
    response = _upload(alice_client, "people.csv", data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        _run(alice_client, job, "import")
    assert Contact.objects.get().notes == LONG_NOTE.strip()


def test_an_unclosed_quote_is_refused_at_upload_with_its_line(alice_client: Client) -> None:
    response = _upload(alice_client, "people.csv", UNCLOSED.encode())
    assert response.status_code == 422
    page = response.content.decode()
    assert "Line 3 opens a quote (&quot;) that is never closed" in page
    assert "close that quote or delete it" in page
    assert not ImportJob.objects.exists()


def test_an_unclosed_quote_below_the_first_rows_fails_the_dry_run_with_its_line(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    rows = "".join(f"Person {i},person{i}@example.com\r\n" for i in range(10))
    data = f'Name,Email\r\n{rows}Bob,"bob@example.com\r\nCy,cy@example.com\r\n'.encode()
    assert _upload(alice_client, "people.csv", data).status_code == 302  # the head reads
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        _run(alice_client, job, "dry_run")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith('Line 12 opens a quote (") that is never closed')
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Line 12 opens a quote" in page and not Contact.objects.exists()


def test_rows_below_blank_lines_keep_the_numbers_a_spreadsheet_shows(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    data = b"\r\n\r\nName,Email\r\nAda,ada@example.com\r\nBob,not-an-email\r\n"
    _upload(alice_client, "people.csv", data)
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        _run(alice_client, job, "dry_run")
    assert job.rejected_rows.get().number == 5


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ('a,b\r\n1,"x\r\ny"\r\n', [["a", "b"], ["1", "x\r\ny"]]),  # a closed multi-line cell
        ('a,b\r\n1,"say ""hi"""\r\n', [["a", "b"], ["1", 'say "hi"']]),  # quotes in a cell
        ('a,b\r\n1,5" screen\r\n2,x\r\n', [["a", "b"], ["1", '5" screen'], ["2", "x"]]),
        ('a,b\r\n1,"open at the end\r\n', [["a", "b"], ["1", "open at the end\r\n"]]),
        ('a;b\n1;"x\ny";2\n', [["a", "b"], ["1", "x\ny", "2"]]),
    ],
    ids=["multi-line", "escaped", "quote-inside", "last-line", "semicolons"],
)
def test_quotes_csv_reads_are_not_refused(text: str, rows: list[list[str]]) -> None:
    assert list(tabular.csv_rows(text, text[1])) == rows


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('a,b\n1,"x\n2,y\n', 2),
        ('a,b\n1,"x\ny","z\n2,w\n', 3),  # the second quote of the row is the open one
        ('a,b\r\n1,"x ""\r\n2,y\r\n', 2),  # "" inside a cell does not close it
        ('a\tb\r1\t"x\r2\ty\r', 2),  # old Mac line ends
    ],
    ids=["simple", "second-cell", "escaped-quote-at-end", "cr"],
)
def test_an_unclosed_quote_names_the_line_it_opens_on(text: str, line: int) -> None:
    with pytest.raises(tabular.BadCsv, match=rf"^Line {line} opens a quote \(\"\)"):
        list(tabular.csv_rows(text, text[1]))


def test_what_csv_cannot_read_is_refused_naming_the_line(monkeypatch: Any) -> None:
    monkeypatch.setattr(tabular, "MAX_CELL", 16)  # a tiny limit stands in for any csv.Error
    previous = csv.field_size_limit()
    try:
        with pytest.raises(tabular.BadCsv, match=r"^Line 2 cannot be read \(field larger"):
            list(tabular.csv_rows("Name,Notes\nAda,a note longer than sixteen\n", ","))
    finally:
        csv.field_size_limit(previous)
