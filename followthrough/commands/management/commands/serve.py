"""`followthrough serve`: set up the database if needed, then serve the app with gunicorn.

Static files come from the package through WhiteNoise (no collectstatic, no separate server).
"""

import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections
from gunicorn.app.base import BaseApplication

from followthrough.commands.management.commands._common import migrate_if_needed

# Listening on every interface is the operator's explicit choice (--host); we only warn.
ALL_INTERFACES = frozenset({"0.0.0.0", "::"})  # noqa: S104


class WebServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn run from Python, so the settings are already chosen and nothing reads sys.argv."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Settings newer than the oldest gunicorn we accept are skipped, not fatal.
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from followthrough.wsgi import application

        return application


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Set up the database if needed, then serve Followthrough (web app, API, static files)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1",
                            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).")
        parser.add_argument("--port", type=int, default=8000, help="Default 8000.")
        parser.add_argument("--workers", type=_positive, default=2,
                            help="Web worker processes (default 2, each with 4 threads).")
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Do not start the background worker beside the web server (it is started by "
            "default with the embedded SQLite queue; with Redis, run `followthrough worker`).",
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any
    ) -> None:
        migrate_if_needed(self.stdout)
        # gunicorn forks its workers from this process: none may inherit our connection.
        connections.close_all()
        # WhiteNoise warns at every start when STATIC_ROOT is missing, though it serves from
        # the package (WHITENOISE_USE_FINDERS).
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        self._warn_if_host_refused(host)
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        # One machine, embedded queue: events from the API and webhooks and the periodic tick
        # need a consumer, so a single `serve` is a complete installation.
        worker = None if no_worker or "url" in settings.HUEY else self._start_worker()
        try:
            self._serve(host, port, workers, url)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        self.stdout.write("Starting the background worker (stop both with Ctrl+C).")
        return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "followthrough", "worker", "--workers", "1"]
        )

    def _serve(self, host: str, port: int, workers: int, url: str) -> None:
        WebServer({
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "proc_name": "followthrough",
            "errorlog": "-",
            # Recent gunicorn opens a control socket in ~/.gunicorn; two servers (a demo and a
            # test run) would fight over it, and nothing here uses it.
            "control_socket_disable": True,
            "when_ready": lambda _arbiter: self._ready(url),
        }).run()

    def _ready(self, url: str) -> None:
        self.stdout.write(f"Followthrough is running at {url} (Ctrl+C to stop).")
        self.stdout.flush()

    def _warn_if_host_refused(self, host: str) -> None:
        allowed = settings.ALLOWED_HOSTS
        if host in ALL_INTERFACES:
            self.stderr.write("Note: set FOLLOWTHROUGH_ALLOWED_HOSTS to the names clients use "
                              f"to reach this machine (now: {', '.join(allowed)}).")
        elif host not in allowed and "*" not in allowed:
            self.stderr.write(f"Note: {host} is not in FOLLOWTHROUGH_ALLOWED_HOSTS "
                              f"({', '.join(allowed)}); requests for it will be refused.")

