"""`followthrough demo --no-serve` creates the demo once, prints how to log in, reuses it after."""

from io import StringIO

import pytest
from django.core.management import call_command

from followthrough.accounts.models import User
from followthrough.demo.services import DEMO_OWNER_EMAIL, DEMO_PASSWORD, demo_workspace_get
from followthrough.outreach.models import Campaign, EmailTemplate, Segment
from followthrough.outreach.services import campaign_create, campaign_start
from followthrough.people.models import Contact

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--contacts", "30", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_demo_and_prints_the_login() -> None:
    output = run_demo()
    assert "http://127.0.0.1:8000/" in output
    assert DEMO_OWNER_EMAIL in output
    assert DEMO_PASSWORD in output
    owner = User.objects.get(email=DEMO_OWNER_EMAIL)
    assert owner.check_password(DEMO_PASSWORD)
    assert all(u.check_password(DEMO_PASSWORD) for u in owner.workspace.users.all())
    assert Contact.objects.filter(workspace=owner.workspace).count() == 30


def test_it_reuses_an_existing_demo() -> None:
    run_demo()
    first = demo_workspace_get()
    output = run_demo("--contacts", "40")
    assert "already exists" in output
    assert demo_workspace_get() == first
    assert Contact.objects.filter(workspace=first).count() == 30


def test_it_rebuilds_the_demo_with_reset() -> None:
    run_demo()
    first = demo_workspace_get()
    output = run_demo("--reset", "--contacts", "40")
    assert "Created 40 contacts" in output
    rebuilt = demo_workspace_get()
    assert rebuilt is not None and rebuilt != first
    assert Contact.objects.filter(workspace=rebuilt).count() == 40


def test_it_rebuilds_a_demo_that_has_sent_a_campaign() -> None:
    run_demo()
    first = demo_workspace_get()
    assert first is not None
    owner = User.objects.get(email=DEMO_OWNER_EMAIL)
    campaign = campaign_create(
        workspace=first,
        by=owner,
        name="Tried it",
        template=EmailTemplate.objects.get(workspace=first),
        segment=Segment.objects.get(workspace=first),
    )
    campaign_start(campaign=campaign, wake=False)
    assert "Created 40 contacts" in run_demo("--reset", "--contacts", "40")
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


def test_it_prints_the_address_it_serves_on() -> None:
    assert "http://127.0.0.1:8123/" in run_demo("--port", "8123")
