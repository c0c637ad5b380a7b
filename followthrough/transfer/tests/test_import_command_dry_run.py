"""`followthrough import contacts FILE --dry-run` says what an import would do and writes no
one; the import then matches people already in the book by their phone, however the file
writes it."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from followthrough.people.models import Contact

FILE = b"""Name,Phone,Email
Dana Rider,(415) 555-0101,dana.new@example.com
Ann Lee,415.555.0199,ann@example.com
"""


def _run(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import", "contacts", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_dry_run_reports_and_writes_nothing_then_the_import_matches_by_phone(
    make_contact, workspace, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    dana = make_contact("Dana", "Rider", phone="+1 415 555 0101")
    path = tmp_path / "phone-book.csv"
    path.write_bytes(FILE)

    text = _run(path, "--dry-run")
    assert "2 rows: 1 contact would be created, 1 would be updated" in text
    assert "undo it" not in text
    assert Contact.objects.filter(workspace=workspace).count() == 1
    assert not dana.emails.exists()

    text = _run(path)
    assert "2 rows: 1 contact created, 1 updated" in text
    assert Contact.objects.filter(workspace=workspace).count() == 2
    assert [e.email for e in dana.emails.all()] == ["dana.new@example.com"]
    ann = Contact.objects.get(emails__email="ann@example.com")
    assert [p.number for p in ann.phones.all()] == ["+14155550199"]
