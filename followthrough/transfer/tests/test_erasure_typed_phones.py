"""Erasing a person also erases their phone number where a colleague typed it by hand, in any of
the ways people write one, and leaves other numbers that only share some digits alone."""

import pytest

from followthrough.activity.services import interaction_log
from followthrough.transfer.erasure import contact_erase


@pytest.mark.parametrize(
    "typed",
    ["(415) 555-0177", "415.555.0177", "+1 415 555 0177", "415-555-0177 ext. 2", "4155550177"],
)
def test_it_erases_her_number_as_someone_typed_it_in_another_contacts_notes(
    make_contact, alice, typed
) -> None:
    zoe = make_contact("Zoë", "Rider", email="zoe@example.com", phone="+1 415 555 0177")
    sam = make_contact("Sam", "Okafor", notes=f"His sister's cell: {typed}. Office 415 555 9000.")
    interaction_log(contact=sam, by=alice, channel="call", summary=f"Gave me {typed} for her")

    contact_erase(contact=zoe, by=alice)

    sam.refresh_from_db()
    assert "0177" not in sam.notes and "[erased]" in sam.notes
    assert "415 555 9000" in sam.notes  # another number that only shares the area code stays
    assert "0177" not in sam.interactions.get().summary


def test_a_longer_number_that_contains_hers_is_not_touched(make_contact, alice) -> None:
    zoe = make_contact("Zoë", "Rider", email="zoe@example.com", phone="+1 415 555 0177")
    sam = make_contact("Sam", "Okafor", notes="Order 941555501772 shipped.")

    contact_erase(contact=zoe, by=alice)

    sam.refresh_from_db()
    assert sam.notes == "Order 941555501772 shipped."
