"""Benchmark of followthrough.core.rhythm on 1,000,000 simulated customers.

Run from the repository root:  python bench/bench_rhythm.py  [--customers N] [--repeats K]

Customers are drawn from the BG/NBD model itself (CDNOW-like parameters, time in days: acquired
over the last year, purchases recorded by date). Times:

- fit_bgnbd on them (target < 1 s), and lifetimes' BetaGeoFitter().fit on the same arrays when
  lifetimes is importable (target: ours >= 10x faster, parameters within 0.1 %);
- the same fit on continuous-time data (no two customers share a pattern: compression's worst
  case);
- scoring every customer: P(alive) + expected purchases in the next 30 days (target < 0.5 s);
- 12-month CLV for every customer (no target; for information).
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from followthrough.core.rhythm import (  # noqa: E402 - after the path tweak above
    BgNbdParams,
    GammaGammaParams,
    bgnbd_conditional_expected_purchases,
    bgnbd_probability_alive,
    customer_lifetime_value,
    fit_bgnbd,
    simulate_bgnbd,
)

SEED = 20050101
# CDNOW estimates (Fader, Hardie & Lee 2005a) with alpha converted from weeks to days.
TRUE = BgNbdParams(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426, log_likelihood=float("nan"))
SPEND = GammaGammaParams(p=6.25, q=3.74, v=15.44, log_likelihood=float("nan"))

Result = TypeVar("Result")


def timed(function: Callable[[], Result], repeats: int) -> tuple[Result, list[float]]:
    """Run `function` `repeats` times; return its last result and every wall-clock time."""
    seconds = []
    result = function()  # untimed warm-up (lazy imports, page faults)
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return result, seconds


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}, "
        f"{platform.python_implementation()} {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}, "
        f"load average {os.getloadavg()[0]:.1f} (other work shares the cores), "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    )


def simulate(n: int, *, continuous: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    if continuous:
        T = rng.uniform(1, 365, n)
        x, t_x = simulate_bgnbd(TRUE.r, TRUE.alpha, TRUE.a, TRUE.b, T, rng=rng)
    else:
        T = rng.integers(1, 366, n).astype(np.float64)
        x, t_x = simulate_bgnbd(TRUE.r, TRUE.alpha, TRUE.a, TRUE.b, T, rng=rng, time_resolution=1.0)
    return x, t_x, T


def vector(params: BgNbdParams) -> np.ndarray:
    return np.array([params.r, params.alpha, params.a, params.b])


def fit_lifetimes(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, float] | str:
    """(parameters, seconds) from lifetimes, or why it could not be run."""
    try:
        from lifetimes import BetaGeoFitter
    except ImportError as error:  # not a dependency of the project: compare only when present
        return f"lifetimes not importable ({error}); comparison skipped"
    start = time.perf_counter()
    fitter = BetaGeoFitter().fit(x, t_x, T)
    seconds = time.perf_counter() - start
    params = fitter.params_
    return np.array([params["r"], params["alpha"], params["a"], params["b"]]), seconds


def row(name: str, seconds: list[float], target: str, note: str = "") -> str:
    best = min(seconds)
    typical = statistics.median(seconds)
    return f"| {name} | {best:.3f} | {typical:.3f} | {target} | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n, repeats = args.customers, args.repeats

    print(f"machine: {machine()}")
    x, t_x, T = simulate(n, continuous=False)
    print(
        f"{n:,} customers (days, seed {SEED}): {np.count_nonzero(x):,} repeat buyers, "
        f"mean frequency {x.mean():.3f}, max {x.max():.0f}"
    )
    rows = ["| step | best s | median s | target | note |", "|---|---:|---:|---|---|"]

    ours, seconds = timed(lambda: fit_bgnbd(x, t_x, T), repeats)
    print(f"ours:      {ours}")
    rows.append(row("fit_bgnbd, whole days", seconds, "< 1 s"))

    compared = fit_lifetimes(x, t_x, T)
    if isinstance(compared, str):
        print(compared)
        rows.append(f"| lifetimes BetaGeoFitter().fit | - | - | - | {compared} |")
    else:
        theirs, lifetimes_seconds = compared
        difference = np.max(np.abs(vector(ours) / theirs - 1))
        speedup = lifetimes_seconds / min(seconds)
        print(f"lifetimes: r, alpha, a, b = {theirs}")
        rows.append(
            f"| lifetimes BetaGeoFitter().fit | {lifetimes_seconds:.3f} | (1 run) | "
            f"ours >= 10x faster | ours {speedup:.0f}x faster; largest parameter difference "
            f"{difference:.1e} (target < 1e-3) |"
        )
    recovered = np.max(np.abs(vector(ours) / vector(TRUE) - 1))
    print(f"largest relative distance from the true parameters: {recovered:.2%}")

    xc, t_xc, Tc = simulate(n, continuous=True)
    continuous, seconds = timed(lambda: fit_bgnbd(xc, t_xc, Tc), repeats)
    print(f"ours, continuous time: {continuous}")
    rows.append(row("fit_bgnbd, continuous time", seconds, "< 1 s", "no repeated patterns"))

    def score() -> np.ndarray:
        alive = bgnbd_probability_alive(ours, x, t_x, T)
        expected = bgnbd_conditional_expected_purchases(ours, 30.0, x, t_x, T)
        return np.asarray(alive + expected)

    _, seconds = timed(score, repeats)
    rows.append(row("P(alive) + E[purchases in 30 days]", seconds, "< 0.5 s"))

    monetary = np.where(x > 0, 35.0, 0.0)
    _, seconds = timed(
        lambda: customer_lifetime_value(ours, SPEND, x, t_x, T, monetary, periods_per_month=30.0),
        max(1, repeats // 2),
    )
    rows.append(row("12-month CLV (12 horizons)", seconds, "-"))

    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
