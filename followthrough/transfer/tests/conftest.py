"""Helpers for the import tests: run a file through the same services the page and CLI use
(upload, map, dry run or import in the worker: huey runs tasks at once in tests)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from followthrough.accounts.models import User
from followthrough.people.models import Contact
from followthrough.transfer.importing.jobs import import_job_create, import_job_start
from followthrough.transfer.models import ImportJob

DATA = Path(__file__).parent / "data"


@pytest.fixture
def run_import(alice: User, django_capture_on_commit_callbacks: Any) -> Callable[..., ImportJob]:
    """run_import("hubspot.csv") or run_import(name="x.csv", data=b"..."), dry_run=…,
    mapping=[…]: the finished job."""

    def run(
        fixture: str = "",
        *,
        name: str = "",
        data: bytes | None = None,
        dry_run: bool = False,
        mapping: list[str] | None = None,
        by: User | None = None,
    ) -> ImportJob:
        user = by or alice
        content = data if data is not None else (DATA / fixture).read_bytes()
        job = import_job_create(
            workspace=user.workspace, by=user, file_name=name or fixture, data=content
        )
        with django_capture_on_commit_callbacks(execute=True):
            import_job_start(job=job, mapping=mapping or job.mapping, dry_run=dry_run)
        job.refresh_from_db()
        return job

    return run


def by_email(email: str) -> Contact:
    return Contact.objects.get(emails__email=email)


def person(email: str) -> dict[str, Any]:
    """What a user sees of a contact: name, emails, phones, organization, tags, birthday."""
    contact = by_email(email)
    birthday = contact.dates.filter(kind="birthday").first()
    return {
        "name": contact.name,
        "emails": [e.email for e in contact.emails.all()],
        "phones": [p.number for p in contact.phones.all()],
        "organization": contact.organization.name if contact.organization else "",
        "title": contact.title,
        "tags": sorted(t.name for t in contact.tags.all()),
        "birthday": (birthday.year, birthday.month, birthday.day) if birthday else None,
    }
