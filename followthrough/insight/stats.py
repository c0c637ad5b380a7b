"""Confidence intervals and sample sizes for proportions (pure; used by the lift report).

The interval for the difference of two proportions is Newcombe's hybrid score interval
(Newcombe 1998, "Interval estimation for the difference between independent proportions",
Statistics in Medicine 17, method 10): it combines the two Wilson score intervals, stays inside
[-1, 1] and keeps close to 95% coverage with small groups and rates near 0 or 1, where the
textbook normal approximation (Wald) is too narrow.
"""

import math
from typing import Final

Z_95: Final = 1.959963984540054
Z_POWER_80: Final = 0.8416212335729143
# The smallest change worth detecting, for "need ~N held out": 10 percentage points.
DETECTABLE_LIFT: Final = 0.10


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0, 1) when n == 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe_interval(x1: int, n1: int, x0: int, n0: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p0 (x successes of n in each group)."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_interval(x1, n1, z)
    l0, u0 = wilson_interval(x0, n0, z)
    difference = p1 - p0
    lower = difference - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    upper = difference + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return lower, upper


def sample_size_per_group(base_rate: float, lift: float = DETECTABLE_LIFT) -> int:
    """People per group to detect `lift` over `base_rate` with 80% power at the 5% level
    (two-sided test of two proportions, the usual normal formula)."""
    p0 = min(max(base_rate, 0.01), 0.99 - lift)
    p1 = p0 + lift
    mean = (p0 + p1) / 2
    root = Z_95 * math.sqrt(2 * mean * (1 - mean)) + Z_POWER_80 * math.sqrt(
        p0 * (1 - p0) + p1 * (1 - p1)
    )
    return math.ceil(root * root / (lift * lift))
