"""Table tests for playbook conditions, step dates, merge fields and validation."""

from datetime import date

import pytest

from followthrough.core.playbooks import (
    ContactView,
    PlaybookError,
    Step,
    add_business_days,
    matches,
    parse_steps,
    render,
    step_due,
    validate_conditions,
    validate_stop_conditions,
)

GOLD_CLIENT = ContactView(stage="client", tier="gold", tags=frozenset({"racing", "gravel"}))


@pytest.mark.parametrize(
    ("conditions", "facts", "data", "expected"),
    [
        ({}, {}, {}, True),
        ({"stage": ["client"], "tier": ["gold", "silver"]}, {}, {}, True),
        ({"stage": ["lead"]}, {}, {}, False),
        ({"tags_any": ["racing", "touring"]}, {}, {}, True),
        ({"tags_any": ["touring"]}, {}, {}, False),
        ({"tags_none": ["gravel"]}, {}, {}, False),
        (
            {"facts": [{"fact": "purchase_number", "op": "==", "value": 1}]},
            {"purchase_number": 1},
            {},
            True,
        ),
        ({"facts": [{"fact": "days_late", "op": ">", "value": 0}]}, {"days_late": 10}, {}, True),
        # An unknown fact (None) never satisfies a comparison…
        ({"facts": [{"fact": "days_late", "op": ">", "value": 0}]}, {"days_late": None}, {}, False),
        # … and text compared with a number does not hold rather than crash.
        ({"data": [{"field": "amount", "op": ">", "value": 100}]}, {}, {"amount": "lots"}, False),
        (
            {"data": [{"field": "kind", "op": "in", "value": ["birthday"]}]},
            {},
            {"kind": "birthday"},
            True,
        ),
    ],
)
def test_it_evaluates_conditions(conditions, facts, data, expected) -> None:
    assert matches(conditions, contact=GOLD_CLIENT, facts=facts, data=data) is expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23)),  # Monday: the same day
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # Saturday: Monday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1: Monday
        (date(2026, 11, 23), 5, date(2026, 12, 1)),  # a week, plus the holiday
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # Thanksgiving (a holiday) is skipped
    ],
)
def test_it_counts_business_days(start, count, expected) -> None:
    assert add_business_days(start, count, holidays={date(2026, 11, 26)}) == expected


def test_a_step_can_be_anchored_on_a_date_in_the_event() -> None:
    step = Step(purpose="Revisit", offset=-7, anchor="data.revisit_on")
    due = step_due(step, event_day=date(2026, 11, 23), data={"revisit_on": "2027-03-15"})
    assert due == date(2027, 3, 8)
    assert step_due(step, event_day=date(2026, 11, 23), data={}) is None


def test_merge_fields_reach_only_what_they_are_given() -> None:
    values = {"first_name": "Dana", "data.item": "Trek FX 3"}
    assert render("Thank {{ first_name }} for the {{data.item}}", values) == (
        "Thank Dana for the Trek FX 3"
    )
    assert render("Hi {{ first_name.__class__ }}{{ secret }}!", values) == "Hi !"


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        ([], "steps"),
        ([{"offset": 3}], "steps.0.purpose"),
        ([{"purpose": "x", "offset": "soon"}], "steps.0.offset"),
        ([{"purpose": "x", "channel": "pigeon"}], "steps.0.channel"),
        ([{"purpose": "x", "unit": "weeks"}], "steps.0.unit"),
        ([{"purpose": "x"}, {"purpose": "Hi {{ password }}"}], "steps.1.purpose"),
        ([{"purpose": "x", "assignee": "boss"}], "steps.0.assignee"),
        ([{"purpose": "x", "colour": "red"}], "steps.0.colour"),
    ],
)
def test_bad_steps_are_named_by_path(steps, path) -> None:
    with pytest.raises(PlaybookError) as error:
        parse_steps(steps)
    assert path in error.value.errors


def test_good_steps_parse() -> None:
    (step,) = parse_steps([{"purpose": "Call {{ first_name }}", "offset": 14, "channel": "call"}])
    assert step == Step(purpose="Call {{ first_name }}", offset=14, channel="call")


@pytest.mark.parametrize(
    ("conditions", "path"),
    [
        ({"stage": "client"}, "conditions.stage"),
        ({"colour": ["red"]}, "conditions.colour"),
        ({"facts": [{"fact": "mood", "op": "==", "value": 1}]}, "conditions.facts.0.fact"),
        ({"facts": [{"fact": "days_late", "op": "~", "value": 1}]}, "conditions.facts.0.op"),
    ],
)
def test_bad_conditions_are_named_by_path(conditions, path) -> None:
    with pytest.raises(PlaybookError) as error:
        validate_conditions(conditions)
    assert path in error.value.errors


def test_stop_conditions_are_from_the_list() -> None:
    assert validate_stop_conditions(["bought", "replied"]) == ["bought", "replied"]
    with pytest.raises(PlaybookError):
        validate_stop_conditions(["bored"])
