import math
from datetime import timedelta

import numpy as np
import pytest

from followthrough.conftest import NOW
from followthrough.core.rhythm import customer_rhythm, fit_bgnbd
from followthrough.insight.models import CustomerScore, RhythmFit
from followthrough.insight.services import rhythm_refresh
from followthrough.insight.tests.conftest import TODAY, TRUE_MODEL, people


def test_it_recovers_the_model_behind_300_synthetic_customers(workspace, synthetic) -> None:
    x, t_x, age, ids = synthetic

    fit = rhythm_refresh(workspace=workspace, now=NOW)

    assert fit.fitted and fit.reason == "" and fit.customers == 300
    # The purchase events turn back into exactly the (x, t_x, T) they were drawn as.
    direct = fit_bgnbd(x, t_x, age)
    assert (fit.r, fit.alpha, fit.a, fit.b) == pytest.approx(
        (direct.r, direct.alpha, direct.a, direct.b), rel=1e-6
    )
    r, alpha, a, b = TRUE_MODEL
    assert fit.r == pytest.approx(r, rel=0.3)
    assert fit.alpha == pytest.approx(alpha, rel=0.35)
    assert fit.a / (fit.a + fit.b) == pytest.approx(a / (a + b), abs=0.1)  # mean drop-out
    assert fit.spend_reason == "" and fit.spend_p is not None


def test_every_customer_gets_a_sensible_score(workspace, synthetic) -> None:
    x, t_x, age, ids = synthetic
    rhythm_refresh(workspace=workspace, now=NOW)

    scores = {s.contact_id: s for s in CustomerScore.objects.filter(workspace=workspace)}
    assert len(scores) == 300 and {s.model_used for s in scores.values()} == {"bgnbd"}
    alive = {cid: scores[cid].p_alive for cid in ids}
    silent = age - t_x
    one_purchase = [cid for cid, xi in zip(ids, x, strict=True) if xi == 0]
    recent = [cid for cid, xi, s in zip(ids, x, silent, strict=True) if xi > 0 and s < 30]
    gone = [cid for cid, xi, s in zip(ids, x, silent, strict=True) if xi > 0 and s > 300]
    assert all(alive[cid] == 1.0 for cid in one_purchase)  # BG/NBD: nobody drops out unseen
    assert np.mean([alive[c] for c in recent]) > 0.8 > 0.4 > np.mean([alive[c] for c in gone])
    for score in scores.values():
        assert 0 <= score.p_alive <= 1
        assert 0 <= score.expected_30 <= score.expected_365
        assert score.predicted_value >= 0
    # A customer who is likely still active and buys often is worth more than one who is gone.
    best = max(scores.values(), key=lambda s: s.predicted_value)
    assert best.p_alive > 0.5 and best.purchase_days >= 3


def test_the_score_holds_the_customers_own_rhythm_in_local_days(workspace, buy) -> None:
    (dana,) = people(workspace, 1)
    buy(dana, 100, 70, 70, 40, 10, amount="20.50")

    rhythm_refresh(workspace=workspace, now=NOW)

    score = CustomerScore.objects.get(contact_id=dana)
    days = [TODAY - timedelta(days=d) for d in (100, 70, 70, 40, 10)]
    own = customer_rhythm(days, today=TODAY)
    assert score.typical_interval_days == own.typical_interval_days == 30
    assert (score.purchases, score.purchase_days) == (5, 4)
    assert score.first_purchase_on == days[0] and score.last_purchase_on == days[-1]
    assert (score.frequency, score.recency_days) == (3, 90)
    assert score.lifetime_spend == pytest.approx(102.5)
    assert score.mean_repeat_spend == pytest.approx((41 + 20.5 + 20.5) / 3)
    assert score.model_used == "fallback" and score.p_alive is None


def test_too_few_customers_is_a_reason_not_a_crash(workspace, buy) -> None:
    dana, eli = people(workspace, 2)
    buy(dana, 300, 200, 100, amount=40)
    buy(eli, 20, amount=15)

    fit = rhythm_refresh(workspace=workspace, now=NOW)

    assert not fit.fitted and fit.model_used == "fallback"
    assert "needs at least 20 customers" in fit.reason and "got 2" in fit.reason
    assert RhythmFit.objects.filter(workspace=workspace).count() == 1
    scores = {s.contact_id: s for s in CustomerScore.objects.all()}
    # Without the model, next year's value is last year's spend.
    assert scores[dana].predicted_value == 120 and scores[eli].predicted_value == 15
    assert scores[dana].expected_365 is None and scores[dana].model_used == "fallback"


def test_an_empty_workspace_refreshes_to_nothing(workspace) -> None:
    fit = rhythm_refresh(workspace=workspace, now=NOW)
    assert fit.customers == 0 and not fit.fitted and CustomerScore.objects.count() == 0


def test_extreme_customers_never_store_nan(workspace, synthetic, buy) -> None:
    daily, ancient, today_only, big = people(workspace, 4, stage="client")
    buy(daily, *range(3000, -1, -1), amount="1e9")
    buy(ancient, 40 * 365, 40 * 365 - 1)
    buy(today_only, 0, amount=0)
    buy(big, 500, 400, amount="123456789012")
    buy(big, 399, amount=None)

    rhythm_refresh(workspace=workspace, now=NOW)

    for score in CustomerScore.objects.filter(contact_id__in=[daily, ancient, today_only, big]):
        for name in (
            "p_alive",
            "expected_30",
            "expected_365",
            "predicted_value",
            "lifetime_spend",
            "spend_12m",
        ):
            value = getattr(score, name)
            assert value is not None and math.isfinite(value), (score.contact_id, name, value)
        assert 0 <= score.p_alive <= 1


def test_purchases_after_now_are_not_counted_and_a_rerun_replaces_scores(workspace, buy) -> None:
    (dana,) = people(workspace, 1)
    buy(dana, 30, 10, -5)
    rhythm_refresh(workspace=workspace, now=NOW)
    rhythm_refresh(workspace=workspace, now=NOW)
    score = CustomerScore.objects.get(contact_id=dana)
    assert score.purchases == 2 and CustomerScore.objects.count() == 1


def test_a_late_evening_purchase_counts_on_its_local_day(workspace) -> None:
    from datetime import UTC, datetime

    from followthrough.events.models import Event

    (dana,) = people(workspace, 1)
    # 23:30 on 20 November in New York is 04:30 on the 21st in UTC.
    Event.objects.create(
        workspace=workspace,
        contact_id=dana,
        type="purchase.made",
        source="t",
        occurred_at=datetime(2026, 11, 21, 4, 30, tzinfo=UTC),
        data={"amount": 12.5},
    )
    rhythm_refresh(workspace=workspace, now=NOW)
    score = CustomerScore.objects.get(contact_id=dana)
    assert score.last_purchase_on.isoformat() == "2026-11-20" and score.lifetime_spend == 12.5
