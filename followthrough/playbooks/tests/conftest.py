from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from followthrough.activity.models import PENDING, FollowUp
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.playbooks.engine import event_process, playbooks_install_defaults


@pytest.fixture
def defaults(workspace, alice) -> None:
    playbooks_install_defaults(workspace=workspace)


@pytest.fixture
def happen(workspace) -> Callable[..., Event]:
    """happen("purchase.made", contact, at=…, **data): record an event and let the engine
    evaluate it at NOW, as the worker would right after it arrives."""
    counter = iter(range(10_000))

    def record(
        kind: str,
        contact,
        *,
        at: datetime = NOW,
        external_id: str = "",
        now: datetime = NOW,
        **data: Any,
    ) -> Event:
        event = event_record(
            workspace=workspace,
            item=EventInput(
                type=kind,
                occurred_at=at,
                source="test",
                contact=ContactRef(id=contact.pk),
                external_id=external_id or f"e{next(counter)}",
                data=data,
            ),
        )
        event_process(event_id=event.pk, now=now)
        return event

    return record


def pending(contact) -> list[FollowUp]:
    return list(FollowUp.objects.filter(contact=contact, status__in=PENDING).order_by("due_at"))
