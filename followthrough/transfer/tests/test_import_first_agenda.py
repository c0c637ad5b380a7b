"""A book imported with a "Last Contacted" column gives a first agenda at once: the people
already past their keep-in-touch cadence get their check-ins without waiting for the next tick."""

from collections.abc import Callable
from datetime import timedelta

import time_machine

from followthrough.activity.models import FollowUp
from followthrough.activity.selectors import agenda_get
from followthrough.conftest import NOW
from followthrough.playbooks.engine import playbooks_install_defaults
from followthrough.transfer.models import ImportJob, ImportStatus

Run = Callable[..., ImportJob]

# HubSpot's export headers; no tier, so the workspace's 180-day cadence applies.
HUBSPOT = (
    "Record ID,First Name,Last Name,Email,Last Contacted\n"
    "101,Ines,Long-ago,ines@example.com,2026-03-02 09:15\n"
    "102,Omar,Recent,omar@example.com,2026-11-10\n"
    "103,Pia,Never,pia@example.com,\n"
    "104,Quinn,Typo,quinn@example.com,2027-01-05\n"
)


@time_machine.travel(NOW, tick=False)
def test_it_plans_check_ins_for_those_past_their_cadence(run_import: Run, alice) -> None:  # type: ignore[no-untyped-def]
    playbooks_install_defaults(workspace=alice.workspace)
    job = run_import(name="hubspot-export.csv", data=HUBSPOT.encode())
    assert job.status == ImportStatus.IMPORTED
    agenda = agenda_get(
        workspace=alice.workspace, user=None, now=NOW + timedelta(days=1), tz_name="UTC"
    )
    planned = [f.contact.first_name for _, _, section in agenda.sections for f in section.followups]
    assert planned == ["Ines"]  # 266 days since March; Omar spoke to us 13 days ago
    ines = FollowUp.objects.get(contact__first_name="Ines")
    assert ines.origin == "cadence"


@time_machine.travel(NOW, tick=False)
def test_it_rejects_a_last_contact_in_the_future_naming_the_column(run_import: Run) -> None:
    job = run_import(name="hubspot-export.csv", data=HUBSPOT.encode(), dry_run=True)
    assert job.summary["rejected"] == 1
    assert job.summary["samples"]["rejected"] == [
        {"row": 5, "column": "Last Contacted", "message": "“2027-01-05” is in the future"}
    ]


@time_machine.travel(NOW, tick=False)
def test_undo_keeps_the_people_someone_has_dealt_with_since(
    run_import: Run, alice, alice_client, django_capture_on_commit_callbacks
) -> None:
    from followthrough.activity.services import interaction_log
    from followthrough.people.models import Contact
    from followthrough.transfer.importing.jobs import import_job_undo

    job = run_import(name="hubspot-export.csv", data=HUBSPOT.encode())
    # The engine planned Ines's check-in right after the import: that alone keeps nobody.
    assert FollowUp.objects.filter(contact__first_name="Ines").exists()
    omar = Contact.objects.get(first_name="Omar")
    interaction_log(contact=omar, by=alice, channel="call", summary="Booked his service")
    with django_capture_on_commit_callbacks(execute=True):
        import_job_undo(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Omar"]
    assert omar.interactions.count() == 1
    assert job.summary["kept_on_undo"] == 1
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "1 of the people it created was kept" in page
