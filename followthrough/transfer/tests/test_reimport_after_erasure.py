"""An erased person who comes back in an old spreadsheet is a new contact, but the suppression
digest erasure kept stops every campaign from mailing them."""

from collections.abc import Callable
from typing import Any

from followthrough.outreach.models import OutboxMessage, OutboxStatus
from followthrough.outreach.services import (
    campaign_create,
    campaign_start,
    segment_create,
    template_create,
)
from followthrough.people.models import Contact
from followthrough.transfer.erasure import contact_erase
from followthrough.transfer.models import ImportJob
from followthrough.transfer.tests.conftest import by_email

Run = Callable[..., ImportJob]

OLD_SPREADSHEET = b"""First Name,Last Name,E-mail Address,Lifecycle Stage
Zoe,Rider,Zoe.Rider@Example.com,customer
Ann,Lee,ann.lee@example.com,customer
"""


def test_a_reimported_erased_person_is_never_mailed_by_a_campaign(
    run_import: Run, make_contact: Any, workspace: Any, alice: Any
) -> None:
    workspace.postal_address = "12 Spoke Street, Portland, OR 97201"
    workspace.save(update_fields=["postal_address"])
    zoe = make_contact("Zoe", "Rider", email="zoe.rider@example.com", stage="client")
    contact_erase(contact=zoe, by=alice)

    job = run_import(name="old.csv", data=OLD_SPREADSHEET)
    assert job.summary["created"] == 2
    assert by_email("zoe.rider@example.com").pk != zoe.pk
    # Even if someone later records consent for the new record, the digest still holds.
    Contact.objects.filter(workspace=workspace).update(marketing_consent=True)

    campaign = campaign_create(
        workspace=workspace,
        by=alice,
        name="Spring news",
        template=template_create(
            workspace=workspace,
            fields={"name": "News", "subject": "Hi {{ first_name }}", "body_html": "<p>Hi</p>"},
        ),
        segment=segment_create(workspace=workspace, name="Everyone", filters={}),
    )
    campaign_start(campaign=campaign, wake=False)

    rows = {m.email: m for m in OutboxMessage.objects.filter(campaign=campaign)}
    assert rows["zoe.rider@example.com"].status == OutboxStatus.SUPPRESSED
    assert rows["ann.lee@example.com"].status == OutboxStatus.QUEUED
