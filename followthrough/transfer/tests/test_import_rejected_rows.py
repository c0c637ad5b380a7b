"""Nothing is lost: rejected rows are kept with their reasons, downloaded as a CSV with an
`error` column, fixed, and imported again; the rows that were fine are imported meanwhile."""

import csv
import io
from collections.abc import Callable

from followthrough.people.models import Contact
from followthrough.transfer.importing.jobs import rejected_rows_csv
from followthrough.transfer.models import ImportJob
from followthrough.transfer.tests.conftest import person

Run = Callable[..., ImportJob]


def test_it_downloads_fixes_and_reimports_the_rejected_rows(run_import: Run) -> None:
    job = run_import("outlook.csv")
    assert Contact.objects.count() == 2
    download = rejected_rows_csv(job=job)
    rows = list(csv.DictReader(io.StringIO(download)))
    assert [(r["First Name"], r["error"]) for r in rows] == [
        (
            "Casey",
            "Mobile Phone: “555-0199” is not a valid phone number in US (add the country "
            "code, e.g. +44…).",
        ),
        ("Robin", "Birthday: “31/31/1980” is not a real date: unknown date format"),
    ]
    rows[0]["Mobile Phone"] = "(415) 555-0199"
    rows[1]["Birthday"] = "1980-12-31"
    fixed = io.StringIO()
    writer = csv.DictWriter(fixed, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    again = run_import(name="outlook-rejected.csv", data=fixed.getvalue().encode())
    assert again.summary["rejected"] == 0 and again.summary["created"] == 2
    assert person("casey@example.com")["phones"] == ["+14155550199"]
    assert person("robin.hale@example.com")["birthday"] == (1980, 12, 31)
    assert "error" not in Contact.objects.get(emails__email="casey@example.com").notes.lower()


def test_a_malformed_row_is_rejected_and_the_others_imported(run_import: Run) -> None:
    data = (
        b"Name,Email,Phone\n"
        b"Ann Lee,ann@example.com,415 555 0141\n"
        b"Bo Chan,bo@example.com,415 555 0142,extra,cells\n"
        b"Cy Diaz,cy@example,415 555 0143\n"
        b"Di Eng,di@example.com,12\n"
    )
    job = run_import(name="people.csv", data=data)
    assert [p.number for p in job.rejected_rows.all()] == [3, 4, 5]
    reasons = {r.number: r.reasons[0] for r in job.rejected_rows.all()}
    assert reasons[3] == {
        "column": "(row)",
        "message": "5 cells but the header has 3 columns (a stray delimiter?)",
    }
    assert reasons[4] == {"column": "Email", "message": "“cy@example” is not a valid email address"}
    assert reasons[5]["column"] == "Phone"
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Ann"]


def test_erasing_a_person_forgets_them_in_past_imports(run_import: Run, alice) -> None:  # type: ignore[no-untyped-def]
    from followthrough.transfer.importing.jobs import import_traces_erase

    job = run_import("outlook.csv")
    assert import_traces_erase(workspace=alice.workspace, needles=["casey@example.com"]) == 1
    job.refresh_from_db()
    assert [r.number for r in job.rejected_rows.all()] == [5]  # Robin's row stays
    assert bytes(job.data) == b"" and job.preview == []
    assert "casey" not in str(job.summary) and job.summary["created"] == 2


HYPERLINK = '=HYPERLINK("http://evil.test","Click")'


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_a_formula_in_a_rejected_row_is_escaped_and_comes_back_as_written(run_import: Run) -> None:
    data = _csv([["Name", "Email", "Title"], ["Ann Lee", "ann@example", HYPERLINK]])
    job = run_import(name="people.csv", data=data)

    rows = list(csv.DictReader(io.StringIO(rejected_rows_csv(job=job))))

    assert rows[0]["Title"] == "'" + HYPERLINK  # shown as text, never run, by a spreadsheet
    rows[0]["Email"] = "ann@example.com"
    fixed = _csv([list(rows[0]), list(rows[0].values())])
    again = run_import(name="people-rejected.csv", data=fixed)
    assert again.summary["created"] == 1
    assert person("ann@example.com")["title"] == HYPERLINK
