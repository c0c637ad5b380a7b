"""Fixtures for the web UI tests: time frozen at NOW (Monday 09:00 in New York), a logged-in
client for alice and for charlie, a helper to plan a follow-up at an exact moment, and
purchases for the rhythm and value pages."""

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from followthrough.accounts.models import User
from followthrough.activity.models import FollowUp
from followthrough.activity.services import followup_create
from followthrough.conftest import NOW

# Fixtures for the rhythm and value pages: `buy(contact, *days_ago, amount=50)` writes real
# purchase.made events in bulk, and `synthetic` 300 customers drawn from the BG/NBD model so
# the workspace has enough history for the model to fit (shared with insight's tests).
from followthrough.insight.tests.conftest import buy, synthetic  # noqa: F401
from followthrough.people.models import Contact

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The real hasher is slow on purpose; these tests are about the pages, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


@pytest.fixture
def charlie_client(charlie: User) -> Client:
    other = Client()
    other.force_login(charlie)
    return other


@pytest.fixture
def plan(alice: User) -> Callable[..., FollowUp]:
    """plan(contact, "purpose", due_at, assignee=…): a follow-up due exactly at `due_at`."""

    def make(contact: Contact, purpose: str, due_at: datetime, **kwargs: Any) -> FollowUp:
        followup = followup_create(contact=contact, by=alice, purpose=purpose,
                                   now=NOW - timedelta(days=60), **kwargs)
        FollowUp.objects.filter(pk=followup.pk).update(due_at=due_at)
        followup.refresh_from_db()
        return followup

    return make
