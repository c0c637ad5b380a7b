"""The Import page through the test client: upload, the columns pre-filled, dry run, import,
progress, rejected rows download, undo, history; outsiders get 404 and members 403."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from followthrough.accounts.models import User
from followthrough.people.models import Contact
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.transfer.tests.conftest import DATA


def _upload(client: Client, name: str, data: bytes | None = None) -> Any:
    content = data if data is not None else (DATA / name).read_bytes()
    return client.post("/import/", {"file": SimpleUploadedFile(name, content)})


def _form(job: ImportJob) -> dict[str, str]:
    return {f"col_{i}": field for i, field in enumerate(job.mapping)}


def test_it_walks_from_upload_to_import_and_undo(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = _upload(alice_client, "hubspot.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "What is in each column?" in page
    assert '<option value="stage" selected>Stage</option>' in page  # Lifecycle Stage
    assert "jordan.lee@northwind.example" in page  # an example next to the column

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/import/{job.pk}/run/", _form(job) | {"mode": "dry_run"})
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Dry run: nothing is saved yet" in page and not Contact.objects.exists()
    assert "unknown stage “Partner”" in page

    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/import/{job.pk}/run/", _form(job) | {"mode": "import"})
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Imported" in page and "Go to your agenda" in page
    assert Contact.objects.count() == 3
    download = alice_client.get(f"/import/{job.pk}/rejected.csv")
    assert download["Content-Disposition"] == 'attachment; filename="hubspot-rejected.csv"'
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",error") and "Taylor" in text

    assert "hubspot.csv" in alice_client.get("/import/").content.decode()  # the history
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/import/{job.pk}/undo/")
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE and not Contact.objects.exists()


def test_the_progress_bar_polls_until_the_worker_is_done(alice_client: Client) -> None:
    _upload(alice_client, "hubspot.csv")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, rows_total=10, rows_done=4
    )
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "4 of 10 (40%)" in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTED)
    done = alice_client.get(f"/import/{job.pk}/progress/", headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == f"/import/{job.pk}/"


def test_a_file_that_is_not_a_spreadsheet_gets_one_clear_message(alice_client: Client) -> None:
    response = _upload(alice_client, "photo.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert response.status_code == 422
    assert "This file is a PNG image, not a spreadsheet or a vCard" in response.content.decode()
    response = _upload(alice_client, "empty.csv", b"")
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


def test_a_mapping_without_a_name_email_or_phone_is_refused(alice_client: Client) -> None:
    _upload(alice_client, "hubspot.csv")
    job = ImportJob.objects.get()
    empty = {f"col_{i}": "" for i in range(len(job.header))}
    response = alice_client.post(f"/import/{job.pk}/run/", empty | {"mode": "import"})
    assert response.status_code == 422
    assert "Map at least one column to a name, an email or a phone." in response.content.decode()


def test_another_workspaces_import_is_not_found(
    alice_client: Client, charlie: User, bob: User
) -> None:
    _upload(alice_client, "hubspot.csv")
    job = ImportJob.objects.get()
    outsider = Client()
    outsider.force_login(charlie)
    for url in ("", "progress/", "rejected.csv"):
        assert outsider.get(f"/import/{job.pk}/{url}").status_code == 404
    assert outsider.post(f"/import/{job.pk}/undo/").status_code == 404
    assert outsider.post(f"/import/{job.pk}/run/", {"mode": "import"}).status_code == 404
    member = Client()
    member.force_login(bob)
    assert member.get(f"/import/{job.pk}/").status_code == 403


def test_invoice_history_from_the_page(alice_client: Client, contact: Contact) -> None:
    upload = SimpleUploadedFile("invoices.csv", (DATA / "invoices.csv").read_bytes())
    response = alice_client.post("/import/invoices/", {"file": upload, "mode": "import"})
    page = response.content.decode()
    assert response.status_code == 200 and "Imported invoices.csv" in page
    assert "“broken-email” is not a valid email address" in page
    assert 'download="rejected-invoices.csv"' in page
