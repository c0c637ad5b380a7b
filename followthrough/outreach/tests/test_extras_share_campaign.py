"""Share something of value as a small campaign: the share page drafts a segment of the people
whose interests match and a template with the link, and opens the new-campaign page on them."""

# ruff: noqa: F811

from collections.abc import Callable

import pytest
from django.test import Client

from followthrough.conftest import NOW
from followthrough.outreach.models import EmailTemplate, Segment
from followthrough.outreach.segments import segment_contacts
from followthrough.outreach.tests.extras_fixtures import frozen  # noqa: F401
from followthrough.people.models import Contact

pytestmark = pytest.mark.usefixtures("frozen")
URL = "https://bikes.example/winter-tyres?x=1&y=2"


def test_it_drafts_a_campaign_to_everyone_the_article_suits(
    alice_client: Client, make_contact: Callable[..., Contact]
) -> None:
    dana = make_contact("Dana", "Rider", email="dana@example.com", tags=("road cycling",))
    make_contact("Ivy", "Baker", email="ivy@example.com", tags=("baking",))
    response = alice_client.post("/share/", {"url": URL, "topics": "cycling", "as": "campaign"})
    segment, template = Segment.objects.get(), EmailTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"/outreach/campaigns/new/?template={template.pk}&segment={segment.pk}"
    )
    audience = segment_contacts(workspace=dana.workspace, filters=segment.filters, now=NOW)
    assert list(audience) == [dana]
    assert "https://bikes.example/winter-tyres?x=1&amp;y=2" in template.body_html
    assert URL in template.body_text and "{{ first_name }}" in template.body_text
    page = alice_client.get(response["Location"]).content.decode()
    assert f'<option value="{template.pk}" selected>' in page


def test_it_says_so_when_nobody_matches(alice_client: Client, make_contact) -> None:  # type: ignore[no-untyped-def]
    make_contact("Ivy", "Baker", email="ivy@example.com", tags=("baking",))
    response = alice_client.post("/share/", {"url": URL, "topics": "cycling", "as": "campaign"})
    assert response.status_code == 200
    assert "Nobody" in response.content.decode()
    assert not Segment.objects.exists() and not EmailTemplate.objects.exists()
