"""The `followthrough` command as a person types it: a real `python -m followthrough` process."""

import os
import subprocess
import sys
from pathlib import Path

import followthrough

REPO = Path(followthrough.__file__).resolve().parent.parent


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"FOLLOWTHROUGH_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["FOLLOWTHROUGH_DATA_DIR"] = str(data_dir)
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "followthrough", *args], cwd=REPO, env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )


def test_help_lists_every_command_on_one_line(tmp_path) -> None:
    result = run("--help", data_dir=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name in ("demo", "serve", "worker", "agenda", "createuser", "token"):
        assert sum(line.split()[:1] == [name] for line in lines) == 1, name


def test_an_unknown_command_is_one_line_on_stderr(tmp_path) -> None:
    result = run("frobnicate", data_dir=tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "followthrough: unknown command “frobnicate” (see `followthrough --help`)."
    ]


def test_a_bad_date_is_one_line_on_stderr_without_a_traceback(tmp_path) -> None:
    result = run("agenda", "--date", "2026-13-01", data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: “2026-13-01” is not a date; use YYYY-MM-DD."
    ]


def test_a_fresh_data_folder_says_how_to_set_it_up(tmp_path) -> None:
    result = run("agenda", data_dir=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "followthrough createuser" in result.stderr
