"""The reports page: four charts drawn on the server (inline SVG), each with how to read it and
its figures as a table; the model's status; and "Recompute now" for the owner and admins."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

from followthrough.activity.services import followup_complete, followup_create, interaction_log
from followthrough.conftest import NOW
from followthrough.insight.models import RhythmFit
from followthrough.insight.services import insight_refresh

SVG = "{http://www.w3.org/2000/svg}"


def section(body: str, key: str) -> str:
    return body.split(f'id="{key}"')[1].split("</section>")[0]


def svg_of(part: str) -> ET.Element:
    return ET.fromstring(part[part.index("<svg"):part.index("</svg>") + 6])  # noqa: S314


def test_it_draws_the_four_charts_from_real_data(alice_client, workspace, synthetic, buy,
                                                  contact) -> None:
    buy(contact, 200, 170, 140, 110, 80, amount=1200)
    interaction_log(contact=contact, by=None, channel="gift", summary="Bottle of wine",
                    cost=Decimal(40), occurred_at=NOW - timedelta(days=20))
    followup = followup_create(contact=contact, by=None, purpose="Call about the tour",
                               channel="call", now=NOW - timedelta(days=10))
    followup_complete(followup=followup, by=None, now=NOW - timedelta(days=9))
    insight_refresh(workspace=workspace, now=NOW)

    body = alice_client.get("/reports/").content.decode()

    for key, title in (("tiers", "Tiers by count and value"), ("retention", "Retention by cohort"),
                       ("spend", "Acquisition and retention: spend and revenue"),
                       ("followups", "Follow-ups by channel")):
        part = section(body, key)
        assert f">{title}</h2>" in part and '<p class="help">' in part
        chart = svg_of(part)
        assert chart.get("role") == "img" and chart.get("viewBox", "").startswith("0 0 ")
        assert chart.find(f"{SVG}title") is not None and chart.find(f"{SVG}desc") is not None
        assert "<details" in part and "<table" in part, key
    tiers = section(body, "tiers")
    assert tiers.count('class="bar"') == 8  # four tiers, by count and by value
    assert "<th scope=\"row\">Gold</th><td class=\"num\">30</td>" in tiers  # top 10% of 301
    assert "$40" in section(body, "spend")
    assert "<th scope=\"row\">Call</th><td class=\"num\">1</td>" in section(body, "followups")
    assert "Fitted on 301 customers on 23 Nov 2026 (BG/NBD)." in body


def test_it_says_why_the_model_could_not_be_fitted(alice_client, workspace, buy,
                                                    contact) -> None:
    buy(contact, 90, 60, 30)
    insight_refresh(workspace=workspace, now=NOW)

    status = section(alice_client.get("/reports/").content.decode(), "model")

    assert "The BG/NBD model could not be fitted</strong> (BG/NBD needs at least 20" in status
    assert "Each customer’s own rhythm is used instead" in status


def test_without_purchases_it_points_to_the_import(alice_client, client, bob,
                                                    workspace) -> None:
    insight_refresh(workspace=workspace, now=NOW)

    body = alice_client.get("/reports/").content.decode()

    assert "No purchases yet" in section(body, "model")
    assert 'href="/import/purchases/"' in section(body, "model")
    assert "No purchases yet." in section(body, "retention")  # the empty chart says so
    client.force_login(bob)
    member = client.get("/reports/").content.decode()
    assert 'href="/import/purchases/"' not in member and "Recompute now" not in member


def test_recompute_now_runs_the_nightly_job_and_says_what_changed(alice_client, workspace,
                                                                   synthetic) -> None:
    assert "Not computed yet" in alice_client.get("/reports/").content.decode()

    response = alice_client.post("/reports/recompute/")

    assert response.status_code == 302 and response.url == "/reports/"
    body = alice_client.get("/reports/").content.decode()
    assert "Recomputed: model fitted on 300 customers (BG/NBD); 300 contacts changed tier." in body
    assert RhythmFit.objects.get(workspace=workspace).fitted
    alice_client.post("/reports/recompute/")
    assert "no contact changed tier" in alice_client.get("/reports/").content.decode()


def test_a_member_cannot_recompute(client, bob, workspace, synthetic) -> None:
    client.force_login(bob)

    assert client.post("/reports/recompute/").status_code == 403
    assert not RhythmFit.objects.exists()
    assert client.get("/reports/").status_code == 200  # reading is for everyone


def test_the_reports_link_is_in_the_main_bar_and_the_phone_menu(alice_client) -> None:
    body = alice_client.get("/reports/").content.decode()
    assert 'class="wide-only" href="/reports/" aria-current="page"' in body
    assert '<a class="show-sm" href="/reports/">Reports</a>' in body


def test_the_reports_page_reads_in_a_fixed_number_of_queries(
    alice_client, workspace, buy, make_contact, django_assert_max_num_queries
) -> None:
    buy(make_contact("One", "Buyer"), 300, 100, amount=50)
    insight_refresh(workspace=workspace, now=NOW)
    alice_client.get("/reports/")
    with django_assert_max_num_queries(100) as one:
        alice_client.get("/reports/")
    for i in range(8):
        person = make_contact(f"P{i}", "Buyer", tier="silver")
        buy(person, 400 - 40 * i, 200 - 10 * i, 20 + i, amount=30 + i)
        followup = followup_create(contact=person, by=None, purpose="Hello",
                                   channel="email" if i % 2 else "call",
                                   now=NOW - timedelta(days=5))
        followup_complete(followup=followup, by=None, now=NOW - timedelta(days=4))
    insight_refresh(workspace=workspace, now=NOW)

    with django_assert_max_num_queries(len(one.captured_queries)):
        body = alice_client.get("/reports/").content.decode()

    assert "<th scope=\"row\">Email</th>" in section(body, "followups")


def test_charlie_sees_only_his_own_workspace(charlie_client, workspace, synthetic) -> None:
    insight_refresh(workspace=workspace, now=NOW)

    body = charlie_client.get("/reports/").content.decode()

    assert "Fitted on" not in body and "Not computed yet" in body
    assert "<th scope=\"row\">Gold</th><td class=\"num\">0</td>" in section(body, "tiers")
