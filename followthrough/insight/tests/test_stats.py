"""Newcombe's hybrid score interval against the worked examples of Newcombe (1998), Table II,
method 10."""

import numpy as np
import pytest

from followthrough.insight.stats import newcombe_interval, sample_size_per_group, wilson_interval


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ],
)
def test_it_matches_the_published_intervals(counts, published) -> None:
    assert newcombe_interval(*counts) == pytest.approx(published, abs=1e-4)


def test_wilson_stays_inside_zero_and_one() -> None:
    assert wilson_interval(0, 10)[0] == 0 and wilson_interval(10, 10)[1] == pytest.approx(1)
    assert wilson_interval(10, 10)[1] <= 1
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_sample_size_for_a_ten_point_lift() -> None:
    # 18% -> 28% at 80% power, 5% two-sided: about 280 per group by the usual formula.
    assert 270 <= sample_size_per_group(0.18) <= 290
    assert sample_size_per_group(0.5) > sample_size_per_group(0.05)


def test_the_interval_covers_the_true_difference_95_times_in_100() -> None:
    rng = np.random.default_rng(0)
    treated, held = rng.binomial(900, 0.30, 4000), rng.binomial(400, 0.18, 4000)
    covered = [
        low < 0.12 < high
        for low, high in (
            newcombe_interval(int(t), 900, int(h), 400) for t, h in zip(treated, held, strict=True)
        )
    ]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.015)
