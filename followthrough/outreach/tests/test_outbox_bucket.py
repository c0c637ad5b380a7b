"""The global send rate limit (sending.SendBucket) when workers contend for it: a worker that
had to wait for another one's lock must not be handed the time it spent waiting a second time."""

import threading
import time

import pytest
from django.db import connection, transaction

from followthrough.outreach.models import SendBucket
from followthrough.outreach.sending import BUCKET_KEY, BURST_SECONDS, _bucket_take

# Threads have their own database connections: they only see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

RATE = 100.0
CAPACITY = int(RATE * BURST_SECONDS)


def _in_thread(work, results: list[int]) -> threading.Thread:
    def run() -> None:
        try:
            results.append(work())
        finally:
            connection.close()  # this thread's connection, or the test database stays in use

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_it_grants_no_more_than_the_rate_while_a_worker_waits_for_the_lock():
    assert _bucket_take(1000, RATE)[0] == CAPACITY  # a new bucket is full; now it is empty
    locked = threading.Event()
    window_opened: list[float] = []

    def holder() -> int:  # worker A holds the bucket a while, then takes what refilled
        with transaction.atomic():
            # On SQLite the IMMEDIATE transaction already is the lock.
            SendBucket.objects.select_for_update().get(key=BUCKET_KEY)
            locked.set()
            time.sleep(0.5)
            window_opened.append(time.time())
            return _bucket_take(1000, RATE)[0]

    def waiter() -> int:  # worker B asks while A holds the lock
        assert locked.wait(timeout=10)
        return _bucket_take(1000, RATE)[0]

    grants: list[int] = []
    threads = [_in_thread(holder, grants), _in_thread(waiter, grants)]
    for thread in threads:
        thread.join(timeout=30)
    grants.append(_bucket_take(1000, RATE)[0])  # and A again, right after B
    window_closed = time.time()
    assert len(grants) == 3 and CAPACITY in grants  # A's refill after half a second: a full bucket
    # Every grant since A's refill falls between window_opened and window_closed: together at
    # most one bucket plus the rate times that window (a few hundredths of a second).
    assert sum(grants) <= CAPACITY + RATE * (window_closed - window_opened[0]), grants
