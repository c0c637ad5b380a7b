"""Benchmarks of touch points and the engine (issue 3, DESIGN "Quality bars"), on SQLite.

Run from the repository root:  .venv/bin/python bench/bench_events.py  [--part ingest|tick|http]

Each part runs in its own process with its own temporary data folder (database, secret key and
queue), so nothing here touches your data and the parts do not disturb each other:

- ingest: N events (purchases, invoices, leads; 3 in 4 for known contacts found by email, the rest
  for people never seen, who become leads) stored with event_record_batch in batches of 1,000,
  then evaluated against the default playbooks with events_process_pending.
  Target: ingest + evaluate >= 10,000 events/s. `--mix first` (default): the known contacts
  have no history, so purchases are first purchases (four touches each, the heaviest case);
  `--mix established`: they have three years of purchases, so purchases are repeat purchases.
- tick: a book of 100,000 contacts and ~2,000,000 events (purchases over 3 years, invoices), all
  already evaluated; engine_tick derives what time has made due (cadence passed, dates coming up,
  missed purchases) and evaluates it. Target < 30 s. A second tick for the same moment shows the
  steady-state cost of the sweep.
- http: single-event POST /api/v1/events from 8 concurrent keep-alive clients against a real
  `python -m followthrough serve` on 127.0.0.1. Reports throughput and p50 / p99.

Add --profile to write a pyinstrument (or cProfile) report of the timed work next to the figures.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEED = 20261123
PARTS = ("ingest", "tick", "http")


# ---- process and environment ----------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def setup_django(data_dir: Path) -> None:
    """Point the settings at a fresh data folder and build the schema there."""
    os.environ["FOLLOWTHROUGH_DATA_DIR"] = str(data_dir)
    for name in ("FOLLOWTHROUGH_DATABASE_URL", "FOLLOWTHROUGH_REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "followthrough.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def profiled(name: str, enabled: bool, out_dir: Path) -> Iterator[None]:
    """Profile the block into out_dir/<name>.txt (pyinstrument if installed, else cProfile)."""
    if not enabled:
        yield
        return
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        yield
        profile.disable()
        with open(out_dir / f"{name}.txt", "w") as out:
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(60)
    else:
        profiler = Profiler(interval=0.001)
        profiler.start()
        yield
        profiler.stop()
        (out_dir / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
    print(f"  profile written to {out_dir / f'{name}.txt'}")


CPU_SECONDS: list[float] = []  # this process's CPU time for each timed() call, in order


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    """Run `function`; return its result and the wall-clock seconds it took. The CPU seconds go
    to CPU_SECONDS: on a shared machine they show the cost when other work steals the cores."""
    cpu, start = time.process_time(), time.perf_counter()
    result = function()
    CPU_SECONDS.append(time.process_time() - cpu)
    return result, time.perf_counter() - start


# ---- shared data builders -------------------------------------------------------------------


def business(name: str) -> tuple[Any, Any]:
    from followthrough.accounts.models import Role
    from followthrough.accounts.services import user_create, workspace_create

    workspace = workspace_create(name=name, timezone_name="America/New_York")
    owner = user_create(workspace=workspace, email=f"owner@{name.lower().replace(' ', '')}.test",
                        password=None, role=Role.OWNER, first_name="Olive")
    return workspace, owner


def bulk_contacts(workspace: Any, owner: Any, count: int, rng: random.Random,
                  now: dt.datetime) -> list[int]:
    """`count` contacts with one email each (contact<n>@example.com), in bulk. Returns their ids
    in creation order."""
    from followthrough.people.models import Contact, ContactEmail

    stages = ["client"] * 70 + ["lead"] * 15 + ["prospect"] * 10 + ["lapsed"] * 5
    tiers = ["gold"] * 5 + ["silver"] * 15 + ["bronze"] * 30 + [""] * 50
    cadence = {"gold": 30, "silver": 60, "bronze": 90, "": 180}
    ids: list[int] = []
    for start in range(0, count, 5000):
        rows = []
        for n in range(start, min(count, start + 5000)):
            tier = rng.choice(tiers)
            # Most of the book is touched within its cadence; 3 in 100 have slipped past it.
            share = rng.uniform(1.05, 2.0) if rng.random() < 0.03 else rng.uniform(0, 0.95)
            rows.append(Contact(
                workspace=workspace, owner=owner, first_name=f"Rider{n}", last_name="Bench",
                stage=rng.choice(stages), tier=tier, source="other",
                last_touched_at=now - dt.timedelta(days=cadence[tier] * share),
                search_text=f"rider{n} bench contact{n}@example.com",
            ))
        created = Contact.objects.bulk_create(rows)
        ids += [c.pk for c in created]
        ContactEmail.objects.bulk_create([
            ContactEmail(workspace=workspace, contact_id=c.pk,
                         email=f"contact{start + i}@example.com", is_primary=True)
            for i, c in enumerate(created)
        ])
    # auto_now_add stamped them today; the book is three years old.
    Contact.objects.filter(workspace=workspace).update(created_at=now - dt.timedelta(days=1100))
    return ids


# ---- part: ingest ---------------------------------------------------------------------------


def ingest_items(count: int, known: int, rng: random.Random, now: dt.datetime) -> list[Any]:
    """Purchases (60 %), invoices issued and paid (20 %), new leads (20 %), over the last two
    weeks; 3 in 4 for known contacts by email, the rest for new people."""
    from followthrough.events.services import ContactRef, EventInput

    items = []
    strangers = 0
    for n in range(count):
        roll = rng.random()
        if rng.random() < 0.75:
            person = ContactRef(email=f"contact{rng.randrange(known)}@example.com")
        else:
            strangers += 1
            person = ContactRef(email=f"new{strangers}@example.com", name=f"New Person{strangers}")
        at = now - dt.timedelta(minutes=rng.randrange(14 * 24 * 60))
        if roll < 0.6:
            kind, data = "purchase.made", {"amount": f"{rng.uniform(5, 900):.2f}",
                                           "currency": "USD", "items": ["tube", "service"]}
        elif roll < 0.7:
            kind, data = "invoice.issued", {"invoice_id": f"INV-{n}", "amount": "120.00",
                                            "due_date": (at + dt.timedelta(days=30)).date()
                                            .isoformat()}
        elif roll < 0.8:
            kind = "invoice.paid"
            data = {"invoice_id": f"INV-P{n}", "due_date": (at - dt.timedelta(
                days=rng.choice([-5, 3, 12]))).date().isoformat()}
        else:
            kind, data = "lead.created", {"channel": rng.choice(["web_form", "call", "email"])}
        items.append(EventInput(type=kind, occurred_at=at, source="bench", contact=person,
                                external_id=f"ev-{n}", data=data))
    return items


def part_ingest(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    from django.utils import timezone

    from followthrough.activity.models import FollowUp
    from followthrough.events.models import Event
    from followthrough.events.services import event_record_batch
    from followthrough.people.models import Contact
    from followthrough.playbooks.engine import events_process_pending

    rng = random.Random(SEED)
    now = timezone.now()
    workspace, owner = business("Ingest Bikes")
    known = bulk_contacts(workspace, owner, args.known, rng, now)
    if args.mix == "established":
        # Three years of purchases already in the book (evaluated long ago): today's purchases
        # are repeat purchases and the facts read a real history.
        load_history(history_rows(workspace.pk, known, args.known * 20, rng, now))
    items = ingest_items(args.events, args.known, rng, now)
    contacts_before = Contact.objects.filter(workspace=workspace).count()

    def ingest() -> int:
        bad = 0
        for start in range(0, len(items), args.batch):
            results = event_record_batch(workspace=workspace, items=items[start:start + args.batch])
            bad += sum(r.event is None for r in results)
        return bad

    with profiled("ingest", args.profile, out_dir):
        rejected, ingest_s = timed(ingest)
    with profiled("evaluate", args.profile, out_dir):
        evaluated, evaluate_s = timed(lambda: events_process_pending(workspace=workspace))
    events = Event.objects.filter(workspace=workspace).count()
    return {
        "events": len(items), "stored": events, "rejected": rejected, "evaluated": evaluated,
        "new_leads": Contact.objects.filter(workspace=workspace).count() - contacts_before,
        "followups": FollowUp.objects.filter(workspace=workspace).count(),
        "ingest_s": ingest_s, "evaluate_s": evaluate_s,
        "ingest_cpu_s": CPU_SECONDS[-2], "evaluate_cpu_s": CPU_SECONDS[-1],
        "ingest_per_s": len(items) / ingest_s,
        "evaluate_per_s": len(items) / evaluate_s,
        "total_per_s": len(items) / (ingest_s + evaluate_s),
    }


# ---- part: tick -----------------------------------------------------------------------------


def _utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def history_rows(workspace_id: int, contact_ids: list[int], target: int, rng: random.Random,
                 now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """Purchases over three years, each contact at their own rhythm (a few have stopped
    buying), and an invoice issued and paid for one purchase in ten. Evaluated long ago."""
    # Invoices add about a fifth; int() of the exponential draw loses about half a purchase.
    per_contact = target / len(contact_ids) / 1.2 + 0.5
    received = _utc_naive(now - dt.timedelta(days=1))
    n = 0
    for contact_id in contact_ids:
        count = max(1, int(rng.expovariate(1 / per_contact)))
        gap = 1095 / count
        stopped = rng.random() < 0.03  # their rhythm ended a while ago
        day = now - dt.timedelta(days=1095 + (gap * 2 if stopped else 0))
        for _ in range(count):
            day += dt.timedelta(days=gap * rng.uniform(0.7, 1.3))
            if day > now:
                break
            at = _utc_naive(day)
            n += 1
            amount = f"{rng.uniform(5, 400):.2f}"
            yield (workspace_id, contact_id, "purchase.made", "import", f"p{n}", at, received,
                   json.dumps({"amount": amount, "currency": "USD"}), received)
            if rng.random() < 0.1:
                invoice = {"invoice_id": f"I{n}", "amount": amount,
                           "due_date": (day + dt.timedelta(days=30)).date().isoformat()}
                paid = at + dt.timedelta(days=rng.choice([10, 25, 35, 45]))
                yield (workspace_id, contact_id, "invoice.issued", "import", f"ii{n}", at,
                       received, json.dumps(invoice), received)
                yield (workspace_id, contact_id, "invoice.paid", "import", f"ip{n}", paid,
                       received, json.dumps({"invoice_id": f"I{n}"}), received)


def load_history(rows: Iterator[tuple[Any, ...]]) -> int:
    """Insert the rows 20,000 at a time in one transaction each (plain executemany: building 2M
    model instances for bulk_create would take longer than the tick being measured)."""
    from django.db import connection, transaction

    sql = ("INSERT INTO events_event (workspace_id, contact_id, type, source, external_id, "
           "occurred_at, received_at, data, processed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, "
           "%s, %s)")
    total = 0
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == 20000:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, chunk)
            total += len(chunk)
            chunk = []
    if chunk:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
        total += len(chunk)
    return total


def birthdays(contact_ids: list[int], rng: random.Random) -> int:
    from followthrough.people.models import ImportantDate

    rows = []
    for contact_id in contact_ids:
        if rng.random() < 0.4:
            day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(365))
            rows.append(ImportantDate(contact_id=contact_id, kind="birthday", month=day.month,
                                      day=day.day, year=rng.randrange(1950, 2000)))
        if rng.random() < 0.3:
            day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(365))
            rows.append(ImportantDate(contact_id=contact_id, kind="client_since",
                                      month=day.month, day=day.day,
                                      year=rng.randrange(2015, 2025)))
    ImportantDate.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def part_tick(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    from django.db import connection

    from followthrough.activity.models import FollowUp
    from followthrough.events.models import Event
    from followthrough.playbooks.engine import engine_tick

    rng = random.Random(SEED)
    now = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    workspace, owner = business("Tick Bikes")
    (ids, contacts_s) = timed(lambda: bulk_contacts(workspace, owner, args.contacts, rng, now))
    dates, _ = timed(lambda: birthdays(ids, rng))
    loaded, load_s = timed(lambda: load_history(
        history_rows(workspace.pk, ids, args.history, rng, now)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded {len(ids):,} contacts in {contacts_s:.0f} s, {dates:,} important dates, "
          f"{loaded:,} events in {load_s:.0f} s")
    with profiled("tick", args.profile, out_dir):
        first, first_s = timed(lambda: engine_tick(now=now, workspace=workspace))
    second, second_s = timed(lambda: engine_tick(now=now, workspace=workspace))
    return {
        "contacts": len(ids), "events": Event.objects.filter(workspace=workspace).count(),
        "first_s": first_s, "first": vars(first), "second_s": second_s, "second": vars(second),
        "followups": FollowUp.objects.filter(workspace=workspace).count(),
    }


# ---- part: http -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(data_dir: Path, port: int, workers: int, with_worker: bool) -> subprocess.Popen[str]:
    """`followthrough serve`, logging to a file: a pipe nobody reads would fill up and block the
    server and its background worker."""
    env = {**os.environ, "FOLLOWTHROUGH_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(data_dir / "serve.log", "w")  # the server's until it exits
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "followthrough", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(workers), *([] if with_worker else ["--no-worker"])],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.5)
                if server.poll() is None:  # ours, not someone else's who took the port
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server did not start: {(data_dir / 'serve.log').read_text()}")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(used.get(p, 0.0) for p in family)


def client_loop(port: int, token: str, bodies: list[bytes], counter: Iterator[int],
                lock: threading.Lock, latencies: list[float], statuses: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while True:
        with lock:
            n = next(counter, None)
        if n is None:
            break
        start = time.perf_counter()
        connection.request("POST", "/api/v1/events", body=bodies[n], headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            statuses.append(response.status)
    connection.close()


def part_http(args: argparse.Namespace, out_dir: Path, data_dir: Path) -> dict[str, Any]:
    from django.db import connections
    from django.utils import timezone

    from followthrough.accounts.services import api_token_create
    from followthrough.events.models import Event

    rng = random.Random(SEED)
    now = timezone.now()
    workspace, owner = business("Http Bikes")
    bulk_contacts(workspace, owner, 5000, rng, now)
    _, token = api_token_create(user=owner, name="bench")
    items = ingest_items(args.requests + 200, 5000, rng, now)
    bodies = [json.dumps({
        "type": i.type, "occurred_at": i.occurred_at.isoformat(), "source": i.source,
        "external_id": i.external_id, "contact": {"email": i.contact.email,
                                                  "name": i.contact.name},
        "data": i.data}).encode() for i in items]
    connections.close_all()
    port = free_port()
    server = serve(data_dir, port, args.server_workers, with_worker=not args.no_worker)
    try:
        warm: list[float] = []
        client_loop(port, token, bodies, iter(range(200)), threading.Lock(), warm, [])
        latencies: list[float] = []
        statuses: list[int] = []
        counter = iter(range(200, 200 + args.requests))
        lock = threading.Lock()
        threads = [threading.Thread(target=client_loop, args=(port, token, bodies, counter, lock,
                                                               latencies, statuses))
                   for _ in range(args.clients)]
        server_cpu = tree_cpu_seconds(server.pid)
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        server_cpu = tree_cpu_seconds(server.pid) - server_cpu
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    cut = sorted(latencies)
    return {
        "requests": len(latencies), "clients": args.clients, "wall_s": wall,
        "per_s": len(latencies) / wall, "p50_ms": statistics.median(cut) * 1000,
        "p95_ms": cut[int(0.95 * len(cut)) - 1] * 1000,
        "p99_ms": cut[int(0.99 * len(cut)) - 1] * 1000, "max_ms": cut[-1] * 1000,
        "non_202": sum(s != 202 for s in statuses),
        "server_cpu_ms": server_cpu / len(latencies) * 1000,
        "stored": Event.objects.filter(workspace=workspace, source="bench").count(),
        "evaluated": Event.objects.filter(workspace=workspace, source="bench",
                                          processed_at__isnull=False).count(),
        "with_worker": not args.no_worker,
        "server_workers": args.server_workers,
    }


# ---- driver ---------------------------------------------------------------------------------


def report(part: str, r: dict[str, Any]) -> str:
    if part == "ingest":
        return (
            f"ingest: {r['events']:,} events in batches ({r['rejected']} rejected), "
            f"{r['new_leads']:,} new leads, {r['followups']:,} follow-ups planned\n"
            f"  ingest {r['ingest_s']:.2f} s = {r['ingest_per_s']:,.0f} events/s; "
            f"evaluate {r['evaluate_s']:.2f} s = {r['evaluate_per_s']:,.0f} events/s; "
            f"ingest + evaluate = {r['total_per_s']:,.0f} events/s (target >= 10,000)\n"
            f"  CPU time of this process: ingest {r['ingest_cpu_s']:.2f} s, evaluate "
            f"{r['evaluate_cpu_s']:.2f} s = "
            f"{r['events'] / (r['ingest_cpu_s'] + r['evaluate_cpu_s']):,.0f} events per CPU-second"
        )
    if part == "tick":
        f, s = r["first"], r["second"]
        return (
            f"tick: {r['contacts']:,} contacts, {r['events']:,} events\n"
            f"  first tick {r['first_s']:.1f} s (target < 30 s): derived "
            f"{f['neglected']:,} neglected, {f['dates']:,} dates, {f['missed']:,} missed; "
            f"evaluated {f['processed']:,}; {r['followups']:,} follow-ups\n"
            f"  second tick, same moment {r['second_s']:.1f} s: derived "
            f"{s['neglected'] + s['dates'] + s['missed']}, evaluated {s['processed']}"
        )
    worker = "with its background worker" if r["with_worker"] else "without a worker"
    return (
        f"http: {r['requests']:,} single-event POSTs, {r['clients']} clients, server "
        f"{r['server_workers']} processes x 4 threads {worker}: {r['per_s']:,.0f} requests/s; "
        f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"max {r['max_ms']:.0f} ms; {r['non_202']} not 202; {r['stored']:,} stored, "
        f"{r['evaluated']:,} evaluated by the time the server stopped\n"
        f"  CPU per request, web server{' and worker' if r['with_worker'] else ''}: "
        f"{r['server_cpu_ms']:.1f} ms "
        f"(two free cores would serve about {2000 / r['server_cpu_ms']:,.0f} requests/s)"
    )


def run_part(args: argparse.Namespace) -> None:
    data_dir = Path(args.data_dir)
    setup_django(data_dir)
    out_dir = Path(args.profile_dir or tempfile.gettempdir())
    (part,) = args.part
    if part == "ingest":
        result = part_ingest(args, out_dir)
    elif part == "tick":
        result = part_tick(args, out_dir)
    else:
        result = part_http(args, out_dir, data_dir)
    print(report(part, result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=PARTS, action="append",
                        help="Run only this part (repeatable; default all).")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--known", type=int, default=10_000, help="Known contacts (ingest).")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--mix", choices=("first", "established"), default="first",
                        help="ingest: the known contacts have no history yet (first purchases, "
                        "the heaviest mix) or three years of it (repeat purchases).")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=2_000_000, help="Events in the book.")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--no-worker", action="store_true",
                        help="Serve without the background worker `serve` starts beside it.")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-dir")
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)  # set for a part's own process
    parser.add_argument("--keep", action="store_true", help="Keep the temporary data folders.")
    args = parser.parse_args()
    if args.data_dir:
        run_part(args)
        return
    print(machine(), flush=True)
    for part in args.part or PARTS:
        data_dir = Path(tempfile.mkdtemp(prefix=f"ft-bench-{part}-"))
        argv = [a for a in sys.argv[1:] if not a.startswith("--part") and a not in PARTS]
        try:
            subprocess.run(  # noqa: S603 (this script, with our own interpreter)
                [sys.executable, __file__, *argv, "--part", part, "--data-dir", str(data_dir)],
                check=True,
            )
        finally:
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
