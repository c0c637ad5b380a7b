"""An import never merges on a guess: someone whose name is only alike to a person already in the
same organization is created, and the import's summary points at the merge review for them."""

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from followthrough.people.services import organization_create
from followthrough.transfer.models import ImportJob

Run = Callable[..., ImportJob]

FILE = b"""First Name,Last Name,Email,Company
Jon,Smith,jon.smith@acme.example,Acme
Maria,Lopez,maria@other.example,Other Co
"""


def test_a_near_namesake_in_the_same_organization_is_created_and_flagged_for_review(
    run_import: Run, make_contact: Any, workspace: Any, alice_client: Any
) -> None:
    acme = organization_create(workspace=workspace, fields={"name": "Acme"})
    make_contact("John", "Smith", email="john@acme.example", organization=acme)

    job = run_import(name="people.csv", data=FILE)

    assert (job.summary["created"], job.summary["to_review"]) == (2, 1)
    page = alice_client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "1 pair of contacts may be the same person" in page
    assert reverse("web:merge_review") in page
    review = alice_client.get(reverse("web:merge_review")).content.decode()
    assert "Jon Smith" in review and "John Smith" in review


def test_a_dry_run_and_an_import_without_namesakes_say_nothing_about_review(
    run_import: Run, make_contact: Any, workspace: Any, alice_client: Any
) -> None:
    acme = organization_create(workspace=workspace, fields={"name": "Acme"})
    make_contact("John", "Smith", email="john@acme.example", organization=acme)
    assert "to_review" not in run_import(name="people.csv", data=FILE, dry_run=True).summary

    job = run_import(name="others.csv", data=FILE.replace(b"Jon,Smith", b"Ann,Lee"))
    assert job.summary["to_review"] == 0
    page = alice_client.get(reverse("web:import_job", args=[job.pk])).content.decode()
    assert "may be the same person" not in page
