"""Export → import into an empty workspace gives the same contacts: CSV, XLSX and vCard through
the contact importer, which recognizes the export's own headers."""

import io

import pytest
from django.db.models import QuerySet

from followthrough.accounts.services import user_create
from followthrough.people.models import Contact, ImportantDate
from followthrough.people.services import organization_create
from followthrough.transfer.exporting import ExportFormat, contacts_export_to
from followthrough.transfer.importing.jobs import import_job_create, import_job_start
from followthrough.transfer.models import ImportJob


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
        street="1 Market St",
        city="San Francisco",
        region="CA",
        postal_code="94105",
        country="US",
        notes="Rides on Sundays",
    )
    ImportantDate.objects.create(contact=dana, kind="birthday", month=5, day=12, year=1980)
    # Values a spreadsheet would run as formulas: escaped in the CSV, the same after the trip.
    make_contact(
        "Erin", "Climb", email="erin@hills.test", stage="prospect", title="=SUM(A1:A9)",
        notes="-- met at the fair",
    )
    make_contact("Lee", "Lead", phone="+44 20 7946 0958", stage="lead")
    return workspace


def _without_owner_note(notes: str) -> str:
    """The owner (alice) has no account in the new workspace: the importer keeps who it was as a
    line in the notes instead of dropping it."""
    return "\n".join(
        line for line in notes.splitlines() if not line.startswith("Owner in the file")
    )


def _people(contacts: QuerySet[Contact], *, stage: bool = True) -> list[tuple]:
    return sorted(
        (
            c.first_name,
            c.last_name,
            c.title,
            c.organization.name if c.organization else "",
            c.stage if stage else "",
            tuple(e.email for e in c.emails.all()),
            tuple(p.number for p in c.phones.all()),
            tuple(sorted(t.name for t in c.tags.all())),
            tuple((d.kind, d.month, d.day, d.year) for d in c.dates.all()),
            (c.street, c.city, c.region, c.postal_code, c.country),
            _without_owner_note(c.notes),
        )
        for c in contacts
    )


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.VCF])
def test_it_imports_its_own_export_into_an_empty_workspace(
    book, other_workspace, fmt, django_capture_on_commit_callbacks
) -> None:
    out = io.BytesIO()
    contacts_export_to(Contact.objects.filter(workspace=book), fmt, out)
    owner = user_create(workspace=other_workspace, email="o@new.test", password=None)
    job = import_job_create(
        workspace=other_workspace, by=owner, file_name=f"contacts.{fmt}", data=out.getvalue()
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(job=job, mapping=job.mapping, dry_run=False)

    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "imported", job.error
    # A vCard has no place for the lifecycle stage; everything else comes back.
    stage = fmt is not ExportFormat.VCF
    assert _people(Contact.objects.filter(workspace=other_workspace), stage=stage) == _people(
        Contact.objects.filter(workspace=book), stage=stage
    )
