"""Tests for the customer-value models (BG/NBD, Gamma-Gamma, CLV, own rhythm). No database."""

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from scipy import integrate, special

from followthrough.core import rhythm
from followthrough.core.rhythm import (
    BgNbdParams,
    GammaGammaParams,
    NotEnoughData,
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_log_likelihood,
    bgnbd_probability_alive,
    customer_lifetime_value,
    customer_rhythm,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    gamma_gamma_log_likelihood,
    simulate_bgnbd,
)

FloatArray = npt.NDArray[np.float64]
DATA = Path(__file__).parent / "data"

# Published CDNOW estimates: Fader, Hardie & Lee (2005a), BG/NBD; Fader, Hardie & Lee (2005b) and
# Fader & Hardie (2013), Gamma-Gamma. Time in weeks, money in dollars.
CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4)
CDNOW_SPEND = GammaGammaParams(p=6.25, q=3.74, v=15.44, log_likelihood=-4055.9)


@pytest.fixture(scope="module")
def cdnow() -> dict[str, FloatArray]:
    """CDNOW sample: 2357 customers of the Q1 1997 cohort, times in weeks (see data/README.md)."""
    table = np.genfromtxt(DATA / "cdnow_summary.csv", delimiter=",", names=True)
    return {name: np.asarray(table[name], dtype=np.float64) for name in table.dtype.names or ()}


@pytest.fixture(scope="module")
def cdnow_fit(cdnow: dict[str, FloatArray]) -> BgNbdParams:
    return fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def _vector(params: BgNbdParams) -> FloatArray:
    return np.array([params.r, params.alpha, params.a, params.b])


def _within_last_digit(value: float, published: float, decimals: int) -> bool:
    """True if value rounds to the published figure (half a unit in its last decimal)."""
    return abs(value - published) <= 0.5 * 10.0**-decimals + 1e-12


# ----------------------------------------------------------------------------- CDNOW


def test_bgnbd_recovers_published_cdnow_estimates(cdnow_fit: BgNbdParams) -> None:
    fit = cdnow_fit
    assert _within_last_digit(fit.r, 0.243, 3)
    assert _within_last_digit(fit.alpha, 4.414, 3)
    assert _within_last_digit(fit.a, 0.793, 3)
    assert _within_last_digit(fit.b, 2.426, 3)
    # Total log-likelihood in weeks, as published (lifetimes instead reports the *mean* negative
    # log-likelihood with time rescaled so that max T = 1: 0.25027 = (9582.43 - 2457 ln 38.86)
    # / 2357, where 2457 is the total of x).
    assert _within_last_digit(fit.log_likelihood, -9582.4, 1)


def test_bgnbd_log_likelihood_is_published_definition(cdnow: dict[str, FloatArray]) -> None:
    """At the published estimates the likelihood is the published one, within their rounding."""
    ll, _ = bgnbd_log_likelihood(*_vector(CDNOW), cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert ll == pytest.approx(-9582.4, abs=0.5)


def test_bgnbd_log_likelihood_changes_by_frequency_times_log_scale(
    cdnow: dict[str, FloatArray], cdnow_fit: BgNbdParams
) -> None:
    """Counting time in days instead of weeks shifts the total by -sum(x) * ln 7."""
    days = fit_bgnbd(cdnow["frequency"], cdnow["recency"] * 7, cdnow["T"] * 7)
    assert days.alpha == pytest.approx(cdnow_fit.alpha * 7, rel=1e-6)
    assert days.r == pytest.approx(cdnow_fit.r, rel=1e-6)
    shift = cdnow["frequency"].sum() * math.log(7)
    assert days.log_likelihood == pytest.approx(cdnow_fit.log_likelihood - shift, abs=1e-4)


def test_gamma_gamma_recovers_published_cdnow_estimates(cdnow: dict[str, FloatArray]) -> None:
    fit = fit_gamma_gamma(cdnow["frequency"], cdnow["monetary_value"])
    assert _within_last_digit(fit.p, 6.25, 2)
    assert _within_last_digit(fit.q, 3.74, 2)
    # Published 15.44; the maximum is at 15.448 (lifetimes agrees). The likelihood is flat along
    # the p-q-v ridge: at the published triple it is only 0.0015 lower (next test), so the
    # published figures are the same maximum rounded, found by a looser optimiser. Agreement is
    # to 3 significant digits (15.4).
    assert _within_last_digit(fit.v, 15.4, 1)
    assert fit.v == pytest.approx(15.448, abs=0.001)
    # Total over the 946 repeat buyers of log f(mean spend | x), in dollars; lifetimes reports
    # the same figure divided by 946 (4.2874).
    assert _within_last_digit(fit.log_likelihood, -4055.9, 1)
    assert fit.log_likelihood == pytest.approx(-4055.923, abs=0.001)


def test_gamma_gamma_recovers_parameters_of_simulated_customers() -> None:
    """50,000 repeat buyers drawn from the model; 4 standard errors, as for BG/NBD below."""
    rng = np.random.default_rng(2013)
    p, q, v = 6.25, 3.74, 15.44
    x = rng.integers(1, 15, size=50_000).astype(np.float64)
    nu = rng.gamma(q, 1 / v, size=x.size)  # each customer's transaction rate parameter
    mean_spend = rng.gamma(p * x, 1 / (x * nu))  # mean of x Gamma(p, rate nu) transactions

    fit = fit_gamma_gamma(x, mean_spend)

    theta = np.log([fit.p, fit.q, fit.v])
    information = -_jacobian(
        lambda th: gamma_gamma_log_likelihood(*np.exp(th), x, mean_spend)[1], theta
    )
    errors = np.sqrt(np.diag(np.linalg.inv(information)))
    z = (theta - np.log([p, q, v])) / errors
    assert np.all(np.abs(z) < 4), (fit, z)
    assert np.all(errors < 0.06), errors


def test_gamma_gamma_likelihood_at_published_estimates(cdnow: dict[str, FloatArray]) -> None:
    spend = CDNOW_SPEND
    ll, _ = gamma_gamma_log_likelihood(
        spend.p, spend.q, spend.v, cdnow["frequency"], cdnow["monetary_value"]
    )
    assert ll == pytest.approx(-4055.925, abs=0.001)


# ----------------------------------------------------------------------------- synthetic data


def _jacobian(gradient: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Symmetrised central-difference Jacobian of an analytic gradient (i.e. the Hessian)."""
    step = 1e-4
    columns = []
    for j in range(theta.size):
        shift = np.zeros_like(theta)
        shift[j] = step
        columns.append((gradient(theta + shift) - gradient(theta - shift)) / (2 * step))
    hessian = np.column_stack(columns)
    return np.asarray((hessian + hessian.T) / 2, dtype=np.float64)


def _observed_information(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """-Hessian of the total log-likelihood in log-parameters."""
    return -_jacobian(
        lambda th: bgnbd_log_likelihood(*np.exp(th), x, t_x, T)[1], np.log(_vector(params))
    )


@pytest.mark.parametrize(
    ("weeks", "time_resolution"),
    [(1.0, None), (7.0, 1.0)],  # continuous time in weeks; whole days (T and recency in days)
)
def test_bgnbd_recovers_parameters_of_simulated_customers(
    weeks: float, time_resolution: float | None
) -> None:
    """50,000 customers drawn from the model itself.

    Tolerance from the sample size: the maximum-likelihood estimate of ln(theta) is
    asymptotically normal with covariance the inverse observed information, so each estimate
    must lie within 4 standard errors of the truth (a 1-in-15,000 event per parameter if the fit
    is right; the seed is fixed anyway). With 50,000 customers those errors are 1-5 %, which the
    second assertion checks so that the test cannot pass by being vague.
    """
    rng = np.random.default_rng(20050101)
    true = BgNbdParams(r=0.243, alpha=4.414 * weeks, a=0.793, b=2.426, log_likelihood=math.nan)
    T = rng.uniform(39, 78, size=50_000) * weeks
    if time_resolution is not None:
        T = np.round(T)
    x, t_x = simulate_bgnbd(*_vector(true), T, rng=rng, time_resolution=time_resolution)

    fit = fit_bgnbd(x, t_x, T)

    errors = np.sqrt(np.diag(np.linalg.inv(_observed_information(fit, x, t_x, T))))
    z = (np.log(_vector(fit)) - np.log(_vector(true))) / errors
    assert np.all(np.abs(z) < 4), (fit, z)
    assert np.all(errors < 0.06), errors


@pytest.mark.parametrize("time_resolution", [None, 1.0])
def test_large_sample_shortcuts_give_the_same_fit(
    time_resolution: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above 100,000 customers the fit starts from a subsample's (and, for continuous times,
    skips compression): it must land on the same maximum as the plain fit."""
    rng = np.random.default_rng(99)
    T = rng.uniform(30, 365, size=150_000)
    if time_resolution is not None:
        T = np.round(T)
    x, t_x = simulate_bgnbd(0.243, 30.9, 0.793, 2.426, T, rng=rng, time_resolution=time_resolution)
    compressed = []
    build = rhythm._bgnbd_sample

    def spy(*args: Any, **kwargs: Any) -> Any:
        compressed.append(kwargs.get("compress", True))
        return build(*args, **kwargs)

    monkeypatch.setattr(rhythm, "_bgnbd_sample", spy)

    fast = fit_bgnbd(x, t_x, T)
    # Subsample, then the full sample: compressed only if there is something to compress.
    assert compressed == [True, time_resolution is not None]
    monkeypatch.setattr(rhythm, "_WARM_START_CUSTOMERS", 10**9)
    plain = fit_bgnbd(x, t_x, T)

    np.testing.assert_allclose(_vector(fast), _vector(plain), rtol=1e-5)
    assert fast.log_likelihood == pytest.approx(plain.log_likelihood, rel=1e-12)


def test_simulation_counts_every_purchase_even_on_one_day() -> None:
    """Heavy buyers make several purchases a day: all are counted, none collapsed."""
    rng = np.random.default_rng(7)
    T = np.full(1000, 10.0)
    # lambda ~ Gamma(50, rate 10): about 5 purchases a day, nobody drops out in practice.
    x, t_x = simulate_bgnbd(50.0, 10.0, 0.01, 1000.0, T, rng=rng, time_resolution=1.0)
    assert x.mean() == pytest.approx(50, rel=0.05)
    assert np.all(x > T)  # more purchases than days
    assert np.all(t_x == np.round(t_x)) and np.all(t_x <= T)


def test_simulated_mean_matches_unconditional_expectation() -> None:
    """E[X(t)] against the simulator: independent of both formulas and numerical methods."""
    rng = np.random.default_rng(11)
    t = 39.0
    x, _ = simulate_bgnbd(*_vector(CDNOW), np.full(200_000, t), rng=rng)
    standard_error = x.std() / math.sqrt(x.size)
    expected = float(bgnbd_expected_purchases(CDNOW, t))
    assert abs(x.mean() - expected) < 4 * standard_error


# ----------------------------------------------------------------------------- independent values


def _published_p_alive(params: BgNbdParams, x: float, t_x: float, T: float) -> float:
    """P(alive) as in the FHL (2008) note, in plain floating point."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def _published_expected(params: BgNbdParams, t: float, x: float, t_x: float, T: float) -> float:
    """E[Y(t) | x, t_x, T] as printed in FHL (2005a), with the 2F1 taken as is."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    hyp = float(special.hyp2f1(r + x, b + x, a + b + x - 1, z))
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp
    return (a + b + x - 1) / (a - 1) * bracket * _published_p_alive(params, x, t_x, T)


def _integrated(
    params: BgNbdParams, t: float, x: float, t_x: float, T: float
) -> tuple[float, float]:
    """(P(alive), E[Y(t)]) by integrating the individual-level model over the Beta prior on p.

    Given (lambda, p): the likelihood of (x, t_x, T) is (1-p)^x lambda^x e^(-lambda T)
    [alive] + p (1-p)^(x-1) lambda^x e^(-lambda t_x) [dropped out at t_x], and an alive customer
    buys (1 - e^(-lambda p t)) / p times in the next t. The lambda-integrals against the
    Gamma(r, alpha) prior are closed-form Gamma integrals; the p-integral is done numerically
    (substituting p = u^(1/a) to remove the p^(a-1) singularity). No hypergeometric function.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b

    def gamma_integral(s: float) -> float:  # int lambda^x e^(-lambda s) g(lambda), / same at T
        return ((alpha + T) / (alpha + s)) ** (r + x)

    def over_p(f: Callable[[float], float]) -> float:
        value, _ = integrate.quad(
            lambda u: f(u ** (1 / a)) * (1 - u ** (1 / a)) ** (b - 1),
            0,
            1,
            epsabs=0,
            epsrel=1e-11,
            limit=200,
        )
        return float(value)

    alive = over_p(lambda p: (1 - p) ** x)
    dead = over_p(lambda p: p * (1 - p) ** (x - 1) * gamma_integral(t_x)) if x > 0 else 0.0
    future = over_p(lambda p: (1 - p) ** x * (1 - gamma_integral(T + p * t)) / p)
    return alive / (alive + dead), future / (alive + dead)


HAND_PICKED = [  # (x, t_x, T) in weeks, from the CDNOW sample plus a few edges
    (0, 0.0, 38.86),
    (1, 1.71, 38.86),
    (2, 30.43, 38.86),
    (7, 35.71, 38.86),
    (29, 37.71, 38.0),
    (3, 5.0, 30.0),
    (10, 10.0, 10.0),
]


@pytest.mark.parametrize(("x", "t_x", "T"), HAND_PICKED)
def test_probability_alive_and_expected_purchases_match_published_formulas(
    x: int, t_x: float, T: float
) -> None:
    for t in (1.0, 39.0, 520.0):
        got = float(bgnbd_conditional_expected_purchases(CDNOW, t, x, t_x, T))
        assert got == pytest.approx(_published_expected(CDNOW, t, x, t_x, T), rel=1e-9)
    alive = float(bgnbd_probability_alive(CDNOW, x, t_x, T))
    assert alive == pytest.approx(_published_p_alive(CDNOW, x, t_x, T), rel=1e-12)


@pytest.mark.parametrize(("x", "t_x", "T"), HAND_PICKED[:5])
def test_probability_alive_and_expected_purchases_match_integration(
    x: int, t_x: float, T: float
) -> None:
    alive, expected = _integrated(CDNOW, 39.0, x, t_x, T)
    assert float(bgnbd_probability_alive(CDNOW, x, t_x, T)) == pytest.approx(alive, rel=1e-7)
    got = float(bgnbd_conditional_expected_purchases(CDNOW, 39.0, x, t_x, T))
    assert got == pytest.approx(expected, rel=1e-7)


def test_probability_alive_is_one_without_repeat_purchases() -> None:
    T = np.array([0.0, 1.0, 38.86, 1e9])
    assert np.all(bgnbd_probability_alive(CDNOW, 0, 0, T) == 1.0)


def test_unconditional_expectation_matches_integration() -> None:
    r, alpha, a, b = _vector(CDNOW)
    t = 39.0

    def integrand(u: float) -> float:  # p = u^(1/a); E[X(t) | p] after integrating lambda
        p = u ** (1 / a)
        return (1 - (alpha / (alpha + p * t)) ** r) / p * (1 - p) ** (b - 1)

    numerator, _ = integrate.quad(integrand, 0, 1, epsabs=0, epsrel=1e-11, limit=200)
    normaliser = a * special.beta(a, b)  # int (1-p)^(b-1) du with p = u^(1/a)
    assert float(bgnbd_expected_purchases(CDNOW, t)) == pytest.approx(
        numerator / normaliser, rel=1e-8
    )
    # A new customer is an (x=0, t_x=0, T=0) customer.
    assert float(bgnbd_conditional_expected_purchases(CDNOW, t, 0, 0, 0)) == pytest.approx(
        float(bgnbd_expected_purchases(CDNOW, t)), rel=1e-14
    )


def test_expected_purchases_near_a_equal_one_is_continuous() -> None:
    """(a - 1) divides; across a = 1 the values must join up smoothly."""
    values = [
        float(
            bgnbd_conditional_expected_purchases(
                BgNbdParams(0.243, 4.414, a, 2.426, math.nan), 39.0, 2, 30.43, 38.86
            )
        )
        for a in (1 - 2e-3, 1 - 1e-3, 1 - 1e-9, 1.0, 1 + 1e-9, 1 + 1e-3, 1 + 2e-3)
    ]
    assert np.all(np.isfinite(values))
    # Smooth: the middle three agree and sit between their neighbours' linear trend.
    assert values[2] == pytest.approx(values[3], rel=1e-7)
    assert values[4] == pytest.approx(values[3], rel=1e-7)
    assert values[3] == pytest.approx((values[1] + values[5]) / 2, rel=1e-5)


# ----------------------------------------------------------------------------- extremes

EXTREME = np.array(
    [  # (x, t_x, T)
        (0, 0, 0),  # first purchase just now
        (0, 0, 1e12),  # one purchase, aeons ago
        (1e6, 1e3, 1e3),  # huge frequency, bought up to now
        (1e6, 0, 1e3),  # huge frequency all at the very start (recency 0), silent since
        (1e9, 1e12, 1e12),
        (5, 0, 1e12),  # recency 0, T huge
        (3, 1e-9, 1e-9),  # tiny times
        (1, 0, 1e-300),
    ]
)


def test_extreme_customers_give_finite_likelihood_and_gradient() -> None:
    for row in EXTREME:
        ll, gradient = bgnbd_log_likelihood(*_vector(CDNOW), *row)
        assert math.isfinite(ll), row
        assert np.all(np.isfinite(gradient)), row
    for params in [(1e-6, 1e-6, 1e-6, 1e-6), (1e6, 1e6, 1e6, 1e6), (0.5, 1e-3, 50.0, 1e-3)]:
        ll, gradient = bgnbd_log_likelihood(*params, *EXTREME.T)
        assert math.isfinite(ll) and np.all(np.isfinite(gradient)), params


def test_extreme_customers_give_finite_scores() -> None:
    x, t_x, T = EXTREME.T
    alive = bgnbd_probability_alive(CDNOW, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1))
    assert alive[3] == 0.0 and alive[0] == 1.0  # silent heavy buyer is gone; newcomer alive
    for t in (0.0, 1.0, 39.0, 1e6, 1e12):
        expected = bgnbd_conditional_expected_purchases(CDNOW, t, x, t_x, T)
        assert np.all(np.isfinite(expected) & (expected >= 0)), (t, expected)
        assert np.isfinite(bgnbd_expected_purchases(CDNOW, t))
    # A heavy buyer who is still buying: about (r + x) / (alpha + T) purchases per week.
    assert float(bgnbd_conditional_expected_purchases(CDNOW, 1.0, 1e6, 1e3, 1e3)) == (
        pytest.approx((CDNOW.r + 1e6) / (CDNOW.alpha + 1e3), rel=1e-2)
    )


def test_fit_with_extreme_customers_fails_loudly_or_fits(cdnow: dict[str, FloatArray]) -> None:
    """CDNOW plus absurd customers: either a finite fit or NotEnoughData, never NaN."""
    x = np.concatenate([cdnow["frequency"], EXTREME[:, 0]])
    t_x = np.concatenate([cdnow["recency"], EXTREME[:, 1]])
    T = np.concatenate([cdnow["T"], EXTREME[:, 2]])
    try:
        fit = fit_bgnbd(x, t_x, T)
    except NotEnoughData:
        return
    assert np.all(np.isfinite(_vector(fit))) and math.isfinite(fit.log_likelihood)


# ----------------------------------------------------------------------------- gradients


def _finite_difference(f: Callable[[FloatArray], float], theta: FloatArray) -> FloatArray:
    step = 1e-6
    out = np.zeros_like(theta)
    for j in range(theta.size):
        shift = np.zeros_like(theta)
        shift[j] = step
        out[j] = (f(theta + shift) - f(theta - shift)) / (2 * step)
    return out


@pytest.mark.parametrize(
    "params", [(0.243, 4.414, 0.793, 2.426), (1.0, 30.0, 2.0, 0.5), (0.05, 0.5, 0.2, 8.0)]
)
def test_bgnbd_gradient_matches_finite_differences(
    cdnow: dict[str, FloatArray], params: tuple[float, float, float, float]
) -> None:
    data = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theta = np.log(np.array(params))
    _, analytic = bgnbd_log_likelihood(*params, *data)
    numeric = _finite_difference(lambda th: bgnbd_log_likelihood(*np.exp(th), *data)[0], theta)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (1.0, 1.5, 100.0), (20.0, 10.0, 2.0)])
def test_gamma_gamma_gradient_matches_finite_differences(
    cdnow: dict[str, FloatArray], params: tuple[float, float, float]
) -> None:
    data = (cdnow["frequency"], cdnow["monetary_value"])
    theta = np.log(np.array(params))
    _, analytic = gamma_gamma_log_likelihood(*params, *data)
    numeric = _finite_difference(
        lambda th: gamma_gamma_log_likelihood(*np.exp(th), *data)[0], theta
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-4)


# ----------------------------------------------------------------------------- refusing to fit


def test_too_few_customers_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData, match="at least 20 customers"):
        fit_bgnbd([1, 2, 0, 3, 1, 0, 2, 1, 4, 1], [5, 6, 0, 7, 3, 0, 8, 2, 9, 4], [10] * 10)


def test_too_few_repeat_buyers_is_not_enough_data() -> None:
    x = [0] * 96 + [1, 2, 1, 1]
    t_x = [0] * 96 + [3, 5, 2, 8]
    with pytest.raises(NotEnoughData, match="5 repeat buyers; got 100 and 4"):
        fit_bgnbd(x, t_x, [10] * 100)
    assert issubclass(NotEnoughData, ValueError)


def test_data_without_dropout_is_not_enough_data() -> None:
    """Everybody buys steadily up to today: drop-out is not identified (a -> 0), so no fit."""
    rng = np.random.default_rng(3)
    T = np.full(500, 52.0)
    x = rng.poisson(rng.gamma(2.0, 0.125, size=500) * T).astype(float)
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0)
    with pytest.raises(NotEnoughData, match="do not identify"):
        fit_bgnbd(x, t_x, T)


def test_too_few_spenders_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData):
        fit_gamma_gamma([0, 1, 2, 3], [0, 10, 20, 30])


@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [
        ([1], [5], [4]),  # recency after T
        ([0], [3], [10]),  # "days since last purchase" passed as recency
        ([-1], [0], [10]),
        ([1.5], [1], [10]),
        ([1], [float("nan")], [10]),
    ],
)
def test_impossible_inputs_are_rejected(x: list[float], t_x: list[float], T: list[float]) -> None:
    with pytest.raises(ValueError, match="must"):
        bgnbd_probability_alive(CDNOW, x, t_x, T)


# ----------------------------------------------------------------------------- compression


def test_compression_matches_numpy_unique() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    whole = np.stack([rng.integers(0, 5, n), rng.integers(0, 30, n), rng.integers(30, 40, n)], 1)
    floats = np.round(rng.random((n, 3)) * 4) / 4 + np.array([0, 0.1, 1e7])
    for table in (whole.astype(np.float64), floats):
        rows, counts, inverse = rhythm._distinct_rows([table[:, 0], table[:, 1], table[:, 2]])
        expected, expected_counts = np.unique(table, axis=0, return_counts=True)
        order = np.lexsort(rows[::-1])
        np.testing.assert_array_equal(np.column_stack(rows)[order], expected)
        np.testing.assert_array_equal(counts[order], expected_counts)
        np.testing.assert_array_equal(np.column_stack(rows)[inverse], table)


def test_likelihood_does_not_depend_on_grouping(cdnow: dict[str, FloatArray]) -> None:
    data = [cdnow["frequency"], cdnow["recency"], cdnow["T"]]
    once, gradient_once = bgnbd_log_likelihood(*_vector(CDNOW), *data)
    twice, gradient_twice = bgnbd_log_likelihood(*_vector(CDNOW), *[np.tile(a, 2) for a in data])
    per_customer = sum(
        bgnbd_log_likelihood(*_vector(CDNOW), *row)[0] for row in np.column_stack(data)[:300]
    )
    head, _ = bgnbd_log_likelihood(*_vector(CDNOW), *[a[:300] for a in data])
    assert twice == pytest.approx(2 * once, rel=1e-13)
    np.testing.assert_allclose(gradient_twice, 2 * gradient_once, rtol=1e-12)
    assert head == pytest.approx(per_customer, rel=1e-12)


# ----------------------------------------------------------------------------- spend and CLV


def test_expected_spend_shrinks_towards_population_mean() -> None:
    spend = CDNOW_SPEND
    population = spend.mean_spend
    assert population == pytest.approx(6.25 * 15.44 / 2.74)
    own = np.array([5.0, 5.0, 100.0, 100.0])
    x = np.array([1, 20, 1, 20])
    expected = gamma_gamma_expected_spend(spend, x, own)
    assert np.all(
        (np.minimum(own, population) < expected) & (expected < np.maximum(own, population))
    )
    # More purchases, more weight on the customer's own average.
    assert abs(expected[1] - 5) < abs(expected[0] - 5) and abs(expected[3] - 100) < abs(
        expected[2] - 100
    )
    # No repeat purchase: population mean, whatever is stored as monetary value.
    assert gamma_gamma_expected_spend(spend, [0, 0], [0.0, math.nan]) == pytest.approx(
        [population, population]
    )


def _clv(monthly_discount_rate: float = 0.01, **changes: float) -> float:
    """CLV of one CDNOW-like customer (weeks), with some of their figures changed."""
    customer = {"frequency": 3.0, "recency": 30.0, "T": 38.0, "monetary_value": 40.0}
    customer.update(changes)
    value = customer_lifetime_value(
        CDNOW,
        CDNOW_SPEND,
        **customer,
        periods_per_month=4.345,
        monthly_discount_rate=monthly_discount_rate,
    )
    return float(value)


def test_clv_grows_with_spend_and_with_probability_alive() -> None:
    assert _clv(monetary_value=80.0) > _clv(monetary_value=40.0) > _clv(monetary_value=10.0)
    # Same purchases, last one more recent -> more likely alive -> worth more.
    alive = [float(bgnbd_probability_alive(CDNOW, 3, t, 38)) for t in (5.0, 20.0, 37.0)]
    assert alive[0] < alive[1] < alive[2]
    assert _clv(recency=5.0) < _clv(recency=20.0) < _clv(recency=37.0)


def test_discounting_lowers_clv_and_no_discount_telescopes() -> None:
    assert (
        _clv(monthly_discount_rate=0.0)
        > _clv(monthly_discount_rate=0.01)
        > _clv(monthly_discount_rate=0.05)
    )
    # Without discounting the monthly increments add up to a year's expected purchases.
    purchases = float(bgnbd_conditional_expected_purchases(CDNOW, 12 * 4.345, 3, 30, 38))
    spend = float(gamma_gamma_expected_spend(CDNOW_SPEND, 3, 40.0))
    assert _clv(monthly_discount_rate=0.0) == pytest.approx(purchases * spend, rel=1e-12)


def test_clv_is_vectorised_and_zero_over_no_months(cdnow: dict[str, FloatArray]) -> None:
    args = (cdnow["frequency"], cdnow["recency"], cdnow["T"], cdnow["monetary_value"])
    values = customer_lifetime_value(CDNOW, CDNOW_SPEND, *args, periods_per_month=4.345)
    assert values.shape == cdnow["T"].shape
    assert np.all(np.isfinite(values) & (values > 0))
    none = customer_lifetime_value(CDNOW, CDNOW_SPEND, *args, periods_per_month=4.345, months=0)
    assert np.all(none == 0)
    # Customers sharing (x, T) are evaluated once: results must equal one-by-one evaluation.
    for i in range(0, cdnow["T"].size, 97):
        alone = customer_lifetime_value(
            CDNOW, CDNOW_SPEND, *(a[i] for a in args), periods_per_month=4.345
        )
        assert float(alone) == pytest.approx(values[i], rel=1e-13)


# ----------------------------------------------------------------------------- own rhythm


def test_rhythm_from_dates() -> None:
    days = [date(2026, 1, 1), date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 30)]
    result = customer_rhythm(days, today=date(2026, 5, 25))
    assert result.purchases == 4
    assert result.typical_interval_days == 28  # median of 28, 28, 32
    assert result.days_since_last == 56
    assert result.overdue_ratio == 2.0


def test_rhythm_from_day_numbers_counts_same_day_purchases_as_one_visit() -> None:
    result = customer_rhythm([10, 10, 20, 30, 30], today=33)
    assert result.purchases == 5
    assert result.typical_interval_days == 10
    assert result.days_since_last == 3
    assert result.overdue_ratio == pytest.approx(0.3)


def test_rhythm_with_a_single_purchase_day_has_no_interval() -> None:
    result = customer_rhythm([date(2026, 3, 1), date(2026, 3, 1)], today=date(2026, 3, 11))
    assert (result.typical_interval_days, result.days_since_last, result.overdue_ratio) == (
        None,
        10,
        None,
    )


@pytest.mark.parametrize(
    ("days", "today", "error"),
    [
        ([], 5, ValueError),
        ([3, 1], 5, ValueError),
        ([1, 3], 2, ValueError),
        ([date(2026, 1, 1)], 5, TypeError),
    ],
)
def test_rhythm_rejects_bad_input(days: list[int], today: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        customer_rhythm(days, today=today)
