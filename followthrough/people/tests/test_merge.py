"""contact_merge: two records of one person become one, and nothing of either is lost."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from followthrough.activity.models import FollowUp, Interaction, Status
from followthrough.activity.services import followup_create, interaction_log
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.insight.services import tier_pin_set
from followthrough.people.merge import MERGE_EVENT, _reverse_keys, contact_merge
from followthrough.people.models import Contact, ImportantDate
from followthrough.people.services import organization_create
from followthrough.playbooks.models import Playbook, PlaybookRun


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(make_contact, workspace, alice):
    acme = organization_create(workspace=workspace, fields={"name": "Acme Cycles"})
    keep = make_contact(
        "John",
        "Smith",
        email="john@acme.test",
        phone="+1 415 555 0101",
        tags=("road",),
        organization=acme,
        notes="Likes gravel.",
        stage="client",
    )
    other = make_contact(
        "Jon",
        "Smith",
        email="jon.smith@home.test",
        phone="+1 415 555 0102",
        tags=("coffee", "road"),
        notes="Two kids.",
        title="Engineer",
    )
    ImportantDate.objects.create(contact=other, kind="birthday", month=5, day=12)
    for contact, count in ((keep, 2), (other, 3)):
        for i in range(count):
            interaction_log(
                contact=contact,
                by=alice,
                channel="call",
                summary=f"Call {i}",
                occurred_at=NOW - timedelta(days=10 + i),
            )
    followup_create(contact=keep, by=alice, purpose="Thank-you note")
    followup_create(contact=other, by=alice, purpose="Thank-you note")
    followup_create(contact=other, by=alice, purpose="Ask about the service visit")
    event = event_record(
        workspace=workspace,
        item=EventInput(
            type="purchase.made",
            occurred_at=NOW - timedelta(days=3),
            source="shop",
            external_id="order-1",
            contact=ContactRef(id=other.pk),
            data={"amount": "120"},
        ),
    )
    playbook = Playbook.objects.filter(workspace=workspace).first()
    PlaybookRun.objects.create(
        workspace=workspace,
        playbook=playbook,
        contact=other,
        event=event,
        stage_at_start="lead",
        started_at=NOW,
    )
    make_contact("Referred", "Friend", referred_by=other)
    tier_pin_set(contact=other, tier="gold", by=alice)
    return keep, other


def test_it_keeps_every_row_of_both_records(pair, alice) -> None:
    keep, other = pair
    before = {
        key: key.model._base_manager.filter(**{key.name: keep}).count()
        + key.model._base_manager.filter(**{key.name: other}).count()
        for key in _reverse_keys()
    }

    contact_merge(keep=keep, other=other, choices={}, by=alice)

    assert not Contact.objects.filter(pk=other.pk).exists()
    for key in _reverse_keys():
        after = key.model._base_manager.filter(**{key.name: keep}).count()
        expected = before[key]
        if key.model is Event:
            expected += 1  # the merge itself, on the timeline
        if key.model is Contact.tags.through:
            expected -= 1  # "road" was on both: one link
        assert after == expected, key.model._meta.label


def test_it_unions_emails_phones_tags_dates_and_notes(pair, alice) -> None:
    keep, other = pair
    contact_merge(keep=keep, other=other, choices={}, by=alice)
    keep.refresh_from_db()

    assert [e.email for e in keep.emails.all()] == ["john@acme.test", "jon.smith@home.test"]
    assert [e.is_primary for e in keep.emails.all()] == [True, False]
    assert {p.number for p in keep.phones.all()} == {"+14155550101", "+14155550102"}
    assert sorted(t.name for t in keep.tags.all()) == ["coffee", "road"]
    assert [(d.month, d.day) for d in keep.dates.all()] == [(5, 12)]
    assert "Likes gravel." in keep.notes and "Two kids." in keep.notes
    assert "jon.smith@home.test" in keep.search_text
    assert Contact.objects.get(first_name="Referred").referred_by_id == keep.pk
    assert keep.tier_pin.tier == "gold"


def test_it_takes_the_chosen_fields_from_the_other_record(pair, alice) -> None:
    keep, other = pair
    contact_merge(
        keep=keep,
        other=other,
        choices={"name": "other", "title": "other", "stage": "keep"},
        by=alice,
    )
    keep.refresh_from_db()
    assert (keep.first_name, keep.title, keep.stage) == ("Jon", "Engineer", "client")
    assert keep.organization.name == "Acme Cycles"


def test_it_skips_a_clashing_open_followup_with_a_reason(pair, alice) -> None:
    keep, other = pair
    report = contact_merge(keep=keep, other=other, choices={}, by=alice)

    notes = FollowUp.objects.filter(contact=keep, purpose="Thank-you note")
    assert sorted(notes.values_list("status", flat=True)) == [Status.OPEN, Status.SKIPPED]
    skipped = notes.get(status=Status.SKIPPED)
    assert "already had this follow-up open" in skipped.skip_reason
    assert report.skipped_followups == 1
    assert keep.followups.filter(purpose="Ask about the service visit", status="open").exists()


def test_it_records_the_merge_on_the_timeline_without_starting_playbooks(pair, alice) -> None:
    keep, other = pair
    contact_merge(keep=keep, other=other, choices={}, by=alice)

    merged = Event.objects.get(contact=keep, type=MERGE_EVENT)
    assert merged.data["merged_name"] == "Jon Smith"
    assert merged.data["moved"]["activity.Interaction"] == 3
    assert merged.processed_at is not None
    assert Interaction.objects.filter(contact=keep).count() == 5


def test_it_refuses_a_contact_of_another_workspace(
    pair, alice, charlie, make_contact, other_workspace
) -> None:
    keep, _ = pair
    outsider = make_contact("Jon", "Smith", ws=other_workspace)
    with pytest.raises(ValidationError):
        contact_merge(keep=keep, other=outsider, choices={}, by=alice)
    with pytest.raises(ValidationError):
        contact_merge(keep=keep, other=keep, choices={}, by=alice)
    assert Contact.objects.filter(pk=outsider.pk).exists()


def test_it_names_a_bad_choice(pair, alice) -> None:
    keep, other = pair
    with pytest.raises(ValidationError) as error:
        contact_merge(keep=keep, other=other, choices={"name": "both"}, by=alice)
    assert "name" in error.value.message_dict
    assert Contact.objects.filter(pk=other.pk).exists()
