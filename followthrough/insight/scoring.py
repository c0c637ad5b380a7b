"""Scores for every customer of a workspace: fit the models when the data allow, else fall back.

Pure (numpy and core.rhythm, no Django). Time is in days, money in the workspace's currency.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from followthrough.core.rhythm import (
    BgNbdParams,
    GammaGammaParams,
    NotEnoughData,
    bgnbd_conditional_expected_purchases,
    bgnbd_probability_alive,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
)
from followthrough.insight.purchases import Histories

FloatArray = npt.NDArray[np.float64]

# Predicted value is the customer lifetime value over the next 12 months, discounted at 1% a
# month (about 12.7% a year, the usual default of the `lifetimes` package): money next year
# is worth a little less than money now, and the figure ranks customers, it is not an invoice.
MONTHS: Final = 12
MONTHLY_DISCOUNT_RATE: Final = 0.01
DAYS_PER_MONTH: Final = 365.0 / 12.0
# A Gamma-Gamma "model" whose expected spend is exactly 1 for everyone ((p v + p x m) /
# (p x + q - 1) with p = v = m = 1, q = 2): customer_lifetime_value then returns discounted
# expected purchases, which we multiply by the customer's own average spend when spend could
# not be modelled.
_UNIT_SPEND: Final = GammaGammaParams(p=1.0, q=2.0, v=1.0, log_likelihood=0.0)


@dataclass(frozen=True)
class Scores:
    """Per-customer figures, aligned with the Histories they came from.

    ``model`` is None when BG/NBD could not be fitted (``reason`` says why); p_alive and the
    expected purchases are then None and ``predicted_value`` is the spend of the last 12 months.
    """

    model: BgNbdParams | None
    reason: str
    spend_model: GammaGammaParams | None
    spend_reason: str
    p_alive: FloatArray | None
    expected_30: FloatArray | None
    expected_365: FloatArray | None
    predicted_value: FloatArray


def finite(values: FloatArray, *, low: float = 0.0, high: float = np.inf) -> FloatArray:
    """Values clipped to [low, high] with NaN as `low`: a model figure that over- or underflowed
    for an extreme customer must never reach the database (SQLite would refuse a NaN)."""
    cleaned = np.nan_to_num(values, nan=low, posinf=high, neginf=low)
    return np.asarray(np.clip(cleaned, low, high), dtype=np.float64)


def fit_rhythm_model(h: Histories, *, today: int) -> BgNbdParams:
    """BG/NBD in days; raises NotEnoughData (with a reason a person can read) when impossible."""
    return fit_bgnbd(h.frequency, h.recency, h.age(today))


def fit_spend_model(h: Histories) -> GammaGammaParams:
    """Gamma-Gamma on repeat buyers whose repeat spend is known (positive)."""
    known = np.isfinite(h.mean_repeat_spend) & (h.mean_repeat_spend > 0)
    return fit_gamma_gamma(
        np.where(known, h.frequency, 0.0), np.where(known, h.mean_repeat_spend, 0.0)
    )


def _spend_inputs(h: Histories, spend_model: GammaGammaParams) -> FloatArray:
    """Each customer's monetary value; an unknown one counts as the population's mean spend."""
    known = np.isfinite(h.mean_repeat_spend) & (h.mean_repeat_spend > 0)
    return np.where(known, h.mean_repeat_spend, spend_model.mean_spend)


def _clv(
    model: BgNbdParams,
    spend_model: GammaGammaParams,
    h: Histories,
    monetary: FloatArray,
    *,
    today: int,
) -> FloatArray:
    return customer_lifetime_value(
        model,
        spend_model,
        h.frequency,
        h.recency,
        h.age(today),
        monetary,
        periods_per_month=DAYS_PER_MONTH,
        months=MONTHS,
        monthly_discount_rate=MONTHLY_DISCOUNT_RATE,
    )


def predicted_value(
    h: Histories, model: BgNbdParams, spend_model: GammaGammaParams | None, *, today: int
) -> FloatArray:
    """Discounted expected spend over the next 12 months (see MONTHLY_DISCOUNT_RATE)."""
    x = h.frequency
    if spend_model is not None:
        return _clv(model, spend_model, h, _spend_inputs(h, spend_model), today=today)
    purchases = _clv(model, _UNIT_SPEND, h, np.ones_like(x), today=today)
    own_spend = h.lifetime_spend / np.maximum(h.purchase_days, 1)
    return np.asarray(purchases * own_spend, dtype=np.float64)


def score_customers(h: Histories, *, today: int) -> Scores:
    """Fit and score. Never raises for lack of data: that is the fallback with its reason."""
    try:
        model = fit_rhythm_model(h, today=today)
    except NotEnoughData as error:
        return Scores(None, str(error), None, "", None, None, None, finite(h.spend_12m))
    spend_model, spend_reason = None, ""
    try:
        spend_model = fit_spend_model(h)
    except NotEnoughData as error:
        spend_reason = str(error)
    x, t_x, age = h.frequency, h.recency, h.age(today)
    return Scores(
        model=model,
        reason="",
        spend_model=spend_model,
        spend_reason=spend_reason,
        p_alive=finite(bgnbd_probability_alive(model, x, t_x, age), high=1.0),
        expected_30=finite(bgnbd_conditional_expected_purchases(model, 30, x, t_x, age)),
        expected_365=finite(bgnbd_conditional_expected_purchases(model, 365, x, t_x, age)),
        predicted_value=finite(predicted_value(h, model, spend_model, today=today)),
    )
