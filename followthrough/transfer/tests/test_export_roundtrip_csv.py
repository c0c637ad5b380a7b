"""Export → import into an empty workspace gives the same contacts: CSV, XLSX and vCard through
the contact importer, which recognizes the export's own headers."""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import QuerySet

from followthrough.accounts.services import user_create, workspace_create
from followthrough.activity.services import interaction_log
from followthrough.people.models import Contact, ImportantDate
from followthrough.people.services import organization_create
from followthrough.transfer.exporting import ExportFormat, contacts_export_to
from followthrough.transfer.importing.jobs import import_job_create, import_job_start
from followthrough.transfer.models import ImportJob

# 22:30 in New York, 03:30 UTC the next day: the export writes the last touch in UTC.
EVENING = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def evening():
    with time_machine.travel(EVENING, tick=False):
        yield


@pytest.fixture
def east(db):
    """An empty workspace in the same time zone as the book's, where 22:30 is still the 23rd."""
    return workspace_create(name="Spoke & Chain East", timezone_name="America/New_York")


@pytest.fixture
def book(make_contact, workspace, alice):
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
    ImportantDate.objects.create(contact=dana, kind="client_since", month=3, day=1, year=2019)
    Contact.objects.filter(pk=dana.pk).update(
        source="walk_in",
        tier="gold",
        marketing_consent=True,
        consent_at=datetime(2025, 6, 1, 16, 30, tzinfo=UTC),
    )
    # Called half an hour ago: 22:00 on the 23rd in New York, 03:00 on the 24th in UTC.
    interaction_log(
        contact=dana,
        by=alice,
        channel="call",
        summary="Planned the spring ride",
        occurred_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
    )
    # Values a spreadsheet would run as formulas: escaped in the CSV, the same after the trip.
    make_contact(
        "Erin",
        "Climb",
        email="erin@hills.test",
        stage="prospect",
        title="=SUM(A1:A9)",
        notes="-- met at the fair",
    )
    make_contact("Lee", "Lead", phone="+44 20 7946 0958", stage="lead")
    Contact.objects.filter(workspace=workspace, first_name="Erin").update(source="event")
    Contact.objects.filter(workspace=workspace, first_name="Lee").update(source="referral")
    return workspace


def _without_owner_note(notes: str) -> str:
    """The owner (alice) has no account in the new workspace: the importer keeps who it was as a
    line in the notes instead of dropping it."""
    return "\n".join(
        line for line in notes.splitlines() if not line.startswith("Owner in the file")
    )


def _touched_on(moment: datetime | None) -> date | None:
    """The New York day of the last touch."""
    return moment.astimezone(NEW_YORK).date() if moment else None


def _people(contacts: QuerySet[Contact], *, stage: bool = True) -> list[tuple]:
    """What a user sees of each contact; a vCard has no place for the stage, the last touch,
    the source, tier, consent or "client since"."""
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
            tuple(
                sorted(
                    (d.kind, d.month, d.day, d.year)
                    for d in c.dates.all()
                    if stage or d.kind == "birthday"  # a vCard has BDAY, no "client since"
                )
            ),
            (c.street, c.city, c.region, c.postal_code, c.country),
            _without_owner_note(c.notes),
            c.last_touched_at if stage else None,  # the moment itself, not only its day
            (c.source, c.tier, c.marketing_consent, c.consent_at) if stage else None,
        )
        for c in contacts
    )


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.VCF])
def test_it_imports_its_own_export_into_an_empty_workspace(
    book, east, fmt, django_capture_on_commit_callbacks
) -> None:
    out = io.BytesIO()
    contacts_export_to(Contact.objects.filter(workspace=book), fmt, out)
    owner = user_create(workspace=east, email="o@new.test", password=None)
    job = import_job_create(
        workspace=east, by=owner, file_name=f"contacts.{fmt}", data=out.getvalue()
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(job=job, mapping=job.mapping, dry_run=False)

    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "imported", job.error
    stage = fmt is not ExportFormat.VCF
    assert _people(Contact.objects.filter(workspace=east), stage=stage) == _people(
        Contact.objects.filter(workspace=book), stage=stage
    )
    if stage:
        dana = Contact.objects.get(workspace=east, first_name="Dana")
        assert _touched_on(dana.last_touched_at) == date(2026, 11, 23)
