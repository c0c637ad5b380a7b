"""A synthetic experiment with a known effect: runs of one playbook, some held out, and
repurchases drawn with known rates."""

import re
from datetime import timedelta

import numpy as np
import pytest

from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.lift import lift_report
from followthrough.insight.stats import sample_size_per_group
from followthrough.insight.tests.conftest import people, purchase
from followthrough.playbooks.models import Playbook, PlaybookRun


@pytest.fixture
def playbook(workspace) -> Playbook:
    return Playbook.objects.create(
        workspace=workspace,
        key="lift-test",
        name="Lift test",
        trigger="purchase.made",
        steps=[],
        holdout_percent=30,
    )


def experiment(
    workspace,
    playbook,
    *,
    treated: int,
    held_out: int,
    rates: tuple[float, float],
    seed: int,
    started_days_ago: int = 90,
) -> None:
    """Each person bought (the trigger), was enrolled, and bought again within 60 days with
    probability rates[0] if followed up, rates[1] if held out; some buy only after 60 days."""
    rng = np.random.default_rng(seed)
    ids = people(workspace, treated + held_out)
    day = (NOW - timedelta(days=started_days_ago)).date()
    triggers = [purchase(workspace, cid, day) for cid in ids]
    Event.objects.bulk_create(triggers)
    triggers = list(Event.objects.filter(contact_id__in=ids).order_by("contact_id"))
    runs, later = [], []
    for i, event in enumerate(triggers):
        held = i >= treated
        runs.append(
            PlaybookRun(
                workspace=workspace,
                playbook=playbook,
                contact_id=event.contact_id,
                event=event,
                stage_at_start="client",
                started_at=event.occurred_at,
                held_out=held,
            )
        )
        if rng.random() < rates[held]:
            later.append(
                purchase(
                    workspace, event.contact_id, day + timedelta(days=int(rng.integers(1, 61)))
                )
            )
        elif rng.random() < 0.3:
            later.append(purchase(workspace, event.contact_id, day + timedelta(days=75)))
    PlaybookRun.objects.bulk_create(runs)
    Event.objects.bulk_create(later)


def test_it_finds_a_known_lift_and_its_interval_covers_the_truth(workspace, playbook) -> None:
    experiment(workspace, playbook, treated=900, held_out=400, rates=(0.30, 0.18), seed=1)
    experiment(
        workspace, playbook, treated=50, held_out=20, rates=(1.0, 1.0), seed=2, started_days_ago=20
    )  # too recent: their 60 days are not over

    report = lift_report(workspace=workspace, playbook=playbook, window_days=60, now=NOW)

    assert (report.treated, report.held_out) == (900, 400)
    assert report.treated_rate == pytest.approx(0.30, abs=0.04)
    assert report.held_out_rate == pytest.approx(0.18, abs=0.05)
    assert report.ci_low < 0.12 < report.ci_high and report.ci_low > 0
    match = re.fullmatch(
        r"Following up raised repurchase from (\d+)% to (\d+)% \(\+(\d+) points, "
        r"95% CI \+(\d+) to \+(\d+)\)",
        report.verdict,
    )
    assert match, report.verdict
    assert int(match[1]) == round(100 * report.held_out_rate)
    assert int(match[3]) == round(100 * report.difference)


def test_a_null_experiment_shows_no_clear_effect(workspace, playbook) -> None:
    experiment(workspace, playbook, treated=900, held_out=400, rates=(0.2, 0.2), seed=7)
    report = lift_report(workspace=workspace, playbook=playbook, window_days=60, now=NOW)
    assert report.ci_low < 0 < report.ci_high
    assert report.verdict.startswith("No clear effect: ")


def test_too_few_held_out_says_how_many_are_needed(workspace, playbook) -> None:
    experiment(workspace, playbook, treated=100, held_out=12, rates=(0.3, 0.25), seed=4)
    report = lift_report(workspace=workspace, playbook=playbook, window_days=60, now=NOW)
    needed = sample_size_per_group(report.held_out_rate)
    assert report.verdict == f"Not enough held-out customers yet (12; need ~{needed})"
    assert 100 < needed < 1000


def test_a_playbook_without_a_hold_out_says_so(workspace, playbook) -> None:
    Playbook.objects.filter(pk=playbook.pk).update(holdout_percent=0)
    playbook.refresh_from_db()
    experiment(workspace, playbook, treated=40, held_out=0, rates=(0.3, 0.0), seed=5)
    report = lift_report(workspace=workspace, playbook=playbook, window_days=60, now=NOW)
    assert report.verdict == "This playbook holds nobody out: set a hold-out share to measure it."
    assert report.difference is None and report.treated == 40


@pytest.mark.parametrize(
    ("value", "text"), [(0.09, "+9"), (-0.04, "−4"), (-0.0027, "−0.3"), (0.0, "0"), (0.00001, "0")]
)
def test_points_never_hide_a_sign(value, text) -> None:
    from followthrough.insight.lift import _points

    assert _points(value) == text
