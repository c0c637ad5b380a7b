"""A big file uploads without being read whole in the request (a 50 MB file read there would
outlast the web server's timeout): the mapping page comes from its first rows, and the worker
reads every row in the dry run."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from followthrough.transfer.importing.jobs import MAX_BYTES, import_job_start, import_job_work
from followthrough.transfer.models import ImportJob, ImportStatus


def _upload_and_check(client: Client, name: str, data: bytes) -> ImportJob:
    """Upload through the page, see the mapping page, run the dry run in the worker."""
    response = client.post("/import/", {"file": SimpleUploadedFile(name, data)})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    page = client.get(f"/import/{job.pk}/").content.decode()
    assert "What is in each column?" in page and "person0@example.com" in page
    import_job_start(job=job, mapping=job.mapping, dry_run=True, queue=False)
    assert import_job_work(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_50_mb_csv_uploads_and_its_dry_run_counts_every_row(alice_client: Client) -> None:
    note = "Rode the long loop and asked about the winter service plan. " * 170  # 10 KB
    rows = [f"Person {i},person{i}@example.com,{note}\r\n" for i in range(5000)]
    data = ("Name,Email,Notes\r\n" + "".join(rows)).encode()
    assert 50_000_000 < len(data) < MAX_BYTES
    job = _upload_and_check(alice_client, "people.csv", data)
    assert job.status == ImportStatus.CHECKED
    assert (job.summary["rows"], job.summary["created"], job.rows_total) == (5000, 5000, 5000)


def test_a_vcard_uploads_and_its_dry_run_counts_every_card(alice_client: Client) -> None:
    card = "BEGIN:VCARD\r\nFN:Person {i}\r\nEMAIL:person{i}@example.com\r\nEND:VCARD\r\n"
    data = "".join(card.format(i=i) for i in range(300)).encode()
    job = _upload_and_check(alice_client, "contacts.vcf", data)
    assert (job.summary["rows"], job.summary["created"]) == (300, 300)


def test_the_upload_keeps_the_first_rows_as_examples(alice_client: Client) -> None:
    data = b"Name,Email\r\n" + b"".join(b"P%d,p%d@example.com\r\n" % (i, i) for i in range(50))
    alice_client.post("/import/", {"file": SimpleUploadedFile("people.csv", data)})
    job = ImportJob.objects.get()
    assert job.preview == [
        ["P0", "p0@example.com"],
        ["P1", "p1@example.com"],
        ["P2", "p2@example.com"],
    ]
