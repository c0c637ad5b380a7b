"""Customer-value models: BG/NBD purchase rhythm, Gamma-Gamma spend and discounted CLV.

Pure numpy/scipy: no Django, no clock. Every input (including "today") is passed in.

Notation (Fader, Hardie & Lee), per customer, all times in one unit of the caller's choice
(the model's "period": a day, a week...):

- ``frequency`` x: number of *repeat* purchases, i.e. purchases after the first one;
- ``recency`` t_x: time from the first to the last purchase (0 when x == 0). This is *not*
  "time since the last purchase", a common mix-up that the input checks catch when they can;
- ``T``: time from the first purchase to the end of the observation window ("now").

References:

- Fader, Hardie & Lee (2005a), "Counting Your Customers the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2), 275-284 (BG/NBD), and the accompanying notes
  "Implementing the BG/NBD Model for Customer Base Analysis in Excel" (2005) and "Computing
  P(alive) Using the BG/NBD Model" (2008).
- Fader, Hardie & Lee (2005b), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
  Journal of Marketing Research 42(4), 415-430, and Fader & Hardie (2013), "The Gamma-Gamma
  Model of Monetary Value" (Gamma-Gamma spend model).
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Fitting is refused below these sizes: a BG/NBD fit on a dozen customers "converges" to numbers
# that mean nothing, and callers would show them as if they did.
MIN_CUSTOMERS: Final = 20
MIN_REPEAT_CUSTOMERS: Final = 5
MIN_SPEND_CUSTOMERS: Final = 10

# Parameters are optimised as logarithms (in time units where the median T is 1, money units
# where the mean spend is 1). A fit that runs to within _BOUND_MARGIN of these bounds has no
# interior maximum: the data do not identify the model (e.g. nobody seems to drop out), so we
# refuse it.
_LOG_BOUND: Final = 15.0
_BOUND_MARGIN: Final = 1.0
# A fit is refused when the standard error of some ln(parameter) exceeds this (see
# _check_determined). On 300 simulated samples of 20-2000 customers, most fits beyond it were
# more than 10x off the truth in some parameter (24 of 39), fits below it rarely (5 of 189).
_MAX_LOG_STANDARD_ERROR: Final = 3.0
# Samples larger than twice this are first fitted on a subsample of this size (_warm_start).
_WARM_START_CUSTOMERS: Final = 50_000
_COMPRESS_IF_DISTINCT_BELOW: Final = 0.95
_WARM_START_GTOL: Final = 1e-6
_BGNBD_NAMES: Final = ("r", "alpha", "a", "b")
# Convergence: gradient of the *mean* log-likelihood per customer, so independent of sample size.
_GTOL: Final = 1e-9
_ACCEPT_GRADIENT: Final = 1e-5
_MAX_ITERATIONS: Final = 1000

# Expected purchases divide by (a - 1); near a == 1 the bracket they multiply vanishes too, so
# for |a - 1| < _A_STEP we average the values at a ± 1.5 _A_STEP, both far enough from 1 to be
# accurate (the average is off by O(_A_STEP**2), about 1e-8 relative).
_A_STEP: Final = 1e-4
# Beyond this size a 2F1 value has lost the digits the bracket needs; recompute by quadrature.
_HYP_LIMIT: Final = 1e8
_QUADRATURE_NODES: Final = 64
# Columns of small non-negative integers (day counts, frequencies) are used as their own group
# codes, which avoids a sort when compressing a million customers.
_DIRECT_CODE_LIMIT: Final = 1 << 24
_KEY_LIMIT: Final = 1 << 62


class NotEnoughData(ValueError):
    """The data cannot support a fit: too few customers or repeat buyers, or no proper maximum."""


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters.

    Purchase rate lambda ~ Gamma(shape r, rate alpha) across customers (alpha is in the time unit
    of the data); drop-out probability after each repeat purchase p ~ Beta(a, b).
    ``log_likelihood`` is the total over customers of the published likelihood (Fader, Hardie &
    Lee 2005a) in the data's time unit; it changes by -sum(x) * log(c) if time is multiplied
    by c.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend parameters.

    Each transaction of a customer is Gamma(shape p, rate nu); nu ~ Gamma(shape q, rate v) across
    customers (v is in the money unit of the data). ``log_likelihood`` is the total, over
    customers with repeat purchases, of log f(mean spend | x) (Fader & Hardie 2013); it changes
    by -n * log(c) if money is multiplied by c.
    """

    p: float
    q: float
    v: float
    log_likelihood: float

    @property
    def mean_spend(self) -> float:
        """Population mean spend per transaction, p v / (q - 1) (fits with q <= 1 are refused)."""
        return self.p * self.v / (self.q - 1.0)


@dataclass(frozen=True)
class CustomerRhythm:
    """A single customer's own purchase rhythm.

    ``typical_interval_days``: median days between distinct purchase days (several purchases on
    one day are one visit here); None with fewer than two purchase days.
    ``days_since_last``: days from the last purchase to ``today``.
    ``overdue_ratio``: days_since_last / typical_interval_days; above 1 the customer is later
    than usual, e.g. 2.0 means twice their usual gap. None when there is no interval yet.
    """

    purchases: int
    typical_interval_days: float | None
    days_since_last: float
    overdue_ratio: float | None


# ----------------------------------------------------------------------------- input checks


def _float_array(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers")
    return array


def _customer_arrays(
    frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Broadcast and check (x, t_x, T); raise ValueError on impossible combinations."""
    x, t_x, age = np.broadcast_arrays(
        _float_array(frequency, "frequency"),
        _float_array(recency, "recency"),
        _float_array(T, "T"),
    )
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be whole numbers >= 0 (count of repeat purchases)")
    if np.any(t_x < 0) or np.any(t_x > age):
        raise ValueError("recency must lie in [0, T] (time from first to last purchase)")
    if np.any(t_x[x == 0] != 0):
        raise ValueError(
            "recency must be 0 when frequency is 0; recency is the time from the first to the "
            "last purchase, not the time since the last purchase"
        )
    return x, t_x, age


def _fit_arrays(
    frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, t_x, age = _customer_arrays(frequency, recency, T)
    return x.ravel(), t_x.ravel(), age.ravel()


# ----------------------------------------------------------------------------- compression


def _groups(values: npt.NDArray[np.generic]) -> tuple[IntArray, IntArray, IntArray]:
    """Group equal values.

    Returns (index of one member of each group, group number of each element, group sizes).
    An unstable argsort is enough (we only need equal values adjacent) and is several times
    faster than np.unique(return_inverse=True), which sorts stably.
    """
    order = np.argsort(values).astype(np.int64)
    ordered = values[order]
    starts_here = np.empty(ordered.size, dtype=bool)
    starts_here[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts_here[1:])
    starts = np.flatnonzero(starts_here).astype(np.int64)
    group = np.empty(ordered.size, dtype=np.int64)
    group[order] = np.cumsum(starts_here) - 1
    sizes = np.diff(np.append(starts, ordered.size))
    return order[starts], group, sizes


def _codes(column: FloatArray) -> tuple[IntArray, int]:
    """Dense-enough integer codes for a column (equal values, equal codes) and their range."""
    if column.size and column.min() >= 0 and column.max() < _DIRECT_CODE_LIMIT:
        as_int = column.astype(np.int64)
        if np.array_equal(as_int, column):  # whole numbers: use them as codes, no sort needed
            return as_int, int(as_int.max()) + 1
    _, group, sizes = _groups(column)
    return group, sizes.size


def _distinct_rows(
    columns: Sequence[FloatArray],
) -> tuple[list[FloatArray], FloatArray, IntArray]:
    """Distinct rows of the stacked columns, their counts, and each input row's distinct row.

    Returns (columns of the distinct rows, how many input rows equal each, index of each input
    row's distinct row: rows[k][inverse] == columns[k]). Same as np.unique(np.stack(columns, 1),
    axis=0, return_counts=True, return_inverse=True) up to row order, but about 10x faster on a
    million rows: each column becomes integer codes, the codes are combined into one int64 key,
    and only that key is sorted.
    """
    n = columns[0].size
    key = np.zeros(n, dtype=np.int64)
    key_range = 1
    for column in columns:
        codes, code_range = _codes(column)
        if key_range * code_range >= _KEY_LIMIT:  # renumber the key densely to stay in int64
            _, key, sizes = _groups(key)
            key_range = sizes.size
        key = key * code_range + codes
        key_range *= code_range
    representative, inverse, counts = _groups(key)
    return [column[representative] for column in columns], counts.astype(np.float64), inverse


def _group_sums(keys: FloatArray, *weights: FloatArray) -> tuple[FloatArray, list[FloatArray]]:
    """Distinct keys and, for each weight array, the sum of its weights over each key."""
    codes, code_range = _codes(keys)
    if code_range <= 4 * keys.size + 16:  # direct codes: keep only the codes that occur
        used = np.flatnonzero(np.bincount(codes, minlength=code_range))
        remap = np.zeros(code_range, dtype=np.int64)
        remap[used] = np.arange(used.size)
        codes = remap[codes]
    else:  # whole numbers spread too widely to index by: group by sorting
        _, codes, _ = _groups(keys)
    distinct = np.zeros(int(codes.max()) + 1 if codes.size else 0)
    distinct[codes] = keys
    sums = [
        np.bincount(codes, weights=w, minlength=distinct.size).astype(np.float64, copy=False)
        for w in weights
    ]
    return distinct, sums


# ----------------------------------------------------------------------------- BG/NBD likelihood


def _dot(weights: FloatArray, values: FloatArray) -> float:
    """sum(weights * values), accurately and without BLAS.

    Accurately: numpy's sum adds pairwise (error ~ eps log n), whereas `@` and einsum add
    sequentially; on a million terms their rounding noise (~1e-13 relative) exceeded the
    decrease the optimiser's line search must see near the optimum, and the fit wasted dozens
    of evaluations ending in "precision loss".
    Without BLAS: `weights @ values` wakes OpenBLAS's thread pool, whose threads then spin
    between our calls and compete for the cores; on a 2-core machine that made a toy L-BFGS-B
    fit 100x slower (67 ms instead of 0.6 ms).
    """
    return float(np.multiply(weights, values).sum())


@dataclass(frozen=True)
class _BgNbdSample:
    """Sufficient statistics of a sample for the BG/NBD likelihood.

    The likelihood splits into terms that depend on x only (all the special functions), on T
    only, and on the full (x, t_x, T) pattern of repeat buyers. Each part is evaluated once per
    distinct key and weighted by how many customers share it.
    """

    n_customers: float
    n_patterns: int  # distinct (x, t_x, T) when compressed
    total_frequency: float
    x_values: FloatArray  # distinct frequencies
    x_counts: FloatArray  # customers with each
    age_values: FloatArray  # distinct T
    age_counts: FloatArray  # customers with each
    age_frequency: FloatArray  # sum of x over those customers
    rep_x: FloatArray  # distinct (x, t_x, T) patterns with x > 0 ...
    rep_x_minus_1: FloatArray
    rep_t_x: FloatArray
    rep_age: FloatArray
    rep_gap: FloatArray  # T - t_x
    rep_counts: FloatArray  # ... and how many customers have each


def _bgnbd_sample(
    x: FloatArray, t_x: FloatArray, age: FloatArray, time_unit: float = 1.0, compress: bool = True
) -> _BgNbdSample:
    """Sufficient statistics, with times expressed in multiples of ``time_unit``.

    ``compress`` merges customers with identical (x, t_x, T) and groups T; it is skipped when
    the caller knows there are next to no repeats (it would cost three sorts and save nothing).
    Compressing before scaling keeps whole-day times whole, which _codes groups without sorting.
    """
    counts = np.ones(x.size)
    if compress:
        (x, t_x, age), counts, _ = _distinct_rows([x, t_x, age])
    t_x, age = t_x / time_unit, age / time_unit
    x_values, (x_counts,) = _group_sums(x, counts)
    if compress:
        age_values, (age_counts, age_frequency) = _group_sums(age, counts, counts * x)
    else:
        age_values, age_counts, age_frequency = age, counts, x
    repeat = x > 0
    return _BgNbdSample(
        n_customers=float(counts.sum()),
        n_patterns=x.size,
        total_frequency=_dot(counts, x),
        x_values=x_values,
        x_counts=x_counts,
        age_values=age_values,
        age_counts=age_counts,
        age_frequency=age_frequency,
        rep_x=x[repeat],
        rep_x_minus_1=x[repeat] - 1.0,
        rep_t_x=t_x[repeat],
        rep_age=age[repeat],
        rep_gap=age[repeat] - t_x[repeat],
        rep_counts=counts[repeat],
    )


def _bgnbd_log_likelihood(log_params: FloatArray, s: _BgNbdSample) -> tuple[float, FloatArray]:
    """Total log-likelihood and its gradient with respect to (log r, log alpha, log a, log b).

    Per customer (Fader, Hardie & Lee 2005a, in logs):

        ll = lnG(r+x) - lnG(r) + r ln(alpha) - (r+x) ln(alpha+T)
             + lnG(a+b) + lnG(b+x) - lnG(b) - lnG(a+b+x)
             + [x > 0] * softplus(D)
        D  = ln(a / (b+x-1)) + (r+x) * log1p((T - t_x) / (alpha + t_x))

    D is the log-ratio of the "dropped out after the last purchase" term (A4) to the "still
    alive" term (A3), so ln(A3 + A4) = ln A3 + softplus(D) never exponentiates large numbers
    (x can be huge), and log1p keeps accuracy when T - t_x is small against alpha + t_x.
    """
    r, alpha, a, b = np.exp(log_params)
    gammaln, digamma = special.gammaln, special.digamma

    # Terms in x only; differences are formed per distinct x before weighting, so x == 0 gives
    # exact zeros instead of the difference of two large sums.
    xv, xn = s.x_values, s.x_counts
    ll = _dot(
        xn,
        gammaln(r + xv)
        - gammaln(r)
        + gammaln(a + b)
        - gammaln(a + b + xv)
        + gammaln(b + xv)
        - gammaln(b),
    )
    g_r = _dot(xn, digamma(r + xv) - digamma(r))
    g_a = _dot(xn, digamma(a + b) - digamma(a + b + xv))
    g_b = _dot(xn, digamma(a + b) - digamma(a + b + xv) + digamma(b + xv) - digamma(b))

    # Terms in T: r ln(alpha) - (r+x) ln(alpha+T) = -r log1p(T/alpha) - x ln(alpha+T).
    # Each array operation here is a pass over up to a million distinct T: none is repeated.
    tv, tn, tx = s.age_values, s.age_counts, s.age_frequency
    shifted = alpha + tv
    inverse = 1.0 / shifted
    tn_log1p = _dot(tn, np.log1p(tv / alpha))
    ll -= r * tn_log1p + _dot(tx, np.log(shifted))
    g_r -= tn_log1p
    # d/dalpha: -r log1p(T/alpha) gives r T / (alpha (alpha+T)); -x ln(alpha+T) gives -x/(alpha+T)
    g_alpha = r * _dot(tn, tv * inverse) / alpha - _dot(tx, inverse)

    # Repeat buyers: + softplus(D); d softplus / dD = expit(D).
    x, n = s.rep_x, s.rep_counts
    rx = r + x
    gap_ratio = s.rep_gap / (alpha + s.rep_t_x)
    log_ratio = np.log1p(gap_ratio)  # ln((alpha+T) / (alpha+t_x)) >= 0
    b_x = b + s.rep_x_minus_1
    d = np.log(a / b_x) + rx * log_ratio
    ll += _dot(n, np.logaddexp(0.0, d))
    weight = n * special.expit(d)
    g_r += _dot(weight, log_ratio)
    # d/dalpha ln((alpha+T)/(alpha+t_x)) = -(T - t_x) / ((alpha+T)(alpha+t_x))
    g_alpha -= _dot(weight, rx * gap_ratio / (alpha + s.rep_age))
    g_a += float(weight.sum()) / a
    g_b -= _dot(weight, 1.0 / b_x)

    # Chain rule to log-parameters: d/d(ln theta) = theta * d/d theta.
    gradient = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b], dtype=np.float64)
    return float(ll), gradient


def bgnbd_log_likelihood(
    r: float,
    alpha: float,
    a: float,
    b: float,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
) -> tuple[float, FloatArray]:
    """BG/NBD log-likelihood of a sample at given parameters.

    Returns (total log-likelihood, gradient with respect to (ln r, ln alpha, ln a, ln b)).
    The gradient is analytic; it is what ``fit_bgnbd`` climbs.
    """
    log_params = np.log(np.array([r, alpha, a, b], dtype=np.float64))
    return _bgnbd_log_likelihood(log_params, _bgnbd_sample(*_fit_arrays(frequency, recency, T)))


# ----------------------------------------------------------------------------- fitting


def _maximise(
    log_likelihood: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    n_customers: float,
    names: Sequence[str],
    curvature: FloatArray | None = None,
    gtol: float = _GTOL,
) -> tuple[FloatArray, float, FloatArray]:
    """Maximise a log-likelihood over log-parameters with BFGS.

    Returns (log-parameters, total log-likelihood, Hessian of the mean negative log-likelihood
    there). Raises NotEnoughData unless the optimiser stopped at a genuine interior maximum that
    determines every parameter. The optimiser sees the *mean* negative log-likelihood so its
    tolerances (and its Hessian) mean the same for 50 and for 5 million customers.

    ``curvature``, an estimate of that Hessian (from a subsample), preconditions the search:
    BFGS then works in coordinates phi with theta = start + L^-T phi, where curvature = L L^T,
    in which the Hessian is close to the identity BFGS starts from, so it converges in a few
    Newton-like steps instead of learning the curvature over a dozen evaluations. It is then
    also taken as the Hessian at the optimum (it is one, up to the subsample's sampling noise),
    which saves the four extra passes over the data that differencing the gradient costs.

    Why BFGS and not L-BFGS-B: L-BFGS-B's compiled core makes small BLAS calls between our
    evaluations; with OpenBLAS's thread pool each one paid a thread wake-up, which on a busy
    2-core machine cost 2-3 ms per iteration: more than our whole likelihood evaluation for
    fewer than ~300,000 customers. BFGS does its 4x4 algebra in numpy without threads.
    Bounds are emulated by clipping: outside +-_LOG_BOUND the objective is flat, so a
    parameter that runs away stops there and is reported as not identified instead of
    overflowing exp().
    """

    last: dict[bytes, tuple[float, FloatArray]] = {}

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        key = theta.tobytes()
        if key not in last:  # BFGS ends on the point it evaluated last: don't redo it
            last.clear()
            inside = np.abs(theta) < _LOG_BOUND
            ll, gradient = log_likelihood(np.clip(theta, -_LOG_BOUND, _LOG_BOUND))
            last[key] = (-ll / n_customers, np.where(inside, -gradient / n_customers, 0.0))
        return last[key]

    to_theta = np.eye(start.size)
    if curvature is not None:
        to_theta = np.linalg.inv(np.linalg.cholesky(curvature)).T

    def whitened(phi: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = objective(start + to_theta @ phi)
        return value, to_theta.T @ gradient

    result = optimize.minimize(
        whitened,
        np.zeros(start.size),
        jac=True,
        method="BFGS",
        options={"maxiter": _MAX_ITERATIONS, "gtol": gtol},
    )
    theta = start + to_theta @ np.asarray(result.x, dtype=np.float64)
    if not (np.all(np.isfinite(theta)) and np.isfinite(result.fun)):
        raise NotEnoughData(f"the fit diverged ({result.message})")
    at_bound = [
        name
        for name, value in zip(names, theta, strict=True)
        if abs(value) > _LOG_BOUND - _BOUND_MARGIN
    ]
    if at_bound:
        raise NotEnoughData(
            f"the data do not identify the model: {', '.join(at_bound)} ran off to 0 or infinity"
        )
    value, gradient = objective(theta)
    # BFGS reports "precision loss" once it is within rounding of the optimum; what matters is
    # that the gradient has vanished.
    if np.max(np.abs(gradient)) > _ACCEPT_GRADIENT:
        raise NotEnoughData(f"the fit did not converge ({result.message})")
    if curvature is None:
        hessian = _hessian(lambda th: objective(th)[1], theta, gradient)
    else:
        hessian = curvature
    _check_determined(hessian * n_customers, names)
    return theta, -value * n_customers, hessian


def _hessian(
    gradient_of: Callable[[FloatArray], FloatArray], theta: FloatArray, gradient: FloatArray
) -> FloatArray:
    """Symmetrised forward-difference Jacobian of an analytic gradient (i.e. the Hessian)."""
    step = 1e-5
    columns = []
    for j in range(theta.size):
        shifted = theta.copy()
        shifted[j] += step
        columns.append((gradient_of(shifted) - gradient) / step)
    hessian = np.column_stack(columns)
    return np.asarray((hessian + hessian.T) / 2.0, dtype=np.float64)


def _check_determined(information: FloatArray, names: Sequence[str]) -> None:
    """Raise NotEnoughData unless the maximum is a proper one that pins every parameter down.

    Small samples often have a likelihood ridge: the optimiser stops somewhere along it with,
    say, a = 1e-5 and b = 1e5, values that mean nothing. The observed information (Hessian of
    the total negative log-likelihood) gives each ln(parameter) a standard error; beyond
    _MAX_LOG_STANDARD_ERROR the parameter is unknown within a factor of e^3 = 20 and the fit is
    refused.
    """
    try:
        root_inverse = np.linalg.inv(np.linalg.cholesky(information))
    except np.linalg.LinAlgError:
        raise NotEnoughData("the likelihood has no proper maximum for these data") from None
    # inv(information) = L^-T L^-1, so variances are the column sums of squares of L^-1.
    errors = np.sqrt(np.sum(root_inverse**2, axis=0))
    vague = [
        f"standard error of ln {name} is {error:.2g}"
        for name, error in zip(names, errors, strict=True)
        if not error <= _MAX_LOG_STANDARD_ERROR
    ]
    if vague:
        raise NotEnoughData(f"the data leave parameters undetermined: {', '.join(vague)}")


def _warm_start(
    x: FloatArray, t_x: FloatArray, age: FloatArray, scale: float, start: FloatArray
) -> tuple[FloatArray, FloatArray | None, bool]:
    """Fit a subsample of a large sample first: (start, curvature, whether to compress).

    The subsample's optimum is within a few standard errors of the full one and its mean
    Hessian is the full one's up to sampling noise, so the full fit needs only a few passes over
    the data. If the subsample has (almost) no repeated (x, t_x, T), as with continuous-time
    data, neither will the full sample to any useful extent, so compression is skipped. The
    subsample is drawn with a fixed seed: fits stay reproducible.
    """
    pick = np.random.default_rng(0).choice(x.size, size=_WARM_START_CUSTOMERS, replace=False)
    sub = _bgnbd_sample(x[pick], t_x[pick], age[pick], time_unit=scale)
    compress = sub.n_patterns < _COMPRESS_IF_DISTINCT_BELOW * sub.n_customers
    try:
        theta, _, curvature = _maximise(
            lambda th: _bgnbd_log_likelihood(th, sub),
            start,
            sub.n_customers,
            _BGNBD_NAMES,
            gtol=_WARM_START_GTOL,
        )
    except NotEnoughData:  # let the full sample decide, from the usual start
        return start, None, compress
    return theta, curvature, compress


def fit_bgnbd(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    *,
    min_customers: int = MIN_CUSTOMERS,
    min_repeat_customers: int = MIN_REPEAT_CUSTOMERS,
) -> BgNbdParams:
    """Maximum-likelihood BG/NBD fit (one customer per element of the three arrays).

    Returns the fitted parameters, alpha in the time unit of recency and T. Raises ValueError
    for impossible inputs and NotEnoughData when there are fewer than ``min_customers``
    customers or ``min_repeat_customers`` repeat buyers, or when the likelihood has no proper
    maximum.
    """
    x, t_x, age = _fit_arrays(frequency, recency, T)
    n_repeat = int(np.count_nonzero(x))
    if x.size < min_customers or n_repeat < min_repeat_customers:
        raise NotEnoughData(
            f"BG/NBD needs at least {min_customers} customers and {min_repeat_customers} repeat "
            f"buyers; got {x.size} and {n_repeat}"
        )
    # Work in time units where the median T is 1: the starting point and the bounds on ln(alpha)
    # then do not depend on whether the caller counts in days or weeks.
    scale = float(np.median(age)) or float(age.mean())
    if scale <= 0:
        raise NotEnoughData("every customer has T == 0: nothing has been observed yet")
    # Start near the observed rate: with r = 1, E[purchases per unit time] ~ 1 / alpha.
    mean_rate = max(float(x.mean()), 1e-3)
    start = np.array([0.0, -math.log(mean_rate), 0.0, 0.0])
    curvature, compress = None, True
    if x.size > 2 * _WARM_START_CUSTOMERS:
        start, curvature, compress = _warm_start(x, t_x, age, scale, start)
    sample = _bgnbd_sample(x, t_x, age, time_unit=scale, compress=compress)
    theta, ll_scaled, _ = _maximise(
        lambda th: _bgnbd_log_likelihood(th, sample),
        start,
        sample.n_customers,
        _BGNBD_NAMES,
        curvature,
    )
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    # Rescaling time by c = 1/scale multiplies each customer's likelihood by c^(-x).
    ll = ll_scaled - sample.total_frequency * math.log(scale)
    return BgNbdParams(r=r, alpha=alpha * scale, a=a, b=b, log_likelihood=ll)


# ----------------------------------------------------------------------------- BG/NBD scoring


def _log_dropout_odds(
    params: BgNbdParams, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    """ln(A4/A3): log-odds that a repeat buyer dropped out right after the last purchase.

    Only meaningful where x > 0 (callers mask x == 0); max(x, 1) keeps ln(b + x - 1) defined.
    """
    x1 = np.maximum(x, 1.0)
    log_ratio = np.log1p((age - t_x) / (params.alpha + t_x))
    return np.asarray(
        np.log(params.a / (params.b + x1 - 1.0)) + (params.r + x) * log_ratio, dtype=np.float64
    )


def bgnbd_probability_alive(
    params: BgNbdParams, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """P(customer still active at T | x, t_x, T), in [0, 1]; exactly 1 when x == 0.

    1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)), computed as expit(-log-odds)
    so that a huge exponent gives 0 rather than inf/inf.
    """
    x, t_x, age = _customer_arrays(frequency, recency, T)
    alive = special.expit(-_log_dropout_odds(params, x, t_x, age))
    return np.asarray(np.where(x > 0, alive, 1.0), dtype=np.float64)


def _purchases_if_alive(
    params: BgNbdParams, t: FloatArray, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[purchases in (T, T+t] | x, T, still alive at T].

    Published form: (a+b+x-1)/(a-1) * [1 - (1-z)^(r+x) * 2F1(r+x, b+x; a+b+x-1; z)],
    z = t/(alpha+T+t). That 2F1 grows like (1-z)^(a-1-r-x) as z -> 1 while the power shrinks
    like (1-z)^(r+x): for large x one overflows and the other underflows. Euler's transformation
    2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) gives the equal product
    (1-z)^(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z), whose 2F1 instead grows like
    (1-z)^(r+x+1-a): tame for large x, but not for large a. Each customer gets whichever of the
    two has the non-growing 2F1 (exponent >= 0).
    """
    if abs(params.a - 1.0) < _A_STEP:
        low = _purchases_if_alive_at(params, params.a - _A_STEP * 1.5, t, x, age)
        high = _purchases_if_alive_at(params, params.a + _A_STEP * 1.5, t, x, age)
        return np.asarray(0.5 * (low + high), dtype=np.float64)
    return _purchases_if_alive_at(params, params.a, t, x, age)


def _purchases_if_alive_at(
    params: BgNbdParams, a: float, t: FloatArray, x: FloatArray, age: FloatArray
) -> FloatArray:
    r, alpha, b = params.r, params.alpha, params.b
    c = a + b + x - 1.0
    log_survivor = -np.log1p(t / (alpha + age))  # ln(1 - z), accurate for small t
    z = -np.expm1(log_survivor)
    published = a - 1.0 >= r + x  # else Euler's form
    power = np.where(published, r + x, a - 1.0)
    hyp = special.hyp2f1(
        np.where(published, r + x, a + b - 1.0 - r), np.where(published, b + x, a - 1.0), c, z
    )
    # 1 - (1-z)^power * F, arranged so that t -> 0 gives an exact 0 rather than 1 - 1.
    with np.errstate(invalid="ignore", over="ignore"):
        bracket = np.asarray(-(np.expm1(power * log_survivor) * hyp + (hyp - 1.0)))
    if a > 1.0:
        # Both forms fail when a and r + x are both large (F overflows while (1-z)^power
        # underflows). For a > 1 the bracket is a Beta expectation in [0, 1], so it is easy to
        # tell a lost result and recompute it by quadrature.
        lost = ~np.isfinite(hyp) | (np.abs(hyp) > _HYP_LIMIT) | ~((bracket >= 0) & (bracket <= 1))
        if np.any(lost):
            bracket = np.array(bracket, dtype=np.float64)
            bracket[lost] = _bracket_by_quadrature(
                a, (t / (alpha + age))[lost], (r + x)[lost], (b + x)[lost]
            )
    return np.asarray(c / (a - 1.0) * bracket, dtype=np.float64)


def _bracket_by_quadrature(
    a: float, t_ratio: FloatArray, r_x: FloatArray, b_x: FloatArray
) -> FloatArray:
    """1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z) for a > 1, without the hypergeometric function.

    Euler's integral for 2F1 turns it into E[1 - (1 + p t/(alpha+T))^-(r+x)] with
    p ~ Beta(a-1, b+x): a bounded, smooth function of p. We integrate over the Beta quantile u
    (p = I^-1(u)), which puts the nodes where the mass is however concentrated the Beta is,
    with u = (1 - cos(pi v))/2 to soften the quantile's endpoint singularities, and
    Gauss-Legendre in v. Relative error about 1e-8 (1e-6 for a close to 1).
    """
    nodes, weights = np.polynomial.legendre.leggauss(_QUADRATURE_NODES)
    v = (nodes + 1.0) / 2.0
    u = (1.0 - np.cos(np.pi * v)) / 2.0
    du = weights / 2.0 * (np.pi / 2.0) * np.sin(np.pi * v)
    p = special.betaincinv(a - 1.0, b_x[:, None], u[None, :])
    integrand = -np.expm1(-r_x[:, None] * np.log1p(p * t_ratio[:, None]))
    return np.asarray(integrand @ du, dtype=np.float64)


def _horizon(t: npt.ArrayLike) -> FloatArray:
    horizon = _float_array(t, "t")
    if np.any(horizon < 0):
        raise ValueError("t must be >= 0")
    return horizon


def bgnbd_conditional_expected_purchases(
    params: BgNbdParams,
    t: npt.ArrayLike,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods (after T), per customer.

    Equal to P(alive) * E[purchases | alive]; t broadcasts against the customer arrays.
    """
    x, t_x, age = _customer_arrays(frequency, recency, T)
    horizon, x, t_x, age = np.broadcast_arrays(_horizon(t), x, t_x, age)
    alive = bgnbd_probability_alive(params, x, t_x, age)
    return np.asarray(alive * _purchases_if_alive(params, horizon, x, age), dtype=np.float64)


def bgnbd_expected_purchases(params: BgNbdParams, t: npt.ArrayLike) -> FloatArray:
    """E[X(t)]: expected repeat purchases in the first t periods of a new customer.

    (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))], i.e. the
    conditional formula with x = 0, T = 0 (a new customer is alive).
    """
    horizon = _horizon(t)
    zeros = np.zeros_like(horizon)
    return _purchases_if_alive(params, horizon, zeros, zeros)


# ----------------------------------------------------------------------------- simulation


def simulate_bgnbd(
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: npt.ArrayLike,
    *,
    rng: np.random.Generator,
    time_resolution: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Draw (frequency, recency) for customers of ages T from the BG/NBD model itself.

    Per customer: lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b). Purchases after the first form
    a Poisson(lambda) process in continuous time; after each repeat purchase the customer drops
    out with probability p, so the number of repeat purchases they would ever make is
    Geometric(p) on {1, 2, ...}. Every purchase in (0, T] is counted, however close together.

    Given N Poisson events in (0, T], their times are uniform order statistics, so the time of
    the x-th of them is T * Beta(x, N - x + 1): no event times need to be stored.

    ``time_resolution`` rounds recency to that grid (e.g. 1 for whole days, with T in days), as
    when purchases are recorded by date; frequency still counts every purchase.
    """
    age = _float_array(T, "T").ravel()
    if np.any(age < 0):
        raise ValueError("T must be >= 0")
    n = age.size
    rate = rng.gamma(shape=r, scale=1.0 / alpha, size=n)
    # p == 0 would make geometric() fail; 1e-12 means "never drops out" at any realistic horizon.
    dropout = np.clip(rng.beta(a, b, size=n), 1e-12, 1.0)
    events = rng.poisson(rate * age)
    lifetime_purchases = rng.geometric(dropout)
    x = np.minimum(events, lifetime_purchases)
    t_x = np.zeros(n)
    buyers = x > 0
    t_x[buyers] = age[buyers] * rng.beta(x[buyers], events[buyers] - x[buyers] + 1)
    if time_resolution is not None:
        t_x = np.minimum(np.round(t_x / time_resolution) * time_resolution, age)
    return x.astype(np.float64), t_x


# ----------------------------------------------------------------------------- Gamma-Gamma


@dataclass(frozen=True)
class _SpendSample:
    n_customers: float
    x_values: FloatArray  # distinct frequencies (> 0)
    x_counts: FloatArray
    x: FloatArray  # per customer
    total: FloatArray  # x * mean spend, per customer
    sum_log_spend: float


def _spend_arrays(
    frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Repeat buyers' (x, mean spend); others are dropped (their monetary value is unused)."""
    x, spend = np.broadcast_arrays(
        _float_array(frequency, "frequency"), np.asarray(monetary_value, dtype=np.float64)
    )
    x, spend = x.ravel(), spend.ravel()
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be whole numbers >= 0")
    repeat = x > 0
    x, spend = x[repeat], spend[repeat]
    if not np.all(np.isfinite(spend)) or np.any(spend <= 0):
        raise ValueError("monetary_value must be > 0 for customers with frequency > 0")
    return x, spend


def _spend_sample(x: FloatArray, spend: FloatArray) -> _SpendSample:
    x_values, (x_counts,) = _group_sums(x, np.ones_like(x))
    return _SpendSample(
        n_customers=float(x.size),
        x_values=x_values,
        x_counts=x_counts,
        x=x,
        total=x * spend,
        sum_log_spend=float(np.log(spend).sum()),
    )


def _gamma_gamma_log_likelihood(
    log_params: FloatArray, s: _SpendSample
) -> tuple[float, FloatArray]:
    """Total log-likelihood and gradient w.r.t. (ln p, ln q, ln v).

    Per customer with x > 0 and mean spend m (Fader & Hardie 2013):

        ll = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(v+xm)
           = lnG(px+q) - lnG(px) - lnG(q) - px log1p(v/(xm)) - q log1p(xm/v) - ln m

    The second form never subtracts two large logarithms (px ln(xm) - px ln(v+xm)), which
    would lose all precision for big spenders or big x.
    """
    p, q, v = np.exp(log_params)
    gammaln, digamma = special.gammaln, special.digamma
    xv, xn = s.x_values, s.x_counts
    px = p * xv
    ll = _dot(xn, gammaln(px + q) - gammaln(px) - gammaln(q))
    psi_pxq = digamma(px + q)
    g_p = _dot(xn, xv * (psi_pxq - digamma(px)))
    g_q = _dot(xn, psi_pxq - digamma(q))

    x, xm = s.x, s.total
    log_v_over = np.log1p(v / xm)
    log_xm_over = np.log1p(xm / v)
    ll -= p * _dot(x, log_v_over) + q * float(log_xm_over.sum()) + s.sum_log_spend
    g_p -= _dot(x, log_v_over)
    g_q -= float(log_xm_over.sum())
    # v * d/dv = (q xm - p x v) / (v + xm), already in log-parameter form.
    g_log_v = float(((q * xm - p * v * x) / (v + xm)).sum())

    gradient = np.array([g_p * p, g_q * q, g_log_v], dtype=np.float64)
    return float(ll), gradient


def gamma_gamma_log_likelihood(
    p: float, q: float, v: float, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> tuple[float, FloatArray]:
    """Gamma-Gamma log-likelihood over customers with frequency > 0.

    Returns (total of log f(mean spend | x), gradient with respect to (ln p, ln q, ln v)).
    """
    sample = _spend_sample(*_spend_arrays(frequency, monetary_value))
    return _gamma_gamma_log_likelihood(np.log(np.array([p, q, v], dtype=np.float64)), sample)


def fit_gamma_gamma(
    frequency: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    min_customers: int = MIN_SPEND_CUSTOMERS,
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma fit.

    ``monetary_value`` is each customer's mean spend per *repeat* transaction; only customers
    with frequency > 0 are used (others may carry any value, e.g. 0). The model assumes spend is
    independent of purchase frequency: check that before relying on it.
    Raises NotEnoughData with fewer than ``min_customers`` repeat buyers, without a proper
    maximum, or when q <= 1 (the population mean spend would be infinite).
    """
    x, spend = _spend_arrays(frequency, monetary_value)
    if x.size < min_customers:
        raise NotEnoughData(
            f"Gamma-Gamma needs at least {min_customers} repeat buyers; got {x.size}"
        )
    # Money units where the mean spend is 1, for the same reason as time in fit_bgnbd.
    scale = float(spend.mean())
    sample = _spend_sample(x, spend / scale)
    theta, ll_scaled, _ = _maximise(
        lambda th: _gamma_gamma_log_likelihood(th, sample),
        np.zeros(3),
        sample.n_customers,
        ("p", "q", "v"),
    )
    p, q, v = (float(value) for value in np.exp(theta))
    if q <= 1.0:
        raise NotEnoughData(f"spend is too heavy-tailed to average (q = {q:.3g} <= 1)")
    # Spend divided by c multiplies each customer's density by c.
    ll = ll_scaled - sample.n_customers * math.log(scale)
    return GammaGammaParams(p=p, q=q, v=v * scale, log_likelihood=ll)


def gamma_gamma_expected_spend(
    params: GammaGammaParams, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike
) -> FloatArray:
    """E[mean spend per transaction | x, m]: the customer's expected spend per purchase.

    (p v + p x m) / (p x + q - 1): a weighted average of the population mean p v/(q-1) and the
    customer's own mean m, the latter weighing more the more purchases we have seen. For x == 0
    it is the population mean and m is ignored.
    """
    x, spend = np.broadcast_arrays(
        _float_array(frequency, "frequency"), np.asarray(monetary_value, dtype=np.float64)
    )
    own = np.where(x > 0, spend, 0.0)  # ignore whatever (even NaN) is stored for non-repeaters
    if not np.all(np.isfinite(own)) or np.any(own[x > 0] <= 0):
        raise ValueError("monetary_value must be > 0 for customers with frequency > 0")
    p, q, v = params.p, params.q, params.v
    return np.asarray((p * v + p * x * own) / (p * x + q - 1.0), dtype=np.float64)


# ----------------------------------------------------------------------------- CLV


def customer_lifetime_value(
    bgnbd: BgNbdParams,
    gamma_gamma: GammaGammaParams,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    periods_per_month: float,
    months: int = 12,
    monthly_discount_rate: float = 0.01,
) -> FloatArray:
    """Discounted expected spend over the next ``months`` months, per customer.

    sum over i = 1..months of (E[Y(i m)] - E[Y((i-1) m)]) * spend / (1 + d)^i, with m =
    ``periods_per_month`` (30 if T is in days, 4.345 if in weeks), E[Y] from BG/NBD and spend
    from Gamma-Gamma (the approach of the `lifetimes` package, with monthly discounting at
    the end of each month).
    """
    if months < 0 or periods_per_month <= 0 or monthly_discount_rate <= -1:
        raise ValueError("need months >= 0, periods_per_month > 0, monthly_discount_rate > -1")
    x, t_x, age = _customer_arrays(frequency, recency, T)
    spend = gamma_gamma_expected_spend(gamma_gamma, x, monetary_value)
    alive = bgnbd_probability_alive(bgnbd, x, t_x, age)
    # Purchases if alive depend on (x, T) only, which customers share far more often than
    # (x, t_x, T): evaluate the hypergeometric function once per distinct pair and horizon.
    (x_d, age_d), _, inverse = _distinct_rows([x.ravel(), age.ravel()])
    discounted = np.zeros(x_d.shape)
    previous = np.zeros(x_d.shape)
    for month in range(1, months + 1):
        horizon = np.full(x_d.shape, month * periods_per_month)
        cumulative = _purchases_if_alive(bgnbd, horizon, x_d, age_d)
        discounted += (cumulative - previous) / (1.0 + monthly_discount_rate) ** month
        previous = cumulative
    per_customer = discounted[inverse].reshape(x.shape)
    return np.asarray(alive * spend * per_customer, dtype=np.float64)


# ----------------------------------------------------------------------------- one customer


def _day_number(value: date | float) -> float:
    return float(value.toordinal()) if isinstance(value, date) else float(value)


def customer_rhythm(
    purchase_days: Sequence[date] | Sequence[float], *, today: date | float
) -> CustomerRhythm:
    """A customer's own rhythm from their purchase days, sorted oldest first.

    Days are dates (a datetime counts as its calendar date) or day numbers; ``today`` is the
    same kind. Raises ValueError when there is no purchase, the days are not sorted, or
    ``today`` is before the last purchase.
    """
    if not purchase_days:
        raise ValueError("no purchases: there is no rhythm yet")
    kinds = {isinstance(day, date) for day in [*purchase_days, today]}
    if len(kinds) > 1:
        raise TypeError("purchase days and today must all be dates or all be day numbers")
    days = np.array([_day_number(day) for day in purchase_days], dtype=np.float64)
    now = _day_number(today)
    if not np.all(np.isfinite(days)) or not math.isfinite(now):
        raise ValueError("days must be finite")
    if np.any(np.diff(days) < 0):
        raise ValueError("purchase days must be sorted oldest first")
    since_last = now - float(days[-1])
    if since_last < 0:
        raise ValueError("today is before the last purchase")
    gaps = np.diff(np.unique(days))
    if gaps.size == 0:
        return CustomerRhythm(days.size, None, since_last, None)
    typical = float(np.median(gaps))
    return CustomerRhythm(days.size, typical, since_last, since_last / typical)
