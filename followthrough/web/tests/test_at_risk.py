"""The at-risk list: regular buyers drifting away, most value at risk first, each with the reason
in words and a one-click follow-up that lands on the agenda."""

import re

import pytest

from followthrough.activity.models import FollowUp, Origin
from followthrough.conftest import NOW
from followthrough.insight.services import insight_refresh
from followthrough.people.services import contact_update

from .conftest import HTMX


def rows(body: str) -> list[str]:
    return body.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]


def purpose_of(row: str) -> str:
    found = re.search(r'name="purpose" value="([^"]+)"', row)
    assert found, row
    return found[1].replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


@pytest.fixture
def drifting(workspace, synthetic, buy, contact, make_contact):
    """Dana bought every 30 days and has been silent for 80; Eli the same on a quarter of the
    spend; Fay is on time. The 300 synthetic customers let the model fit."""
    eli = make_contact("Eli", "Small", stage="client")
    fay = make_contact("Fay", "Ontime", stage="client")
    buy(contact, 200, 170, 140, 110, 80, amount=1200)
    buy(eli, 200, 170, 140, 110, 80, amount=300)
    buy(fay, 90, 60, 30, 10, amount=500)
    insight_refresh(workspace=workspace, now=NOW)
    return {"dana": contact, "eli": eli, "fay": fay}


def test_it_lists_who_is_drifting_away_with_the_reason(alice_client, drifting) -> None:
    body = alice_client.get("/at-risk/").content.decode()

    names = [re.search(r">([^<]+)</a>", row)[1] for row in rows(body)]
    assert names.index("Dana Rider") < names.index("Eli Small") and "Fay Ontime" not in names
    dana = rows(body)[names.index("Dana Rider")]
    assert re.search(r"Usually buys every 30 days; 80 days since the last purchase; \d+% chance "
                     r"still active", dana)
    assert "class=\"tier tier-" in dana and "Alice" in dana and "a year" in dana
    assert "Plan a call" in dana
    assert "fitted on 3" in body  # the model the chances come from


def test_one_click_plans_a_call_that_appears_on_the_agenda(alice_client, drifting) -> None:
    dana = drifting["dana"]
    row = rows(alice_client.get("/at-risk/").content.decode())[0]
    purpose = purpose_of(row)
    assert purpose.startswith("Check in with Dana Rider: usually buys every 30 days")

    response = alice_client.post(f"/at-risk/{dana.pk}/plan/",
                                 {"purpose": purpose, "channel": "call"}, **HTMX)

    assert response.status_code == 200 and "Planned for Mon 23 Nov" in response.content.decode()
    followup = FollowUp.objects.get(contact=dana)
    assert (followup.origin, followup.channel, followup.purpose) == (Origin.RHYTHM, "call",
                                                                     purpose)
    assert purpose in alice_client.get("/").content.decode()
    row = rows(alice_client.get("/at-risk/").content.decode())[0]
    assert "Planned for Mon 23 Nov" in row and "Plan a call" not in row


def test_a_second_click_does_not_plan_it_twice(alice_client, drifting) -> None:
    dana = drifting["dana"]
    purpose = purpose_of(rows(alice_client.get("/at-risk/").content.decode())[0])
    alice_client.post(f"/at-risk/{dana.pk}/plan/", {"purpose": purpose, "channel": "call"}, **HTMX)

    again = alice_client.post(f"/at-risk/{dana.pk}/plan/", {"purpose": purpose}, **HTMX)

    assert again.status_code == 422 and "already has an open follow-up" in again.content.decode()
    assert FollowUp.objects.filter(contact=dana).count() == 1


def test_it_plans_a_check_in_for_someone_who_refuses_calls(alice_client, drifting) -> None:
    dana = drifting["dana"]
    contact_update(contact=dana, fields={"pref_phone": "refused", "pref_email": "preferred"})
    row = rows(alice_client.get("/at-risk/").content.decode())[0]
    assert "Plan a check-in" in row and 'name="channel" value=""' in row

    alice_client.post(f"/at-risk/{dana.pk}/plan/", {"purpose": purpose_of(row), "channel": ""},
                      **HTMX)

    assert FollowUp.objects.get(contact=dana).channel == "email"


def test_it_plans_without_javascript_and_comes_back(alice_client, drifting) -> None:
    dana = drifting["dana"]

    response = alice_client.post(f"/at-risk/{dana.pk}/plan/", {
        "purpose": "Check in with Dana", "channel": "call", "next": "/at-risk/"})

    assert response.status_code == 302 and response.url == "/at-risk/"
    body = alice_client.get("/at-risk/").content.decode()
    assert "Dana Rider: follow-up planned for Mon 23 Nov" in body


def test_without_the_model_it_judges_by_their_own_rhythm(alice_client, workspace, buy,
                                                         contact) -> None:
    buy(contact, 130, 100, 70, amount=100)
    insight_refresh(workspace=workspace, now=NOW)

    body = alice_client.get("/at-risk/").content.decode()

    assert "Judged by each customer’s own rhythm" in body
    assert ("Usually buys every 30 days; 70 days since the last purchase; 2.3 times their usual "
            "gap") in body


def test_it_says_when_nobody_is_drifting(alice_client) -> None:
    body = alice_client.get("/at-risk/").content.decode()
    assert "Nobody is drifting away" in body and 'href="/at-risk/" aria-current="page"' in body


def test_the_at_risk_list_reads_without_a_query_per_row(
    alice_client, workspace, synthetic, buy, make_contact, django_assert_max_num_queries
) -> None:
    buy(make_contact("One", "Drifter"), 200, 170, 140, 110, 80, amount=50)
    insight_refresh(workspace=workspace, now=NOW)
    alice_client.get("/at-risk/")
    with django_assert_max_num_queries(100) as one:
        alice_client.get("/at-risk/")
    for i in range(6):
        buy(make_contact(f"P{i}", "Drifter"), 200, 170, 140, 110, 80, amount=60 + i)
    insight_refresh(workspace=workspace, now=NOW)

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = alice_client.get("/at-risk/").content.decode()

    assert body.count(" Drifter</a>") >= 7


def test_charlie_sees_none_of_it_and_cannot_plan(charlie_client, drifting) -> None:
    dana = drifting["dana"]
    assert "Dana Rider" not in charlie_client.get("/at-risk/").content.decode()

    response = charlie_client.post(f"/at-risk/{dana.pk}/plan/", {"purpose": "Hi"}, **HTMX)

    assert response.status_code == 404 and not FollowUp.objects.exists()
