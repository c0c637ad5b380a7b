from datetime import timedelta

from followthrough.conftest import NOW
from followthrough.core.facts import purchase_missed
from followthrough.insight.selectors import MissedPurchase, missed_purchase_candidates
from followthrough.insight.services import rhythm_refresh
from followthrough.insight.tests.conftest import TODAY, people
from followthrough.people.models import Contact


def test_without_a_model_it_is_the_simple_rule(workspace, buy) -> None:
    dana, eli, fay, gus = people(workspace, 4)
    buy(dana, 130, 100, 70)  # every 30 days, 70 days since: missed
    buy(eli, 200, 100)  # two purchases are not a rhythm for the simple rule
    buy(fay, 90, 60, 30)  # on time
    buy(gus, 130, 100, 70)
    Contact.objects.filter(pk=gus).update(stage="former")

    before_any_fit = missed_purchase_candidates(workspace=workspace, now=NOW)
    rhythm_refresh(workspace=workspace, now=NOW)  # too few customers: no model
    after_failed_fit = missed_purchase_candidates(workspace=workspace, now=NOW)

    expected = [MissedPurchase(dana, 30.0, 70, None, "simple_rule")]
    assert before_any_fit == after_failed_fit == expected
    days = [TODAY - timedelta(days=d) for d in (130, 100, 70)]
    assert purchase_missed(days, today=TODAY) == (30.0, 70)
    contact_id, typical_days, days_since, p_alive, reason = expected[0]  # a plain tuple too
    assert TODAY - timedelta(days=days_since) == days[-1]


def test_with_a_model_it_uses_their_own_rhythm_and_p_alive(workspace, fitted) -> None:
    found = {m.contact_id: m for m in missed_purchase_candidates(workspace=workspace, now=NOW)}

    regular = found[fitted["regular"]]
    assert (regular.typical_days, regular.days_since, regular.reason) == (30, 80, "rhythm")
    assert 0 < regular.p_alive < 1
    fading = found[fitted["fading"]]
    assert (fading.typical_days, fading.days_since, fading.reason) == (20, 180, "model")
    assert 0.05 < fading.p_alive < 0.5
    assert fitted["young_pair"] not in found  # one short gap, probably still active
    assert fitted["gone"] not in found  # silent for over a year: lost, not late
    assert fitted["former"] not in found


def test_customers_lost_long_ago_are_not_missed_purchases(workspace, buy) -> None:
    dana, eli = people(workspace, 2)
    buy(dana, 400, 370, 340, 100)  # usually monthly; 100 days is 3.3 times that: late
    buy(eli, 190, 160, 130)  # monthly, 130 days: more than 4 times their gap, lost
    found = missed_purchase_candidates(workspace=workspace, now=NOW)
    assert found == [MissedPurchase(dana, 30.0, 100, None, "simple_rule")]


def test_p_alive_is_as_of_now_not_as_of_last_night(workspace, fitted) -> None:
    tonight = missed_purchase_candidates(workspace=workspace, now=NOW)
    later = missed_purchase_candidates(workspace=workspace, now=NOW + timedelta(days=60))
    regular = fitted["regular"]
    p_now = next(m.p_alive for m in tonight if m.contact_id == regular)
    p_later = next(m.p_alive for m in later if m.contact_id == regular)
    assert p_later < p_now
    assert next(m.days_since for m in later if m.contact_id == regular) == 140


def test_a_purchase_since_the_scores_were_computed_is_seen(workspace, fitted, buy) -> None:
    buy(fitted["came_back"], -1)  # tomorrow, after last night's scores
    found = missed_purchase_candidates(workspace=workspace, now=NOW + timedelta(days=2))
    assert fitted["came_back"] not in {m.contact_id for m in found}
    assert fitted["regular"] in {m.contact_id for m in found}
