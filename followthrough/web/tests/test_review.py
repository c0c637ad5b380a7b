from datetime import timedelta

from followthrough.activity.models import FollowUp
from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW

from .conftest import HTMX


def touched(contact, days_ago: int) -> None:
    interaction_log(contact=contact, by=None, channel="call", summary="Hello",
                    occurred_at=NOW - timedelta(days=days_ago))


def test_it_counts_the_review_buckets_and_links_to_the_list(alice_client, make_contact) -> None:
    touched(make_contact("A", "Recent"), 10)
    touched(make_contact("B", "Month"), 45)
    touched(make_contact("C", "Quarter"), 75)
    touched(make_contact("D", "Long"), 200)
    make_contact("E", "Never")
    make_contact("F", "Former", stage="former")  # left alone

    response = alice_client.get("/review/")

    assert [(v, n) for v, _, n in response.context["buckets"]] == [
        ("0-30", 1), ("31-60", 1), ("61-90", 1), ("90+", 1), ("never", 1)]
    body = response.content.decode()
    assert 'href="/contacts/?touched=61-90"' in body and 'href="/contacts/?touched=90%2B"' in body
    listed = alice_client.get("/contacts/", {"touched": "90+"}).context["page"].object_list
    assert [c.name for c in listed] == ["D Long"]


def test_it_lists_the_flagged_contacts_and_unflags_them(alice_client, make_contact) -> None:
    flagged = make_contact("Flag", "Ged", review_flag=True)
    make_contact("Not", "Flagged")

    body = alice_client.get("/review/").content.decode()
    section = body.split('id="flagged-title"')[1]
    assert "Flag Ged" in section and "Not Flagged" not in section

    alice_client.post(f"/contacts/{flagged.pk}/flag/", {"flagged": "0"}, **HTMX)
    assert "Flag Ged" not in alice_client.get("/review/").content.decode()


def test_it_reports_neglected_clients_with_their_share_of_the_book(
    alice_client, make_contact, frozen
) -> None:
    frozen.move_to(NOW - timedelta(days=400))
    gold = make_contact("Gwen", "Gold", stage="client", tier="gold")
    silver = make_contact("Sid", "Silver", stage="client", tier="silver")
    make_contact("Una", "Tiered", stage="client")  # never touched, added 400 days ago
    make_contact("Lee", "Lead", stage="lead")  # not a client
    frozen.move_to(NOW)
    touched(gold, 40)  # past the 30-day gold cadence
    touched(silver, 20)  # within the 60-day silver cadence

    response = alice_client.get("/neglected/")

    body = response.content.decode()
    assert "<strong>2</strong> neglected" in body and "<strong>67%</strong> of 3 clients" in body
    assert [(r["contact"].name, r["days"], r["cadence"]) for r in response.context["rows"]] == [
        ("Una Tiered", 400, 180), ("Gwen Gold", 40, 30)]


def test_it_plans_a_check_in_with_one_click(alice_client, make_contact, frozen) -> None:
    frozen.move_to(NOW - timedelta(days=100))
    gwen = make_contact("Gwen", "Gold", stage="client", tier="gold")
    frozen.move_to(NOW)

    body = alice_client.get("/neglected/").content.decode()
    assert 'value="Check in — untouched for 100 days"' in body

    response = alice_client.post(f"/contacts/{gwen.pk}/followups/new/", {
        "purpose": "Check in — untouched for 100 days", "view": "neglected"}, **HTMX)

    assert "Planned for Mon 23 Nov" in response.content.decode()
    assert FollowUp.objects.get(contact=gwen).purpose == "Check in — untouched for 100 days"
    assert "Plan a check-in" not in alice_client.get("/neglected/").content.decode()


def test_it_plans_a_check_in_without_javascript(alice_client, make_contact, frozen) -> None:
    frozen.move_to(NOW - timedelta(days=100))
    gwen = make_contact("Gwen", "Gold", stage="client", tier="gold")
    frozen.move_to(NOW)

    response = alice_client.post(f"/contacts/{gwen.pk}/followups/new/", {
        "purpose": "Check in — untouched for 100 days", "view": "neglected",
        "next": "/neglected/"})

    assert response.status_code == 302 and response.url == "/neglected/"
