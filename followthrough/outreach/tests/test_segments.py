"""Segments: each saved filter selects the right contacts, in one query, and bad filters are
named by field."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from followthrough.conftest import NOW
from followthrough.insight.models import CustomerScore
from followthrough.outreach.segments import segment_contacts, segment_filters_clean
from followthrough.outreach.services import segment_create
from followthrough.people.models import Contact


@pytest.fixture
def book(make_contact, alice, bob):
    Contact.objects.all().delete()
    people = {
        "gold_road": make_contact(
            "Gia", "Gold", stage="client", tier="gold", tags=("road cycling",)
        ),
        "silver_mtb": make_contact(
            "Sam", "Silver", stage="client", tier="silver", tags=("mountain biking",), owner=bob
        ),
        "lead": make_contact("Lee", "Lead", stage="lead"),
    }
    Contact.objects.filter(pk=people["gold_road"].pk).update(
        last_touched_at=NOW - timedelta(days=100)
    )
    Contact.objects.filter(pk=people["silver_mtb"].pk).update(
        last_touched_at=NOW - timedelta(days=5)
    )
    for key, alive in (("gold_road", 0.9), ("silver_mtb", 0.2)):
        CustomerScore.objects.create(
            workspace=people[key].workspace,
            contact=people[key],
            computed_at=NOW,
            model_used="bgnbd",
            purchases=3,
            purchase_days=3,
            first_purchase_on=NOW.date(),
            last_purchase_on=NOW.date(),
            p_alive=alive,
        )
    return people


def names(workspace, filters) -> set[str]:
    clean, errors = segment_filters_clean(workspace=workspace, raw=filters)
    assert not errors
    return set(
        segment_contacts(workspace=workspace, filters=clean, now=NOW).values_list(
            "first_name", flat=True
        )
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"Gia", "Sam", "Lee"}),
        ({"stages": ["client"]}, {"Gia", "Sam"}),
        ({"tiers": ["gold"]}, {"Gia"}),
        ({"tags": ["road cycling", "gravel"]}, {"Gia"}),
        ({"touched_before_days": 30}, {"Gia", "Lee"}),  # never touched counts as "not lately"
        ({"touched_within_days": 30}, {"Sam"}),
        ({"alive_min": 0.5}, {"Gia"}),
        ({"alive_max": 0.5}, {"Sam"}),
        ({"stages": ["client"], "tags": ["mountain biking"]}, {"Sam"}),
    ],
)
def test_it_selects_the_contacts_the_filter_describes(workspace, book, filters, expected):
    assert names(workspace, filters) == expected


def test_it_filters_by_owner(workspace, book, bob):
    assert names(workspace, {"owners": [bob.pk]}) == {"Sam"}


def test_it_never_selects_another_workspaces_contacts(
    workspace, book, other_workspace, make_contact
):
    make_contact("Olly", "Other", stage="client", ws=other_workspace)
    assert "Olly" not in names(workspace, {"stages": ["client"]})


def test_it_names_bad_filters_by_field(workspace, charlie):
    with pytest.raises(ValidationError) as caught:
        segment_create(
            workspace=workspace,
            name="Bad",
            filters={
                "stages": ["vip"],
                "alive_min": "2",
                "owners": [charlie.pk],
                "touched_before_days": "soon",
            },
        )
    assert set(caught.value.message_dict) == {
        "stages",
        "alive_min",
        "owners",
        "touched_before_days",
    }
