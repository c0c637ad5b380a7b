"""Shared test fixtures: one workspace ("Spoke & Chain Cycles") with alice (owner) and bob (member),
and charlie, an outsider in another workspace, for isolation tests. Time is frozen by the tests
that need it with time-machine."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from followthrough.accounts.models import Role, User, Workspace
from followthrough.accounts.services import user_create, workspace_create
from followthrough.activity.models import FollowUp
from followthrough.activity.services import followup_create
from followthrough.people.models import Contact
from followthrough.people.services import PhoneInput, contact_create

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday, 09:00 in New York


@pytest.fixture(autouse=True)
def _huey_immediate() -> Any:
    """Queued tasks run at once, in the test's process (a real consumer is tested separately)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return workspace_create(name="Spoke & Chain Cycles", timezone_name="America/New_York")


@pytest.fixture
def alice(workspace: Workspace) -> User:
    return user_create(
        workspace=workspace,
        email="alice@spokechain.test",
        password=PASSWORD,
        role=Role.OWNER,
        first_name="Alice",
        last_name="Owner",
    )


@pytest.fixture
def bob(workspace: Workspace) -> User:
    return user_create(
        workspace=workspace,
        email="bob@spokechain.test",
        password=PASSWORD,
        role=Role.MEMBER,
        first_name="Bob",
        last_name="Mechanic",
    )


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return workspace_create(name="Riverside Law", timezone_name="Europe/London", region="GB")


@pytest.fixture
def charlie(other_workspace: Workspace) -> User:
    return user_create(
        workspace=other_workspace,
        email="charlie@riverside.test",
        password=PASSWORD,
        role=Role.OWNER,
        first_name="Charlie",
    )


@pytest.fixture
def make_contact(workspace: Workspace, alice: User) -> Callable[..., Contact]:
    """make_contact("Dana", "Rider", email=…, phone=…, tags=[…], **fields)."""

    def make(
        first: str = "Dana",
        last: str = "Rider",
        *,
        email: str = "",
        phone: str = "",
        tags: tuple[str, ...] = (),
        ws: Workspace | None = None,
        by: User | None = None,
        **fields: Any,
    ) -> Contact:
        return contact_create(
            workspace=ws or workspace,
            by=by or (alice if ws is None else None),
            fields={"first_name": first, "last_name": last, **fields},
            emails=[email] if email else [],
            phones=[PhoneInput(phone)] if phone else [],
            tags=list(tags),
        )

    return make


@pytest.fixture
def contact(make_contact: Callable[..., Contact]) -> Contact:
    return make_contact(
        "Dana",
        "Rider",
        email="dana@example.com",
        phone="+1 415 555 0100",
        stage="client",
        tier="gold",
        tags=("road cycling",),
    )


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
        followup = followup_create(
            contact=contact, by=alice, purpose=purpose, now=NOW - timedelta(days=60), **kwargs
        )
        FollowUp.objects.filter(pk=followup.pk).update(due_at=due_at)
        followup.refresh_from_db()
        return followup

    return make


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, driven by Playwright (see followthrough/tests/browser.py)."""
    from followthrough.tests.browser import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
