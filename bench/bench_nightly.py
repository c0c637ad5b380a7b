"""Nightly rhythm + tier job on 100,000 customers and ~2,000,000 purchases (SQLite).

    .venv/bin/python bench/bench_nightly.py      # data in bench/out/nightly (kept for reuse)

CUSTOMERS=N changes the size; FOLLOWTHROUGH_DATA_DIR points it at another data folder.
"""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
os.environ.setdefault("FOLLOWTHROUGH_DATA_DIR", str(ROOT / "bench" / "out" / "nightly"))
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()
import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from followthrough.accounts.models import Workspace  # noqa: E402
from followthrough.core.rhythm import simulate_bgnbd  # noqa: E402
from followthrough.insight.selectors import at_risk_list, missed_purchase_candidates  # noqa: E402
from followthrough.insight.services import rhythm_refresh, tiers_assign  # noqa: E402
from followthrough.people.models import Contact  # noqa: E402

N = int(os.environ.get("CUSTOMERS", "100000"))
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def load() -> Workspace:
    call_command("migrate", verbosity=0)
    ws = Workspace.objects.filter(name="bench").first()
    if ws is not None:
        return ws
    ws = Workspace.objects.create(name="bench", timezone="America/New_York")
    Contact.objects.bulk_create(
        (Contact(workspace=ws, first_name="C", last_name=str(i), stage="client") for i in range(N)),
        batch_size=5000,
    )
    ids = np.array(Contact.objects.filter(workspace=ws).order_by("id").values_list("id", flat=True))
    rng = np.random.default_rng(1)
    age = rng.integers(30, 1100, N).astype(float)
    x, t_x = simulate_bgnbd(3.0, 60.0, 0.3, 6.0, age, rng=rng, time_resolution=1.0)
    counts = (x + 1).astype(int)
    owner = np.repeat(ids, counts)
    first = np.repeat(age, counts)
    span = np.repeat(t_x, counts)
    offset = rng.random(owner.size) * span
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    offset[starts] = 0
    offset[starts + counts - 1] = span[starts + counts - 1]
    days_ago = np.round(first - offset).astype(int)
    amounts = np.round(rng.gamma(4, 12, owner.size), 2)
    print(f"{N} customers, {owner.size} purchases")
    t0 = time.perf_counter()
    sql = (
        "INSERT INTO events_event (workspace_id, contact_id, type, source, external_id, "
        "occurred_at, received_at, data, processed_at) VALUES (?, ?, 'purchase.made', 'bench', "
        "'', ?, ?, ?, ?)"
    )
    now_text = NOW.strftime("%Y-%m-%d %H:%M:%S")
    base = NOW.replace(hour=17)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, owner.size, 100_000):
            rows = [
                (
                    ws.pk,
                    int(c),
                    (base - timedelta(days=int(d))).strftime("%Y-%m-%d %H:%M:%S"),
                    now_text,
                    f'{{"amount": "{a}"}}',
                    now_text,
                )
                for c, d, a in zip(
                    owner[start : start + 100_000],
                    days_ago[start : start + 100_000],
                    amounts[start : start + 100_000],
                    strict=True,
                )
            ]
            cursor.executemany(sql, rows)
    print(f"loaded in {time.perf_counter() - t0:.1f} s")
    return ws


def timed(label, fn):
    t0 = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - t0:.2f} s")
    return result


ws = load()
fit = timed("rhythm_refresh", lambda: rhythm_refresh(workspace=ws, now=NOW))
print(
    f"  fit: r={fit.r:.3f} alpha={fit.alpha:.2f} a={fit.a:.3f} b={fit.b:.3f}; "
    f"spend p={fit.spend_p} reason={fit.reason!r} {fit.spend_reason!r}"
)
report = timed("tiers_assign (first run)", lambda: tiers_assign(workspace=ws, now=NOW))
print(f"  {len(report.changes)} changes {report.by_value}")
timed("tiers_assign (no changes)", lambda: tiers_assign(workspace=ws, now=NOW))
missed = timed(
    "missed_purchase_candidates", lambda: missed_purchase_candidates(workspace=ws, now=NOW)
)
print(f"  {len(missed)} candidates")
risk = timed("at_risk_list", lambda: at_risk_list(workspace=ws, now=NOW, limit=50))
print(f"  top: {risk[0].name}: {risk[0].sentence}")
