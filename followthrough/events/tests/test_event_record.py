from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record, event_record_batch
from followthrough.people.models import Contact

AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def purchase(ref: ContactRef, external_id: str = "order-1", **data) -> EventInput:
    return EventInput(
        type="purchase.made",
        occurred_at=AT,
        source="shop",
        contact=ref,
        external_id=external_id,
        data={"amount": "1299.00", **data},
    )


def test_a_replay_answers_like_the_first_delivery_and_creates_nothing(workspace, contact):
    first = event_record(workspace=workspace, item=purchase(ContactRef(email="DANA@example.com")))
    again = event_record(workspace=workspace, item=purchase(ContactRef(email="dana@example.com")))
    assert again.pk == first.pk and again.contact_id == contact.pk
    assert Event.objects.count() == 1


def test_it_finds_the_person_by_id_external_id_email_or_phone(workspace, contact) -> None:
    contact.external_id = "cus_42"
    contact.save()
    refs = [
        ContactRef(id=contact.pk),
        ContactRef(external_id="cus_42"),
        ContactRef(email="dana@example.com"),
        ContactRef(phone="(415) 555-0100"),
    ]
    for i, ref in enumerate(refs):
        event = event_record(workspace=workspace, item=purchase(ref, external_id=f"o{i}"))
        assert event.contact_id == contact.pk
    assert Contact.objects.count() == 1


def test_an_unknown_person_becomes_a_new_lead(workspace) -> None:
    item = EventInput(
        type="lead.created",
        occurred_at=AT,
        source="api",
        contact=ContactRef(email="new@example.org", name="Nia Newcomer"),
        data={"channel": "referral"},
    )
    event = event_record(workspace=workspace, item=item)
    lead = event.contact
    assert (lead.first_name, lead.last_name, lead.stage, lead.source) == (
        "Nia",
        "Newcomer",
        "lead",
        "referral",
    )
    assert lead.emails.get().email == "new@example.org"


def test_another_workspaces_contact_id_is_not_found(workspace, make_contact, other_workspace):
    foreign = make_contact("Fay", "Foreign", ws=other_workspace)
    with pytest.raises(Http404):
        event_record(workspace=workspace, item=purchase(ContactRef(id=foreign.pk)))
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (
            EventInput(
                type="Purchase",
                occurred_at=AT,
                source="api",
                contact=ContactRef(email="a@example.com"),
            ),
            "type",
        ),
        (
            EventInput(
                type="invoice.paid",
                occurred_at=AT,
                source="api",
                contact=ContactRef(email="a@example.com"),
            ),
            "data.invoice_id",
        ),
        (
            EventInput(
                type="invoice.issued",
                occurred_at=AT,
                source="api",
                contact=ContactRef(email="a@example.com"),
                data={"invoice_id": "i1", "due_date": "next week"},
            ),
            "data.due_date",
        ),
        (
            EventInput(
                type="purchase.made",
                occurred_at=AT,
                source="api",
                contact=ContactRef(email="a@example.com"),
                data={"amount": "lots"},
            ),
            "data.amount",
        ),
        (
            EventInput(type="purchase.made", occurred_at=AT, source="api", contact=ContactRef()),
            "contact",
        ),
        (
            EventInput(
                type="purchase.made", occurred_at=AT, source="api", contact=ContactRef(phone="12")
            ),
            "contact.phone",
        ),
        (
            EventInput(
                type="purchase.made",
                occurred_at=datetime(2026, 1, 1),  # noqa: DTZ001 (naive on purpose)
                source="api",
                contact=ContactRef(email="a@example.com"),
            ),
            "occurred_at",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(workspace, item, field) -> None:
    with pytest.raises(ValidationError) as error:
        event_record(workspace=workspace, item=item)
    assert field in error.value.message_dict
    assert Event.objects.count() == 0 and Contact.objects.count() == 0


def test_custom_types_are_accepted(workspace, contact) -> None:
    item = EventInput(
        type="bike.fit_booked",
        occurred_at=AT,
        source="api",
        contact=ContactRef(id=contact.pk),
        data={"fitter": "Sam"},
    )
    assert event_record(workspace=workspace, item=item).type == "bike.fit_booked"


def test_a_batch_reports_each_item_and_keeps_the_good_ones(workspace, contact) -> None:
    results = event_record_batch(
        workspace=workspace,
        items=[
            purchase(ContactRef(id=contact.pk), external_id="a"),
            purchase(ContactRef(id=contact.pk), external_id="b", amount="?"),
            purchase(ContactRef(id=contact.pk + 999), external_id="c"),
            purchase(ContactRef(id=contact.pk), external_id="a"),
        ],
    )
    assert results[0].event is not None and results[3].event == results[0].event
    assert results[1].errors is not None and "data.amount" in results[1].errors
    assert results[2].not_found
    assert Event.objects.count() == 1
