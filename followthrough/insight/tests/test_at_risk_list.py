import re
from datetime import timedelta

import pytest

from followthrough.activity.models import Origin
from followthrough.activity.services import followup_create
from followthrough.conftest import NOW
from followthrough.insight.selectors import at_risk_list, at_risk_sentence
from followthrough.insight.services import rhythm_refresh
from followthrough.insight.tests.conftest import people
from followthrough.people.models import Contact


def test_with_the_model_it_says_how_likely_they_are_still_active(workspace, fitted) -> None:
    found = {r.contact_id: r for r in at_risk_list(workspace=workspace, now=NOW, limit=500)}

    regular = found[fitted["regular"]]
    match = re.fullmatch(
        r"usually buys every 30 days; 80 days since the last purchase; (\d+)% chance still "
        r"active",
        regular.sentence,
    )
    assert match and int(match[1]) == round(regular.p_alive * 100)
    pair = found[fitted["young_pair"]]
    assert pair.sentence.startswith("bought twice, 20 days apart; 40 days since the last purchase")
    assert fitted["gone"] not in found  # silent for over a year: lost, not drifting
    assert fitted["former"] not in found
    assert regular.value_at_risk == pytest.approx(regular.yearly_value * (1 - regular.p_alive))


def test_it_is_ordered_by_value_at_risk(workspace, synthetic, buy) -> None:
    small, big, on_time = people(workspace, 3)
    buy(small, 200, 170, 140, 110, 80, amount=20)
    buy(big, 200, 170, 140, 110, 80, amount=400)
    buy(on_time, 90, 60, 30, 10, amount=1000)
    rhythm_refresh(workspace=workspace, now=NOW)

    ranked = [r.contact_id for r in at_risk_list(workspace=workspace, now=NOW, limit=1000)]

    assert ranked.index(big) < ranked.index(small)
    assert on_time not in ranked
    values = [r.value_at_risk for r in at_risk_list(workspace=workspace, now=NOW, limit=1000)]
    assert values == sorted(values, reverse=True)
    assert len(at_risk_list(workspace=workspace, now=NOW, limit=3)) == 3


def test_without_the_model_it_uses_their_own_rhythm(workspace, buy) -> None:
    dana, eli = people(workspace, 2)
    buy(dana, 130, 100, 70, amount=100)
    buy(eli, 30, 25, 20, amount=10)  # 4 times their gap: late, not yet lost
    (fay,) = people(workspace, 1)
    buy(fay, 50, 45, 40, amount=10)  # 8 times their gap: lost
    rhythm_refresh(workspace=workspace, now=NOW)

    (first, second) = at_risk_list(workspace=workspace, now=NOW)

    assert first.contact_id == dana and first.p_alive is None
    assert first.sentence == (
        "usually buys every 30 days; 70 days since the last purchase; 2.3 times their usual gap"
    )
    assert first.yearly_value == 300 and first.value_at_risk == pytest.approx(300 * (1 - 30 / 70))
    assert second.contact_id == eli and second.value_at_risk == pytest.approx(30 * 0.75)


def test_the_one_click_follow_up_carries_the_reason(workspace, buy, alice) -> None:
    (dana,) = people(workspace, 1)
    buy(dana, 130, 100, 70)
    rhythm_refresh(workspace=workspace, now=NOW)
    (item,) = at_risk_list(workspace=workspace, now=NOW)

    followup = followup_create(
        contact=Contact.objects.get(pk=dana),
        by=alice,
        purpose=item.purpose,
        origin=Origin.RHYTHM,
        now=NOW,
    )

    assert followup.purpose == (
        "Check in with Customer 0: usually buys every 30 days; 70 days "
        "since the last purchase; 2.3 times their usual gap"
    )


def test_it_is_empty_before_the_first_refresh(workspace, buy) -> None:
    (dana,) = people(workspace, 1)
    buy(dana, 130, 100, 70)
    assert at_risk_list(workspace=workspace, now=NOW) == []


@pytest.mark.parametrize(
    ("p_alive", "ending"),
    [
        (0.344, "34% chance still active"),
        (0.004, "less than 1% chance still active"),
        (1.0, "100% chance still active"),
    ],
)
def test_the_sentence_rounds_the_chance(p_alive, ending) -> None:
    sentence = at_risk_sentence(purchase_days=8, typical_days=31, days_since=58, p_alive=p_alive)
    assert sentence == f"usually buys every 31 days; 58 days since the last purchase; {ending}"


def test_other_workspaces_customers_never_show(workspace, other_workspace, buy) -> None:
    from followthrough.events.models import Event
    from followthrough.insight.selectors import missed_purchase_candidates
    from followthrough.insight.tests.conftest import TODAY, purchase

    (theirs,) = people(other_workspace, 1)
    Event.objects.bulk_create(
        purchase(other_workspace, theirs, TODAY.replace(day=d), 50) for d in (1, 8, 15)
    )
    rhythm_refresh(workspace=workspace, now=NOW)
    assert at_risk_list(workspace=workspace, now=NOW) == []
    assert missed_purchase_candidates(workspace=workspace, now=NOW) == []
    rhythm_refresh(workspace=other_workspace, now=NOW + timedelta(days=14))
    assert [
        r.contact_id for r in at_risk_list(workspace=other_workspace, now=NOW + timedelta(days=14))
    ] == [theirs]


def test_someone_who_bought_since_last_night_is_not_at_risk(workspace, buy) -> None:
    dana, eli = people(workspace, 2)
    buy(dana, 130, 100, 70)
    buy(eli, 130, 100, 70)
    rhythm_refresh(workspace=workspace, now=NOW)
    buy(dana, 0)  # today at noon
    tonight = NOW + timedelta(hours=8)
    assert [r.contact_id for r in at_risk_list(workspace=workspace, now=tonight)] == [eli]
