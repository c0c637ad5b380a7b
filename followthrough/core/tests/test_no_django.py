"""The core stays pure: importing every core module must not import Django (STYLE habit 1)."""

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]


def test_it_imports_no_django() -> None:
    modules = [f"followthrough.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=CORE.parents[1],
    )
    assert result.stdout.strip() == "", f"core imported Django: {result.stdout}"
    assert len(modules) >= 3
