"""Predicted value is the published 12-month CLV, with a sane stand-in when spend can't be
modelled, and never NaN."""

import numpy as np
import pytest

from followthrough.core.rhythm import (
    BgNbdParams,
    GammaGammaParams,
    bgnbd_conditional_expected_purchases,
    customer_lifetime_value,
)
from followthrough.insight.purchases import purchase_histories
from followthrough.insight.scoring import (
    DAYS_PER_MONTH,
    MONTHLY_DISCOUNT_RATE,
    finite,
    predicted_value,
    score_customers,
)

MODEL = BgNbdParams(r=0.8, alpha=40.0, a=0.8, b=2.5, log_likelihood=0.0)
SPEND = GammaGammaParams(p=6.0, q=4.0, v=15.0, log_likelihood=0.0)
H = purchase_histories(
    [1, 1, 1, 2, 3, 3], [100, 130, 160, 50, 10, 300], [20, 30, 40, 10, 5, 0], today=365
)


def test_with_a_spend_model_it_is_the_12_month_clv_at_1_percent_a_month() -> None:
    value = predicted_value(H, MODEL, SPEND, today=365)
    mean = np.where(np.isnan(H.mean_repeat_spend), 0, H.mean_repeat_spend)
    mean[2] = SPEND.mean_spend  # customer 3 spent nothing on the repeat: population mean
    clv = customer_lifetime_value(
        MODEL,
        SPEND,
        H.frequency,
        H.recency,
        H.age(365),
        mean,
        periods_per_month=DAYS_PER_MONTH,
        months=12,
        monthly_discount_rate=MONTHLY_DISCOUNT_RATE,
    )
    assert value == pytest.approx(clv)


def test_without_a_spend_model_it_is_discounted_purchases_times_their_own_spend() -> None:
    value = predicted_value(H, MODEL, None, today=365)
    x, t_x, age = H.frequency, H.recency, H.age(365)
    months = np.arange(13) * DAYS_PER_MONTH
    cumulative = np.array(
        [bgnbd_conditional_expected_purchases(MODEL, m, x, t_x, age) for m in months]
    )
    discount = (1 + MONTHLY_DISCOUNT_RATE) ** -np.arange(1, 13)
    purchases = (np.diff(cumulative, axis=0) * discount[:, None]).sum(axis=0)
    own = H.lifetime_spend / H.purchase_days
    assert value == pytest.approx(purchases * own, rel=1e-6)


def test_too_little_data_falls_back_to_last_years_spend() -> None:
    scores = score_customers(H, today=365)
    assert scores.model is None and "needs at least 20 customers" in scores.reason
    assert scores.p_alive is None and list(scores.predicted_value) == [90, 10, 5]


def test_finite_replaces_what_overflowed() -> None:
    cleaned = finite(np.array([np.nan, np.inf, -np.inf, 0.5, 2.0]), high=1.0)
    assert cleaned.tolist() == [0.0, 1.0, 0.0, 0.5, 1.0]
