"""Contacts out as CSV, XLSX and vCard: from the contacts page (with its filters) and the CLI."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
import vobject
from django.core.management import call_command

from followthrough.people.models import ImportantDate
from followthrough.people.services import organization_create


@pytest.fixture
def book(make_contact, workspace):
    acme = organization_create(workspace=workspace, fields={"name": "Acme Cycles"})
    dana = make_contact(
        "Dana",
        "Rider",
        email="dana@example.com",
        phone="+1 415 555 0100",
        organization=acme,
        tags=("road cycling", "coffee"),
        stage="client",
        title="Coach",
        city="San Francisco",
        country="US",
    )
    ImportantDate.objects.create(contact=dana, kind="birthday", month=5, day=12, year=1980)
    make_contact(
        '=HYPERLINK("http://evil.test")', "-2+3", notes="@SUM(A1)\tx", email="evil@example.com"
    )
    make_contact("Lee", "Lead", stage="lead")
    return dana


def _csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_it_exports_csv_with_every_detail(alice_client, book) -> None:
    response = alice_client.get("/contacts/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    dana = next(r for r in _csv_rows(response) if r["First name"] == "Dana")
    assert dana["Email"] == "dana@example.com"
    # E.164 starts with "+", which a spreadsheet would evaluate: escaped like any formula.
    assert dana["Phone"] == "'+14155550100"
    assert dana["Organization"] == "Acme Cycles"
    assert dana["Tags"] == "coffee; road cycling"
    assert dana["Birthday"] == "1980-05-12"
    assert dana["City"] == "San Francisco"


def test_it_escapes_cells_that_would_run_as_formulas(alice_client, book) -> None:
    rows = _csv_rows(alice_client.get("/contacts/export.csv"))
    evil = next(r for r in rows if r["Email"] == "evil@example.com")
    assert evil["First name"] == '\'=HYPERLINK("http://evil.test")'
    assert evil["Last name"] == "'-2+3"
    assert evil["Notes"] == "'@SUM(A1)\tx"


def test_it_exports_only_what_the_list_shows(alice_client, book) -> None:
    rows = _csv_rows(alice_client.get("/contacts/export.csv", {"stage": "client"}))
    assert [r["First name"] for r in rows] == ["Dana"]
    rows = _csv_rows(alice_client.get("/contacts/export.csv", {"q": "lead"}))
    assert [r["Last name"] for r in rows] == ["Lead"]


def test_it_exports_xlsx_with_formulas_as_plain_text(alice_client, book) -> None:
    response = alice_client.get("/contacts/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["First name", "Last name", "Title"]
    cells = {row[header.index("Email")]: row for row in rows[1:]}
    assert cells["dana@example.com"][header.index("Organization")] == "Acme Cycles"
    evil = next(c for c in sheet.iter_rows(min_row=2) if c[0].value.startswith("="))
    assert evil[0].data_type == "s"  # text, never a formula


def test_it_exports_vcards_an_address_book_reads(alice_client, book) -> None:
    response = alice_client.get("/contacts/export.vcf")
    assert response["Content-Type"].startswith("text/vcard")
    text = b"".join(response.streaming_content).decode()
    cards = {c.fn.value: c for c in vobject.readComponents(text)}
    assert len(cards) == 3
    dana = cards["Dana Rider"]
    assert dana.version.value == "4.0"
    assert dana.email.value == "dana@example.com"
    assert dana.tel.value == "tel:+14155550100"
    assert dana.org.value == ["Acme Cycles"]
    assert dana.bday.value == "19800512"
    assert sorted(dana.categories.value) == ["coffee", "road cycling"]


def test_it_answers_404_for_an_unknown_format(alice_client, book) -> None:
    assert alice_client.get("/contacts/export.pdf").status_code == 404


def test_it_exports_from_the_command_line(book, tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx", "vcf"):
        target = tmp_path / f"contacts.{fmt}"
        call_command("export", "contacts", "--format", fmt, "--output", str(target))
        assert target.stat().st_size > 100, fmt
    with (tmp_path / "contacts.csv").open(encoding="utf-8-sig") as file:
        assert len(list(csv.DictReader(file))) == 3
