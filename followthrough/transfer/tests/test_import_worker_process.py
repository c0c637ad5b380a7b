"""A real `followthrough worker` process runs a queued import: the web process (played by a
small second process, since this one's queue is immediate) queues the job id, the worker claims
the job, imports the file and the page would show the result."""

import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.people.models import Contact
from followthrough.playbooks.tests.test_worker_process import (  # noqa: F401  (a fixture)
    REPO,
    TIMEOUT,
    one_at_a_time,
    wait_for,
    worker_env,
)
from followthrough.transfer.importing.jobs import import_job_create, import_job_start
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.transfer.tests.conftest import DATA

PRODUCER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "followthrough.settings"
import django
django.setup()
from huey.contrib.djhuey import HUEY
from followthrough.transfer.tasks import import_job_task
HUEY.flush()
import_job_task(int(sys.argv[1]))
print(HUEY.pending_count())
"""

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_process_imports_a_queued_file(alice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    job = import_job_create(workspace=alice.workspace, by=alice, file_name="google.csv",
                            data=(DATA / "google_contacts.csv").read_bytes())  # fmt: skip
    import_job_start(job=job, mapping=job.mapping, dry_run=False, queue=False)
    env = worker_env(tmp_path, redis_url="")
    queued = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PRODUCER, str(job.pk)], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert queued.returncode == 0 and queued.stdout.split() == ["1"], queued.stderr
    assert not Contact.objects.exists()
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "followthrough", "worker", "--workers", "1"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            done = wait_for(
                lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.IMPORTED
            )
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    assert done, f"not imported in {TIMEOUT:.0f} s:\n{log.read_text()}"
    assert "import_job_task" in log.read_text()
    assert Contact.objects.filter(emails__email="sam.okafor@example.org").exists()
    assert ImportJob.objects.get(pk=job.pk).rejected_rows.count() == 1
