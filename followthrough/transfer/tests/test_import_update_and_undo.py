"""Importing adds to the people already in the book without overwriting them, and an import can
be undone as a whole: its new contacts go, what it filled in or added is taken back."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from followthrough.people.models import Contact, Organization
from followthrough.transfer.importing.jobs import import_job_undo
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.transfer.tests.conftest import person

Run = Callable[..., ImportJob]


@pytest.fixture
def dana(make_contact):  # type: ignore[no-untyped-def]
    return make_contact(
        "Dana", "Rider", email="dana.rider@example.com", title="Mechanic", tags=("vip",)
    )


def test_it_fills_empty_fields_and_adds_emails_phones_tags_and_a_birthday(
    run_import: Run, dana
) -> None:  # type: ignore[no-untyped-def]
    job = run_import("google_contacts.csv")
    assert job.summary["updated"] == 1
    assert Contact.objects.filter(emails__email="dana.rider@example.com").count() == 1
    assert person("dana.rider@example.com") == {
        "name": "Dana Rider",
        "emails": ["dana.rider@example.com", "dana@work.example"],
        "phones": ["+14155550101", "+14155550199"],
        "organization": "Spoke Velo Club",
        "title": "Mechanic",  # theirs, kept (and the plan said so)
        "tags": ["clients", "cycling", "vip"],
        "birthday": (1985, 4, 12),
    }
    dana.refresh_from_db()
    assert "spoke velo club" in dana.search_text and "dana@work.example" in dana.search_text


def test_it_undoes_an_import(run_import: Run, dana, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    job = run_import("google_contacts.csv")
    assert Contact.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        import_job_undo(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE
    assert list(Contact.objects.all()) == [dana]
    assert person("dana.rider@example.com") == {
        "name": "Dana Rider",
        "emails": ["dana.rider@example.com"],
        "phones": [],
        "organization": "",
        "title": "Mechanic",
        "tags": ["vip"],
        "birthday": None,
    }
    dana.refresh_from_db()
    assert "dana@work.example" not in dana.search_text
    with pytest.raises(ValidationError):
        import_job_undo(job=job)


def test_undo_keeps_an_edit_made_after_the_import(
    run_import: Run, dana, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    job = run_import("google_contacts.csv")
    club = Organization.objects.get(name="Spoke Velo Club")
    other = Organization.objects.create(workspace=club.workspace, name="Mission Wheelers")
    Contact.objects.filter(pk=dana.pk).update(organization=other)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_undo(job=job)
    dana.refresh_from_db()
    assert dana.organization == other


def test_a_second_import_of_the_same_file_changes_nothing(run_import: Run) -> None:
    run_import("hubspot.csv")
    count = Contact.objects.count()
    again = run_import("hubspot.csv")
    assert Contact.objects.count() == count
    assert (again.summary["created"], again.summary["updated"]) == (0, 0)
    assert again.summary["unchanged"] == count


def test_a_task_delivered_twice_imports_once(alice, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from followthrough.transfer.importing.jobs import (
        import_job_create,
        import_job_start,
        import_job_work,
    )
    from followthrough.transfer.tests.conftest import DATA

    job = import_job_create(workspace=alice.workspace, by=alice, file_name="hubspot.csv",
                            data=(DATA / "hubspot.csv").read_bytes())  # fmt: skip
    import_job_start(job=job, mapping=job.mapping, dry_run=False, queue=False)
    assert import_job_work(job_id=job.pk) is True
    assert import_job_work(job_id=job.pk) is False
    assert Contact.objects.count() == 3
