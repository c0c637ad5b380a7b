"""One real server: `python -m followthrough serve` on a fresh data folder sets up the database,
then answers pages and static files from gunicorn + WhiteNoise."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import followthrough

REPO = Path(followthrough.__file__).resolve().parent.parent
STARTUP_SECONDS = 30  # migrations of a fresh SQLite file included; usually a few seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"FOLLOWTHROUGH_DATABASE_URL", "FOLLOWTHROUGH_REDIS_URL",
                        "DJANGO_SETTINGS_MODULE"}}
    env["FOLLOWTHROUGH_DATA_DIR"] = str(tmp_path)
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "followthrough", "serve", "--port", str(port),
             "--workers", "1"],
            cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield _wait_until_up(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            fetch(f"{base}/login/")
        except OSError:
            time.sleep(0.2)
            continue
        assert f"running at {base}/" in log.read_text()
        return base
    pytest.fail(f"serve did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_serve_answers_the_login_page_and_static_files(server: str) -> None:
    status, page = fetch(f"{server}/login/")
    assert status == 200 and b"<form" in page
    status, css = fetch(f"{server}/static/api/swagger-ui/swagger-ui.css")
    assert status == 200 and b".swagger-ui" in css
    status, htmx = fetch(f"{server}/static/web/vendor/htmx.min.js")
    assert status == 200 and b"htmx" in htmx
    status, schema = fetch(f"{server}/api/v1/openapi.json")
    assert status == 200 and b'"/api/v1/contacts"' in schema
