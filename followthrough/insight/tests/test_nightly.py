from followthrough.conftest import NOW
from followthrough.insight.models import CustomerScore, RhythmFit
from followthrough.insight.tasks import insight_nightly
from followthrough.insight.tests.conftest import people
from followthrough.people.models import Contact


def test_every_night_each_workspace_gets_scores_then_tiers(workspace, other_workspace, buy) -> None:
    ours = people(workspace, 10)
    for i, cid in enumerate(ours):
        buy(cid, 40, 10, amount=10 * (i + 1))
    (theirs,) = people(other_workspace, 1)

    report = insight_nightly(now=NOW)

    assert (report.workspaces, report.customers, report.failed) == (2, 10, [])
    assert report.tier_changes == 10
    assert RhythmFit.objects.count() == 2 and CustomerScore.objects.count() == 10
    assert Contact.objects.get(pk=ours[-1]).tier == "gold"
    assert Contact.objects.get(pk=theirs).tier == ""


def test_the_periodic_task_is_scheduled_at_a_quarter_past_three() -> None:
    from datetime import datetime

    from followthrough.insight.tasks import insight_nightly_task

    validate = insight_nightly_task.task_class().validate_datetime
    assert validate(datetime(2026, 11, 24, 3, 15))  # noqa: DTZ001  huey compares naive UTC
    assert not validate(datetime(2026, 11, 24, 3, 16))  # noqa: DTZ001
