"""contact_merge_candidates and the name rules behind it (core.duplicates)."""

import pytest

from followthrough.core.duplicates import name_key, names_alike
from followthrough.people.selectors import contact_merge_candidates
from followthrough.people.services import organization_create


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        (("Jon", "Smith"), ("John", "Smith"), True),
        (("Smith, John", ""), ("John", "Smith"), True),
        (("JOHN", "smith "), ("John", "Smith"), True),
        (("Zoë", "Müller"), ("Zoe", "Muller"), True),
        (("Ann", "Lee"), ("Dan", "Lee"), False),
        (("John", "Smith"), ("Jane", "Smith"), False),
        (("", ""), ("", ""), False),
    ],
)
def test_it_tells_alike_names(a, b, alike) -> None:
    assert names_alike(name_key(*a), name_key(*b)) is alike


def _pairs(workspace):
    return {
        (c.first.name, c.second.name): c.reasons
        for c in contact_merge_candidates(workspace=workspace)
    }


def test_it_pairs_same_email_same_phone_and_alike_names_in_one_org(make_contact, workspace) -> None:
    acme = organization_create(workspace=workspace, fields={"name": "Acme"})
    other_org = organization_create(workspace=workspace, fields={"name": "Other"})
    make_contact("John", "Smith", organization=acme)
    make_contact("Jon", "Smith", organization=acme)
    make_contact("Johnny", "Smith", organization=other_org)
    make_contact("Ann", "Lee", organization=acme)
    make_contact("Dan", "Lee", organization=acme)
    make_contact("Erin", "Climb", email="erin@hills.test")
    make_contact("E.", "Climb", email="ERIN@hills.test")
    make_contact("Frank", "Flat", phone="+1 212 555 0142")
    make_contact("Francis", "Flat", phone="(212) 555-0142")

    pairs = _pairs(workspace)

    assert pairs[("John Smith", "Jon Smith")] == ["Similar names in the same organization"]
    assert pairs[("Erin Climb", "E. Climb")] == ["Same email erin@hills.test"]
    assert pairs[("Frank Flat", "Francis Flat")] == ["Same phone +12125550142"]
    assert len(pairs) == 3


def test_it_leaves_out_other_workspaces(make_contact, workspace, other_workspace) -> None:
    make_contact("Erin", "Climb", email="erin@hills.test")
    make_contact("Erin", "Climb", email="erin@hills.test", ws=other_workspace)
    assert _pairs(workspace) == {}
