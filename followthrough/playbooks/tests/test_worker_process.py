"""A real `followthrough worker` process takes queued events from a real queue and plans the
follow-ups, in the same database as the test: huey's SQLite file (the embedded default) and, when
FOLLOWTHROUGH_TEST_REDIS_URL is set (CI starts a Redis), Redis.

The web process that queues the job is played by a second small process with the same
environment, because this test process's own queue was configured (and made immediate) at startup.
"""

import fcntl
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

import followthrough
from followthrough.activity.models import PENDING, FollowUp
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.people.models import Contact

REPO = Path(followthrough.__file__).resolve().parent.parent
TIMEOUT = 20.0
REDIS_URL = os.environ.get("FOLLOWTHROUGH_TEST_REDIS_URL", "")

PRODUCER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "followthrough.settings"
import django
django.setup()
from huey.contrib.djhuey import HUEY
from followthrough.playbooks.tasks import events_process_task
HUEY.flush()  # a queue left over by an interrupted run must not run first
events_process_task([int(i) for i in sys.argv[1:]])
print(HUEY.pending_count())
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_at_a_time() -> Iterator[None]:
    """Two runs at once (two suites on one machine) would share the Redis queue and take each
    other's jobs, so this test holds a machine-wide lock while it runs."""
    with open(Path(tempfile.gettempdir()) / "followthrough-worker-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def database_url() -> str:
    """The test database (not the one named in settings) as FOLLOWTHROUGH_DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}"
                                         if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(data_dir: Path, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "FOLLOWTHROUGH_REDIS_URL"}}
    env["FOLLOWTHROUGH_DATA_DIR"] = str(data_dir)  # huey's SQLite queue file lives here
    env["FOLLOWTHROUGH_DATABASE_URL"] = database_url()
    if redis_url:
        env["FOLLOWTHROUGH_REDIS_URL"] = redis_url
    return env


def enqueue(event_ids: list[int], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PRODUCER, *map(str, event_ids)], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1"], result.stdout  # one job waiting in the queue


def wait_for(condition, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def record_unprocessed(workspace) -> list[Event]:
    """A purchase by a known client and a lead from someone new, stored but not evaluated."""
    now = timezone.now()
    items = [
        EventInput(type="purchase.made", occurred_at=now, source="shop", external_id="order-1",
                   contact=ContactRef(email="dana@example.com"), data={"amount": "1899"}),
        EventInput(type="lead.created", occurred_at=now, source="website", external_id="lead-1",
                   contact=ContactRef(email="nina@example.com", name="Nina Newrider"),
                   data={"channel": "web_form"}),
    ]
    return [event_record(workspace=workspace, item=item) for item in items]


def run_through_a_worker(workspace, contact, tmp_path: Path, redis_url: str) -> None:
    events = record_unprocessed(workspace)
    env = worker_env(tmp_path, redis_url)
    enqueue([e.pk for e in events], env)
    assert Event.objects.filter(processed_at__isnull=True).count() == 2  # waiting in the queue
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "followthrough", "worker", "--workers", "1"], cwd=REPO,
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            done = wait_for(lambda: not Event.objects.filter(processed_at__isnull=True).exists())
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    output = log.read_text()
    assert done, f"the worker did not process the events in {TIMEOUT:.0f} s:\n{output}"
    assert "events_process_task" in output, output  # the queued job did it, not a periodic tick
    note = FollowUp.objects.get(contact=contact, channel="note", status__in=PENDING)
    assert note.purpose.startswith("Handwritten thank-you note to Dana")
    assert note.event == events[0]
    nina = Contact.objects.get(workspace=workspace, emails__email="nina@example.com")
    assert nina.followups.filter(status__in=PENDING).first().purpose.startswith("Welcome Nina")


def test_a_worker_process_plans_follow_ups_from_the_sqlite_queue(
    workspace, alice, contact, tmp_path
) -> None:
    run_through_a_worker(workspace, contact, tmp_path, redis_url="")


@pytest.mark.skipif(not REDIS_URL, reason="FOLLOWTHROUGH_TEST_REDIS_URL is not set (CI sets it "
                    "to a Redis it starts; locally: redis-server --port 6390, then "
                    "FOLLOWTHROUGH_TEST_REDIS_URL=redis://127.0.0.1:6390/15)")
def test_a_worker_process_plans_follow_ups_from_the_redis_queue(
    workspace, alice, contact, tmp_path
) -> None:
    run_through_a_worker(workspace, contact, tmp_path, redis_url=REDIS_URL)
