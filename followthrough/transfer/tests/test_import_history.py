"""Invoice history goes in through the event ingestion, so the derived facts (paid on time,
N days late) cover the past; importing the same file twice changes nothing."""

import csv
from io import StringIO

import time_machine
from django.core.management import call_command

from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.people.models import Contact, Stage
from followthrough.transfer.importing.invoices import invoices_import, rejected_invoices_csv
from followthrough.transfer.tests.conftest import DATA


def _import(workspace, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        return invoices_import(
            workspace=workspace,
            name="invoices.csv",
            data=(DATA / "invoices.csv").read_bytes(),
            dry_run=dry_run,
        )


def test_it_records_issued_and_paid_events_once(workspace, make_contact) -> None:  # type: ignore[no-untyped-def]
    dana = make_contact("Dana", "Rider", email="dana.rider@example.com", stage="client")
    report = _import(workspace)
    assert (report.invoices, report.events_created, report.rejected_rows) == (3, 5, 2)
    issued = Event.objects.get(type="invoice.issued", data__invoice_id="INV-1002")
    paid = Event.objects.get(type="invoice.paid", data__invoice_id="INV-1002")
    assert (issued.contact, issued.data["due_date"], issued.data["amount"]) == (
        dana,
        "2026-03-31",
        "480.00",
    )
    assert paid.occurred_at.date().isoformat() == "2026-04-12"  # 12 days late
    assert issued.processed_at is not None  # history: no playbook runs for 2026's invoices
    noor = Contact.objects.get(emails__email="new.client@example.com")
    assert (noor.name, noor.stage) == ("Noor Haddad", Stage.CLIENT)
    again = _import(workspace)
    assert (again.events_created, again.already_imported) == (0, 5)
    assert Event.objects.count() == 5 and Contact.objects.count() == 2


def test_bad_invoice_rows_name_row_and_column(workspace) -> None:  # type: ignore[no-untyped-def]
    report = _import(workspace, dry_run=True)
    assert [(r.row, r.column) for r in report.rejected] == [
        (5, "Customer Email"),
        (6, "Amount"),
        (6, "Invoice Date"),
    ]
    assert Event.objects.count() == 0 and Contact.objects.count() == 0


def test_the_command_imports_invoices_and_contacts(workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import", "invoices", str(DATA / "invoices.csv"), stdout=out)
    assert "3 invoices, 5 events added" in out.getvalue()
    out, err = StringIO(), StringIO()
    rejected = tmp_path / "rejected.csv"
    call_command(
        "import",
        "contacts",
        str(DATA / "hubspot.csv"),
        "--mapping",
        '{"Marketing contact status": "tags"}',
        "--rejected",
        str(rejected),
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    assert "5 rows: 3 contacts created" in text
    assert "row 5, Lifecycle Stage: unknown stage “Partner”" in text
    assert "10 of 10 rows" in err.getvalue()
    assert "error" in rejected.read_text(encoding="utf-8-sig").splitlines()[0]
    jordan = Contact.objects.get(emails__email="jordan.lee@northwind.example")
    assert [t.name for t in jordan.tags.all()] == ["marketing contact"]


def test_a_formula_in_a_rejected_invoice_is_escaped_and_comes_back_as_written(workspace) -> None:  # type: ignore[no-untyped-def]
    header = "Invoice Number,Customer Email,Amount,Invoice Date,Due Date\r\n"
    data = (header + "=2+5,ann@example.com,,2026-05-05,2026-06-04\r\n").encode()
    with time_machine.travel(NOW, tick=False):
        report = invoices_import(workspace=workspace, name="invoices.csv", data=data)
        download = rejected_invoices_csv(name="invoices.csv", data=data, report=report)
        rows = list(csv.reader(StringIO(download)))
        assert rows[1][:3] == ["'=2+5", "ann@example.com", ""]  # text to a spreadsheet
        rows[1][2] = "120.00"
        fixed = StringIO()
        csv.writer(fixed).writerows(rows)
        again = invoices_import(
            workspace=workspace, name="invoices-rejected.csv", data=fixed.getvalue().encode()
        )
    assert again.events_created == 1
    assert Event.objects.get(type="invoice.issued").data["invoice_id"] == "=2+5"
