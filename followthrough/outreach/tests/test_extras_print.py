"""The print queue: due handwritten notes, cards and letters, a printable PDF sheet with names,
addresses and talking points, and mailing labels, also for names in other scripts."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

import io
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.outreach.tests.extras_fixtures import frozen  # noqa: F401

pytestmark = pytest.mark.usefixtures("frozen")
ADDRESS = {
    "street": "12 Harbour Lane",
    "city": "Portland",
    "region": "ME",
    "postal_code": "04101",
    "country": "US",
}


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def queue(make_contact, plan, alice, bob):
    dana = make_contact("Dana", "Rider", tags=("road cycling",), **ADDRESS)
    yaro = make_contact(
        "Ярослава", "Коваленко", street="вул. Хрещатик 1", city="Київ", country="UA"
    )
    noaddr = make_contact("Nia", "Nowhere")
    interaction_log(
        contact=dana,
        by=alice,
        channel="call",
        summary="Loves her new gravel bike",
        now=NOW - timedelta(days=20),
    )
    return {
        "note": plan(
            dana, "Thank-you note for the gravel bike", NOW - timedelta(days=2), channel="note"
        ),
        "card": plan(yaro, "Birthday card", NOW, channel="card"),
        "letter": plan(noaddr, "Letter about the spring service", NOW, channel="letter"),
        # Not on alice's print queue: a call, a note for next month, bob's card.
        "call": plan(dana, "Call about the fitting", NOW, channel="call"),
        "later": plan(dana, "Note for the anniversary", NOW + timedelta(days=30), channel="note"),
        "bobs": plan(
            make_contact("Gus", "Bobs", **ADDRESS),
            "Card from Bob",
            NOW,
            channel="card",
            assignee=bob,
        ),
    }


def test_it_lists_the_due_notes_cards_and_letters(alice_client: Client, queue) -> None:
    html = alice_client.get("/print/").content.decode()
    for purpose in (
        "Thank-you note for the gravel bike",
        "Birthday card",
        "Letter about the spring service",
    ):
        assert purpose in html
    for absent in ("Call about the fitting", "Note for the anniversary", "Card from Bob"):
        assert absent not in html
    assert "no address for" in html and "Nia Nowhere" in html
    upcoming = alice_client.get("/print/", {"ahead": 7}).content.decode()
    assert "Note for the anniversary" not in upcoming
    month = alice_client.get("/print/", {"ahead": "oops"})
    assert month.status_code == 200


def test_it_prints_a_sheet_with_addresses_and_talking_points(alice_client: Client, queue):
    response = alice_client.get("/print/sheet.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Dana Rider",
        "12 Harbour Lane",
        "Portland ME 04101",
        "Why: Thank-you note for the gravel bike",
        "Loves her new gravel bike",
        "Interests: road cycling",
        "Ярослава Коваленко",
        "Київ",
        "No postal address on file",
    ):
        assert expected in text, expected
    assert "Call about the fitting" not in text and "Gus Bobs" not in text


def test_it_prints_one_label_per_person_with_an_address(alice_client: Client, queue) -> None:
    text = pdf_text(alice_client.get("/print/labels.pdf").content)
    assert "Dana Rider" in text and "12 Harbour Lane" in text
    assert "Ярослава Коваленко" in text
    assert "Nia Nowhere" not in text and "Gus Bobs" not in text
    assert text.count("Dana Rider") == 1


def test_it_fills_a_second_label_page_after_thirty(alice_client, make_contact, plan) -> None:
    for n in range(31):
        plan(make_contact(f"P{n:02d}", "山田", **ADDRESS), "Card", NOW, channel="card")
    reader = PdfReader(io.BytesIO(alice_client.get("/print/labels.pdf").content))
    assert len(reader.pages) == 2
    assert "P30" in reader.pages[1].extract_text()


def test_it_shows_nothing_of_another_workspace(charlie_client: Client, queue) -> None:
    assert "Dana Rider" not in charlie_client.get("/print/").content.decode()
    assert "Dana Rider" not in pdf_text(charlie_client.get("/print/sheet.pdf").content)
    assert "Dana Rider" not in pdf_text(charlie_client.get("/print/labels.pdf").content)
