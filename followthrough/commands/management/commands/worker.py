"""`followthrough worker`: the background worker (huey's consumer).

The queue is huey's SQLite file in the data folder by default, or Redis when
FOLLOWTHROUGH_REDIS_URL is set (settings.HUEY). Several workers may run on several machines
against Redis; the rows in our database, not the queue, say what is done.
"""

import logging
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (huey; SQLite queue, or Redis with FOLLOWTHROUGH_REDIS_URL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="Worker threads (default 2).")

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        queue = "Redis" if "url" in settings.HUEY else f"SQLite ({settings.HUEY['filename']})"
        self.stdout.write(f"Worker started with {workers} threads; queue: {queue}.")
        # run_huey gives the "huey" logger its own console handler; passing its records on to
        # the root handler as well would print every line twice.
        logging.getLogger("huey").propagate = False
        call_command("run_huey", workers=workers)
