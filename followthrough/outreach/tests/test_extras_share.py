"""Share something of value: an article and its topics → the people whose interests match, most
due a touch first → one personal follow-up each."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from followthrough.activity.models import FollowUp
from followthrough.conftest import NOW
from followthrough.outreach.extras.sharing import share_candidates
from followthrough.outreach.tests.extras_fixtures import frozen  # noqa: F401
from followthrough.people.models import Contact

pytestmark = pytest.mark.usefixtures("frozen")
URL = "https://bikes.example/winter-tyres"


@pytest.fixture
def people(make_contact: Callable[..., Contact]) -> dict[str, Contact]:
    def person(first: str, days: int | None, **kw: object) -> Contact:
        contact = make_contact(first, "Test", email=f"{first.lower()}@example.com", **kw)
        if days is not None:
            Contact.objects.filter(pk=contact.pk).update(last_touched_at=NOW - timedelta(days))
        return contact

    return {
        # gold cadence 30: 40/30; bronze 90: 120/90 — equally due, gold first.
        "dana": person("Dana", 40, tier="gold", tags=("road cycling",)),
        "gus": person("Gus", 120, tier="bronze", tags=("Cycling",)),
        "eli": person("Eli", 120, tier="silver", tags=("cycling", "winter")),  # 2× cadence
        "new": person("Nia", None, tags=("winter",)),  # added today: least due
        "hal": person("Hal", 300, tags=("cycling",), pref_email="refused"),
        "ivy": person("Ivy", 300, tags=("baking",)),
    }


def test_it_orders_matching_people_by_how_due_they_are(workspace, people) -> None:
    found = share_candidates(workspace=workspace, topics=["cycling", "winter"], now=NOW)
    assert [c.contact.first_name for c in found] == ["Eli", "Dana", "Gus", "Nia"]
    assert [c.topic for c in found] == ["cycling", "cycling", "cycling", "winter"]


def test_it_lists_the_people_on_the_page(alice_client: Client, people) -> None:
    response = alice_client.get("/share/", {"url": URL, "topics": "cycling, winter"})
    html = response.content.decode()
    assert response.status_code == 200
    names = [html.index(f"{n} Test") for n in ("Eli", "Dana", "Gus", "Nia")]
    assert names == sorted(names)
    assert "Hal Test" not in html and "Ivy Test" not in html


def test_it_plans_a_follow_up_for_each_person_ticked(alice_client: Client, people) -> None:
    chosen = [people["eli"].pk, people["dana"].pk]
    response = alice_client.post("/share/", {"url": URL, "topics": "cycling", "contact": chosen})
    assert response.status_code == 200
    assert "2 follow-ups planned" in response.content.decode()
    purposes = dict(
        FollowUp.objects.filter(contact_id__in=chosen).values_list("contact__first_name", "purpose")
    )
    assert purposes == {
        "Eli": f"Share {URL} — you mentioned cycling",
        "Dana": f"Share {URL} — you mentioned cycling",
    }
    assert set(FollowUp.objects.values_list("channel", flat=True)) == {"email"}


def test_it_skips_a_person_who_already_has_it_planned(alice_client: Client, people) -> None:
    data = {"url": URL, "topics": "cycling", "contact": [people["eli"].pk]}
    alice_client.post("/share/", data)
    response = alice_client.post("/share/", data)
    assert "0 follow-ups planned" in response.content.decode()
    assert "already has an open follow-up" in response.content.decode()
    assert FollowUp.objects.filter(contact=people["eli"]).count() == 1


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://files.example/x", "not a url"])
def test_it_refuses_an_address_that_is_not_http(alice_client: Client, people, bad) -> None:
    response = alice_client.get("/share/", {"url": bad, "topics": "cycling"})
    assert response.status_code == 400
    assert "full address (http:// or https://)" in response.content.decode()


def test_it_asks_for_a_topic(alice_client: Client, people) -> None:
    response = alice_client.get("/share/", {"url": URL, "topics": " , "})
    assert response.status_code == 400
    assert "Name at least one topic" in response.content.decode()


def test_it_answers_404_for_another_workspaces_contact(
    charlie_client: Client, alice_client: Client, people
) -> None:
    data = {"url": URL, "topics": "cycling", "contact": [people["eli"].pk]}
    assert charlie_client.post("/share/", data).status_code == 404
    found = charlie_client.get("/share/", {"url": URL, "topics": "cycling"})
    assert "Eli Test" not in found.content.decode()
    assert not FollowUp.objects.exists()


def test_it_asks_to_choose_someone(alice_client: Client, people) -> None:
    response = alice_client.post("/share/", {"url": URL, "topics": "cycling"})
    assert "Choose at least one person." in response.content.decode()
    assert not FollowUp.objects.exists()
