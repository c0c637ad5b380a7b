"""Twenty deliveries of one event at the same moment, each in its own thread and database
connection, as twenty web workers would receive a webhook retried by an impatient sender."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection

from followthrough.activity.models import FollowUp
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.people.models import Contact
from followthrough.playbooks.engine import event_process, playbooks_install_defaults

DELIVERIES = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replays_give_one_event_and_one_followup(workspace, alice) -> None:
    playbooks_install_defaults(workspace=workspace)
    item = EventInput(
        type="service.interaction",
        occurred_at=NOW,
        source="shop",
        external_id="visit-981",
        contact=ContactRef(email="walkin@example.com", name="Wally Walkin"),
    )
    start = Barrier(DELIVERIES)

    def deliver(_: int) -> int:
        try:
            start.wait()
            event = event_record(workspace=workspace, item=item)
            event_process(event_id=event.pk, now=NOW)
            return event.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(DELIVERIES) as pool:
        ids = set(pool.map(deliver, range(DELIVERIES)))

    assert len(ids) == 1
    assert Event.objects.count() == 1
    assert Contact.objects.filter(first_name="Wally").count() == 1
    assert FollowUp.objects.count() == 1
