from datetime import timedelta

from followthrough.accounts.services import rate_limit_clear, rate_limit_hit, rate_limit_peek
from followthrough.conftest import NOW


def test_it_allows_up_to_the_limit_in_a_window(db) -> None:
    hits = [rate_limit_hit(key="login:dana", limit=3, window_seconds=60, now=NOW) for _ in range(4)]
    assert hits == [True, True, True, False]
    assert not rate_limit_peek(key="login:dana", limit=3, window_seconds=60, now=NOW)
    assert rate_limit_peek(key="login:other", limit=3, window_seconds=60, now=NOW)


def test_a_new_window_starts_over(db) -> None:
    for _ in range(5):
        rate_limit_hit(key="k", limit=3, window_seconds=60, now=NOW)
    later = NOW + timedelta(seconds=61)
    assert rate_limit_peek(key="k", limit=3, window_seconds=60, now=later)
    assert rate_limit_hit(key="k", limit=3, window_seconds=60, now=later)


def test_clearing_resets(db) -> None:
    for _ in range(5):
        rate_limit_hit(key="k", limit=3, window_seconds=60, now=NOW)
    rate_limit_clear(key="k")
    assert rate_limit_hit(key="k", limit=3, window_seconds=60, now=NOW)
