import pytest
from django.core.exceptions import ValidationError

from followthrough.people.models import Contact, ContactPhone
from followthrough.people.services import DateInput, PhoneInput, contact_create


def test_it_creates_a_contact_with_details(workspace, alice) -> None:
    contact = contact_create(
        workspace=workspace,
        by=alice,
        fields={
            "first_name": "Dana",
            "last_name": "Rider",
            "stage": "client",
            "tier": "gold",
            "pref_phone": "refused",
            "best_days": [1, 3],
        },
        emails=["Dana@Example.com", "dana@example.com", "dana.work@example.org"],
        phones=[PhoneInput("(415) 555-0100", "mobile")],
        tags=["Road cycling", "gravel", "road cycling"],
        dates=[DateInput("birthday", 2, 29)],
    )
    assert contact.owner == alice
    assert [e.email for e in contact.emails.all()] == ["dana@example.com", "dana.work@example.org"]
    assert [(p.number, p.label) for p in contact.phones.all()] == [("+14155550100", "mobile")]
    assert sorted(t.name for t in contact.tags.all()) == ["gravel", "road cycling"]
    assert contact.dates.get().day == 29
    assert "dana.work@example.org" in contact.search_text
    assert "+14155550100" in contact.search_text


def test_it_rejects_a_bad_phone_naming_the_field_and_writes_nothing(workspace, alice) -> None:
    with pytest.raises(ValidationError) as error:
        contact_create(
            workspace=workspace,
            by=alice,
            fields={"first_name": "Eve"},
            phones=[PhoneInput("555-12")],
        )
    assert "phones" in error.value.message_dict
    assert "555-12" in error.value.message_dict["phones"][0]
    assert not Contact.objects.filter(first_name="Eve").exists()
    assert not ContactPhone.objects.exists()


def test_it_reads_local_numbers_in_the_workspace_region(other_workspace) -> None:
    contact = contact_create(
        workspace=other_workspace,
        by=None,
        fields={"first_name": "Gwen"},
        phones=[PhoneInput("020 7946 0018")],
    )
    assert contact.phones.get().number == "+442079460018"


@pytest.mark.parametrize(
    ("fields", "emails", "field"),
    [
        ({"first_name": ""}, [], "first_name"),
        ({"first_name": "Al", "stage": "hot"}, [], "stage"),
        ({"first_name": "Al", "timezone": "Mars/Olympus"}, [], "timezone"),
        ({"first_name": "Al", "best_days": [7]}, [], "best_days"),
        ({"first_name": "Al"}, ["not-an-email"], "emails"),
        ({"first_name": "Al", "favourite_colour": "red"}, [], "favourite_colour"),
    ],
)
def test_it_names_the_field_in_error(workspace, alice, fields, emails, field) -> None:
    with pytest.raises(ValidationError) as error:
        contact_create(workspace=workspace, by=alice, fields=fields, emails=emails)
    assert field in error.value.message_dict


def test_it_rejects_an_organization_of_another_workspace(workspace, alice, other_workspace):
    from followthrough.people.services import organization_create

    foreign = organization_create(workspace=other_workspace, fields={"name": "Riverside LLP"})
    with pytest.raises(ValidationError) as error:
        contact_create(
            workspace=workspace, by=alice, fields={"first_name": "Al", "organization": foreign}
        )
    assert "organization" in error.value.message_dict


def test_it_rejects_best_hours_that_end_before_they_start(workspace, alice) -> None:
    import datetime as dt

    with pytest.raises(ValidationError) as error:
        contact_create(
            workspace=workspace,
            by=alice,
            fields={
                "first_name": "Al",
                "best_hours_start": dt.time(17),
                "best_hours_end": dt.time(9),
            },
        )
    assert "best_hours_end" in error.value.message_dict
