from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from followthrough.activity.services import followup_create
from followthrough.conftest import NOW


def test_it_uses_the_contacts_preferred_channel_when_none_is_given(contact, alice) -> None:
    contact.pref_mail = "preferred"
    contact.save()
    followup = followup_create(contact=contact, by=alice, purpose="Thank-you note", now=NOW)
    assert followup.channel == "letter"


def test_it_tells_the_user_the_contact_refuses_the_channel(contact, alice) -> None:
    contact.pref_phone = "refused"
    contact.save()
    with pytest.raises(ValidationError) as error:
        followup_create(contact=contact, by=alice, purpose="Call", channel="call", now=NOW)
    assert "refuses phone" in error.value.message_dict["channel"][0]


def test_it_places_the_touch_in_the_contacts_hours_and_zone(contact, alice) -> None:
    contact.timezone = "Europe/London"
    contact.best_days = [5]  # Saturdays
    contact.save()
    followup = followup_create(
        contact=contact, by=alice, purpose="Ride invite", due=date(2026, 11, 24), now=NOW
    )
    assert followup.due_at == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_it_assigns_to_the_contacts_owner(contact, alice, bob) -> None:
    contact.owner = bob
    contact.save()
    assert followup_create(contact=contact, by=alice, purpose="x", now=NOW).assignee == bob


def test_it_requires_a_purpose(contact, alice) -> None:
    with pytest.raises(ValidationError) as error:
        followup_create(contact=contact, by=alice, purpose="  ", now=NOW)
    assert "purpose" in error.value.message_dict


def test_it_refuses_an_assignee_from_another_workspace(contact, alice, charlie) -> None:
    with pytest.raises(ValidationError) as error:
        followup_create(contact=contact, by=alice, purpose="x", assignee=charlie, now=NOW)
    assert "assignee" in error.value.message_dict
