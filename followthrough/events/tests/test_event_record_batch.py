"""A batch is stored in one go, but must answer exactly as the items would one by one."""

from datetime import UTC, datetime

import pytest

from followthrough.accounts.services import workspace_create
from followthrough.events.models import Event
from followthrough.events.services import (
    BatchResult,
    ContactRef,
    EventInput,
    event_record,
    event_record_batch,
)
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_list
from followthrough.people.services import PhoneInput, contact_create

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def item(ref: ContactRef, external_id: str = "", kind: str = "purchase.made", **data) -> EventInput:
    return EventInput(type=kind, occurred_at=AT, source="shop", contact=ref,
                      external_id=external_id, data={"amount": "25", **data})


def book(workspace) -> dict[str, Contact]:
    """The same three people in any workspace."""
    def person(first: str, **details) -> Contact:
        return contact_create(workspace=workspace, by=None, fields={"first_name": first,
                              "external_id": details.pop("external_id", "")}, **details)

    return {
        "dana": person("Dana", emails=["dana@example.com"], phones=[PhoneInput("+1 415 555 0100")]),
        "erin": person("Erin", external_id="cus_7", emails=["erin@example.com"]),
        "finn": person("Finn", phones=[PhoneInput("+1 415 555 0199")]),
    }


def scenario(people: dict[str, Contact]) -> list[EventInput]:
    """Every rule of finding, creating and refusing, including items that depend on earlier
    items of the same batch."""
    dana = people["dana"]
    return [
        item(ContactRef(id=dana.pk), "o1"),
        item(ContactRef(external_id="cus_7", email="dana@example.com"), "o2"),  # id beats email
        item(ContactRef(email=" DANA@Example.com "), "o3"),
        item(ContactRef(phone="(415) 555-0199"), "o4"),
        item(ContactRef(email="new@example.org", name="Nia Newcomer"), "o5"),
        item(ContactRef(email="NEW@example.org"), "o6"),  # the lead created by o5
        item(ContactRef(external_id="shop-9", phone="+44 20 7946 0958"), "o7"),
        item(ContactRef(phone="020 7946 0958 "), ""),  # not UK by default: no such number
        item(ContactRef(phone="+44 20 7946 0958"), ""),  # the lead created by o7, by phone
        item(ContactRef(external_id="shop-9"), "o10"),  # and by external id
        item(ContactRef(email="dana@example.com", phone="12"), "o11"),  # the phone is not needed
        item(ContactRef(email="ghost@example.org", phone="12"), "o12"),  # but here it is
        item(ContactRef(email="not an email"), "o13"),
        item(ContactRef(id=dana.pk + 10_000), "o14"),
        item(ContactRef(id=dana.pk), "o1"),  # a replay within the batch
        item(ContactRef(id=dana.pk), "o15", kind="Purchase"),
        item(ContactRef(email="new@example.org"), "o16", amount="lots"),
        item(ContactRef(name="Nobody"), "o17"),
    ]


def answers(results: list[BatchResult], people: dict[str, Contact]) -> list[tuple]:
    """The results with stored ids replaced by who and what they are, so two workspaces can be
    compared."""
    names = {c.pk: key for key, c in people.items()}
    shown = []
    for r in results:
        if r.event is None:
            shown.append((r.index, r.not_found, dict(r.errors or {})))
            continue
        contact = Contact.objects.get(pk=r.event.contact_id)
        who = names.get(contact.pk) or (contact.first_name, contact.last_name, contact.source,
                                        contact.external_id,
                                        sorted(e.email for e in contact.emails.all()),
                                        sorted(p.number for p in contact.phones.all()))
        shown.append((r.index, r.event.external_id, who))
    return shown


def one_by_one(workspace, items: list[EventInput]) -> list[BatchResult]:
    from django.core.exceptions import ValidationError
    from django.http import Http404

    results = []
    for index, one in enumerate(items):
        try:
            results.append(BatchResult(index, event=event_record(workspace=workspace, item=one)))
        except ValidationError as error:
            results.append(BatchResult(index, errors=error.message_dict))
        except Http404:
            results.append(BatchResult(index, not_found=True))
    return results


def test_a_batch_answers_as_the_items_would_one_by_one(workspace) -> None:
    twin = workspace_create(name="Twin Cycles", timezone_name="America/New_York")
    batch_people, single_people = book(workspace), book(twin)
    in_batch = event_record_batch(workspace=workspace, items=scenario(batch_people))
    singly = one_by_one(twin, scenario(single_people))
    assert answers(in_batch, batch_people) == answers(singly, single_people)
    assert Event.objects.filter(workspace=workspace).count() == Event.objects.filter(
        workspace=twin).count() == 10
    for ws in (workspace, twin):
        assert sorted(Contact.objects.filter(workspace=ws).values_list("first_name", flat=True)) \
            == ["Dana", "Erin", "Finn", "Nia", "Unknown"]


def test_the_answers_name_what_is_wrong(workspace) -> None:
    people = book(workspace)
    results = event_record_batch(workspace=workspace, items=scenario(people))
    by_index = {r.index: r for r in results}
    assert by_index[1].event.contact_id == people["erin"].pk
    assert by_index[5].event.contact_id == by_index[4].event.contact_id
    assert by_index[14].event.pk == by_index[0].event.pk
    assert "contact.phone" in by_index[7].errors and "contact.phone" in by_index[11].errors
    assert by_index[10].event.contact_id == people["dana"].pk
    assert "contact.email" in by_index[12].errors
    assert by_index[13].not_found
    assert set(by_index[15].errors) == {"type"} and set(by_index[16].errors) == {"data.amount"}
    assert set(by_index[17].errors) == {"contact"}


def test_a_replayed_batch_stores_nothing_and_answers_the_same(workspace) -> None:
    people = book(workspace)
    first = event_record_batch(workspace=workspace, items=scenario(people))
    count = (Event.objects.count(), Contact.objects.count())
    again = event_record_batch(workspace=workspace, items=scenario(people))
    assert answers(again, people) == answers(first, people)
    assert [r.event.pk for r in again[:7]] == [r.event.pk for r in first[:7]]
    # The one good item without an external id is a new delivery each time.
    assert (Event.objects.count(), Contact.objects.count()) == (count[0] + 1, count[1])


def test_new_leads_from_a_batch_are_found_like_any_contact(workspace) -> None:
    event_record_batch(workspace=workspace, items=[
        item(ContactRef(email="nia@example.org", name="Nia Newcomer", phone="+1 212 555 0142"),
             "o1"),
    ])
    (nia,) = contact_list(workspace=workspace, query="newcomer 2125550142", now=AT)
    assert (nia.stage, nia.source, [e.email for e in nia.emails.all()]) == (
        "lead", "other", ["nia@example.org"])
    assert [(p.number, p.is_primary) for p in nia.phones.all()] == [("+12125550142", True)]


@pytest.mark.django_db(transaction=True)
def test_after_commit_gets_the_new_events_once_stored(workspace) -> None:
    seen: list[list[int]] = []
    results = event_record_batch(
        workspace=workspace,
        items=[item(ContactRef(email="a@example.org"), "o1"),
               item(ContactRef(email="a@example.org"), "o1")],
        after_commit=lambda events: seen.append([e.pk for e in events]),
    )
    assert seen == [[results[0].event.pk]]
    assert Event.objects.filter(pk=results[0].event.pk).exists()
