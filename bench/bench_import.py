"""Contact import: a 100,000-row CSV with 5% duplicate rows and 1% bad rows (SQLite).

    .venv/bin/python bench/bench_import.py      # a fresh data folder in bench/out/import

ROWS=N changes the size. Times the whole worker step (read, plan, write) that the Import page
and `followthrough import contacts` run, then the dry run of the same file against the
now-full book (every row matches someone), then undo.
"""

import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "import"
shutil.rmtree(OUT, ignore_errors=True)
OUT.mkdir(parents=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
os.environ["FOLLOWTHROUGH_DATA_DIR"] = str(OUT)
os.environ["FOLLOWTHROUGH_DATABASE_URL"] = ""
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402

from followthrough.accounts.models import Workspace  # noqa: E402
from followthrough.people.models import Contact, ContactEmail, ContactPhone  # noqa: E402
from followthrough.transfer.importing.jobs import (  # noqa: E402
    import_job_create,
    import_job_start,
    import_job_undo,
    import_job_work,
)
from followthrough.transfer.models import ImportJob  # noqa: E402

N = int(os.environ.get("ROWS", "100000"))
HEADER = "First Name,Last Name,E-mail Address,Mobile Phone,Company,Job Title,Birthday,Categories"
FIRST = ["Dana", "Sam", "Priya", "Tom", "Zoë", "Arjun", "Casey", "Robin", "Jordan", "Morgan"]
LAST = ["Rider", "Okafor", "Raman", "Becker", "Müller", "Patel", "Nguyen", "Hale", "Lee", "Diaz"]
TAGS = ["cycling", "clients", "friends", "triathlon", "gravel", "commuter"]


def row(i: int, rng: random.Random) -> str:
    phone = f"+1 415 {200 + i // 10000:03d} {i % 10000:04d}"
    return ",".join([
        rng.choice(FIRST), f"{rng.choice(LAST)}{i}", f"person{i}@example.com", phone,
        f"Company {i % 2000}", "Buyer" if i % 3 else "", f"19{60 + i % 40}-{1 + i % 12:02d}-"
        f"{1 + i % 28:02d}" if i % 4 else "", rng.choice(TAGS) + ";" + rng.choice(TAGS),
    ])  # fmt: skip


def make_file() -> bytes:
    rng = random.Random(6)
    unique = int(N * 0.94)
    lines = [row(i, rng) for i in range(unique)]
    # 5%: the same person again (same email), with another phone number.
    for k in range(int(N * 0.05)):
        i = rng.randrange(unique)
        other = f"+1 628 {200 + k // 10000:03d} {k % 10000:04d}"
        lines.append(row(i, rng).replace(f"+1 415 {200 + i // 10000:03d} {i % 10000:04d}", other))
    # 1%: bad rows (an email without a domain, an impossible birthday, a short phone).
    for j in range(N - len(lines)):
        bad = row(unique + j, rng).split(",")
        bad[(2, 6, 3)[j % 3]] = ("nobody@", "31/31/1990", "555-01")[j % 3]
        lines.append(",".join(bad))
    rng.shuffle(lines)
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def timed(label: str, job: ImportJob, dry_run: bool | None) -> float:
    start = time.perf_counter()
    if dry_run is None:
        import_job_undo(job=job)
    else:
        import_job_start(job=job, mapping=job.mapping, dry_run=dry_run, queue=False)
    import_job_work(job_id=job.pk)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    summary = {k: v for k, v in job.summary.items() if isinstance(v, int)}
    print(f"{label}: {elapsed:.1f} s  status={job.status} {summary}")
    return elapsed


def main() -> None:
    call_command("migrate", verbosity=0)
    data = make_file()
    print(f"{N:,} rows, {len(data) / 1e6:.1f} MB")
    ws = Workspace.objects.create(name="bench", timezone="America/New_York")
    start = time.perf_counter()
    job = import_job_create(workspace=ws, by=None, file_name="book.csv", data=data)
    print(f"upload (read and guess columns): {time.perf_counter() - start:.1f} s")
    timed("dry run, empty book", job, dry_run=True)
    timed("import", job, dry_run=False)
    print(
        f"  contacts {Contact.objects.count():,}, emails {ContactEmail.objects.count():,}, "
        f"phones {ContactPhone.objects.count():,}"
    )
    again = import_job_create(workspace=ws, by=None, file_name="book.csv", data=data)
    timed("dry run of the same file, full book", again, dry_run=True)
    timed("undo", job, dry_run=None)
    print(f"  contacts left {Contact.objects.count():,}")


if __name__ == "__main__":
    main()
