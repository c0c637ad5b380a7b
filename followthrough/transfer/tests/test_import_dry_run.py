"""A dry run says what would be created, updated, merged and rejected, and writes nothing."""

from collections.abc import Callable

from followthrough.people.models import Contact, ContactEmail, ContactPhone, ImportantDate, Tag
from followthrough.transfer.models import ImportJob, ImportStatus

Run = Callable[..., ImportJob]


def _book() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Contact, ContactEmail, ContactPhone, ImportantDate, Tag)
    )


def test_it_counts_and_shows_samples_and_writes_nothing(run_import: Run, make_contact) -> None:  # type: ignore[no-untyped-def]
    make_contact("Dana", "Rider", email="dana.rider@example.com", title="Treasurer")
    before = _book()
    job = run_import("google_contacts.csv", dry_run=True)
    assert job.status == ImportStatus.CHECKED
    assert _book() == before
    summary = job.summary
    # Dana is already in the book (dana@example.com): her import row adds to her, the second
    # Dana row is merged into the first, Sam and lee are new, Mary-Jane is rejected.
    assert (summary["created"], summary["updated"], summary["merged"], summary["rejected"]) == (
        2,
        1,
        1,
        1,
    )
    assert {s["name"] for s in summary["samples"]["created"]} == {"Sam Okafor", "lee"}
    assert summary["samples"]["merged"] == [{"row": 5, "into": 2}]
    assert summary["samples"]["rejected"] == [
        {
            "row": 6,
            "column": "E-mail 1 - Value",
            "message": "“not-an-email” is not a valid email address",
        }
    ]
    assert job.rejected_rows.count() == 1  # downloadable before importing


def test_it_plans_an_update_of_a_known_person_and_never_overwrites(
    run_import: Run, make_contact
) -> None:  # type: ignore[no-untyped-def]
    dana = make_contact("Dana", "Rider", email="dana.rider@example.com", title="Mechanic")
    job = run_import("google_contacts.csv", dry_run=True)
    updated = job.summary["samples"]["updated"]
    assert job.summary["updated"] == 1
    assert updated[0]["name"] == "Dana Rider"
    assert "organization" in updated[0]["filled"] and "birthday" in updated[0]["added"]
    assert updated[0]["kept"] == [{"field": "title", "theirs": "Mechanic", "file": "Treasurer"}]
    assert any("kept Dana Rider’s title" in n for n in job.summary["notices"])
    dana.refresh_from_db()
    assert dana.organization is None
