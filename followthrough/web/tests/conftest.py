"""Fixtures for the web UI tests: time frozen at NOW (Monday 09:00 in New York), a logged-in
client for alice and for charlie, a helper to plan a follow-up at an exact moment, and
purchases for the rhythm and value pages."""

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from followthrough.conftest import NOW

# Fixtures for the rhythm and value pages: `buy(contact, *days_ago, amount=50)` writes real
# purchase.made events in bulk, and `synthetic` 300 customers drawn from the BG/NBD model so
# the workspace has enough history for the model to fit (shared with insight's tests).
from followthrough.insight.tests.conftest import buy, synthetic  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The real hasher is slow on purpose; these tests are about the pages, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


