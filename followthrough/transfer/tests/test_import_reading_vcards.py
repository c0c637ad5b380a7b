"""A vCard file with a bad card in it: that card is rejected with the reason and where it starts,
the cards after it import; a card with nothing we import is rejected too, never skipped."""

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from followthrough.people.models import Contact
from followthrough.transfer.importing.jobs import rejected_rows_csv
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.transfer.tests.conftest import DATA

Run = Callable[..., ImportJob]
CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"


def _emails() -> list[str]:
    return sorted(Contact.objects.values_list("emails__email", flat=True))


def test_a_broken_card_is_rejected_and_the_cards_after_it_import(run_import: Run) -> None:
    job = run_import("broken_card.vcf")
    # Card 3 has no END:VCARD: it ends where card 4 begins.
    assert _emails() == [
        "dana.rider@example.com",
        "morgan@contoso.example",
        "priya.raman@example.com",
    ]
    assert (job.summary["rows"], job.summary["created"], job.summary["rejected"]) == (4, 3, 1)
    rejected = job.rejected_rows.get()
    assert rejected.number == 2  # a vCard's rows are its cards
    assert rejected.reasons[0]["message"].startswith(
        "card 2 (starting on line 8) cannot be read: decoding with 'base64' codec failed"
    )
    # Nothing is lost: the card as it was is in the rejected rows' download.
    download = rejected_rows_csv(job=job)
    assert "FN:Sam Okafor" in download and "card 2 (starting on line 8)" in download


def test_the_dry_run_page_lists_the_broken_card(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    data = (DATA / "broken_card.vcf").read_bytes()
    alice_client.post("/import/", {"file": SimpleUploadedFile("contacts.vcf", data)})
    job = ImportJob.objects.get()
    # The examples next to each column are the cards that read, not the broken card's text.
    assert [row[0] for row in job.preview] == ["Dana Rider", "Priya Raman"]
    form = {f"col_{i}": field for i, field in enumerate(job.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/import/{job.pk}/run/", form | {"mode": "dry_run"})
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Dry run: nothing is saved yet" in page
    assert "card 2 (starting on line 8) cannot be read" in page


def test_a_card_with_nothing_we_import_is_rejected_with_a_reason(run_import: Run) -> None:
    empty = "BEGIN:VCARD\r\nVERSION:3.0\r\nURL:https://example.com/\r\nEND:VCARD\r\n"
    data = (CARD.format(name="Ada", email="ada@example.com") + empty).encode()
    job = run_import(name="contacts.vcf", data=data)
    assert _emails() == ["ada@example.com"]
    rejected = job.rejected_rows.get()
    assert rejected.number == 2
    assert rejected.reasons == [
        {
            "column": "(row)",
            "message": "card 2 (starting on line 6) has no name, email, phone or anything else "
            "we import",
        }
    ]


def test_a_file_of_only_broken_cards_fails_the_dry_run_with_one_message(run_import: Run) -> None:
    broken = "BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b:abcde\r\nEND:VCARD\r\n"
    job = run_import(name="contacts.vcf", data=(broken * 4).encode(), dry_run=True)
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith(
        "This vCard file cannot be read: export it again (card 1 (starting on line 1) cannot"
    )
