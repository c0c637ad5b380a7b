"""`followthrough demo`: a bike shop with realistic data, ready to explore, then served."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.activity.selectors import agenda_get
from followthrough.demo.plan import BOOK_SIZE
from followthrough.demo.services import (
    DEMO_OWNER_EMAIL,
    DEMO_PASSWORD,
    DemoWorkspace,
    demo_workspace_create,
    demo_workspace_delete,
    demo_workspace_get,
)
from followthrough.insight.selectors import at_risk_list


class Command(BaseCommand):
    help = (
        "Create the demo workspace (Spoke & Chain Cycles, a bike shop with three years of "
        f"history) and serve it. Log in as {DEMO_OWNER_EMAIL} with the password "
        f"{DEMO_PASSWORD}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--contacts", type=int, default=BOOK_SIZE,
                            help=f"People in the book (default {BOOK_SIZE}; up to 100000).")
        parser.add_argument("--seed", type=int, default=1,
                            help="Same seed, same day: same data.")
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo workspace and build it again for today.")
        parser.add_argument("--no-serve", action="store_true",
                            help="Create the data and stop; do not start the web server.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        workspace = demo_workspace_get()
        if workspace is not None and options["reset"]:
            self.stdout.write(f"Deleting the demo workspace “{workspace.name}”…")
            demo_workspace_delete(workspace=workspace)
            workspace = None
        if workspace is None:
            workspace = self._create(options["contacts"], options["seed"])
        else:
            self.stdout.write(
                f"The demo workspace “{workspace.name}” already exists; using it as it is "
                "(run with --reset to build it again for today)."
            )
        self._print_login(workspace, options["host"], options["port"])
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _create(self, contacts: int, seed: int) -> Workspace:
        self.stdout.write(f"Creating the demo workspace with {contacts:,} contacts (seed {seed})…")
        started = time.perf_counter()
        try:
            demo = demo_workspace_create(contacts=contacts, seed=seed, now=timezone.now())
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(
            f"Created {demo.contacts:,} contacts, {demo.interactions:,} interactions, "
            f"{demo.followups:,} follow-ups and {demo.events:,} events in "
            f"{time.perf_counter() - started:.1f} s."
        )
        self._print_insight(demo)
        return demo.workspace

    def _print_insight(self, demo: DemoWorkspace) -> None:
        morning = demo.morning
        by_value = morning.tiers.by_value
        at_risk = at_risk_list(workspace=demo.workspace, now=timezone.now(), limit=1)
        self.stdout.write(
            f"The engine evaluated {morning.live:,} events of the last days; this morning's "
            f"tick derived {morning.tick.derived:,} more.\n"
            f"{morning.fit.summary} Tiers from predicted value: {by_value.get('gold', 0):,} "
            f"gold, {by_value.get('silver', 0):,} silver, {by_value.get('bronze', 0):,} bronze."
        )
        if at_risk:
            self.stdout.write(f"Most at risk: {at_risk[0].name}, {at_risk[0].sentence}.")

    def _print_login(self, workspace: Workspace, host: str, port: int) -> None:
        owner = workspace.users.get(email=DEMO_OWNER_EMAIL)
        agenda = agenda_get(workspace=workspace, user=owner, now=timezone.now(),
                            tz_name=owner.local_timezone)
        others = ", ".join(
            workspace.users.exclude(pk=owner.pk).order_by("id").values_list("email", flat=True)
        )
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        self.stdout.write(self.style.SUCCESS(
            "\n"
            f"  Open     http://{shown_host}:{port}/\n"
            f"  Email    {DEMO_OWNER_EMAIL}\n"
            f"  Password {DEMO_PASSWORD}\n"
        ))
        self.stdout.write(
            f"{owner.get_full_name()}'s agenda today: {agenda.overdue.total} overdue, "
            f"{agenda.today.total} due today, {agenda.upcoming.total} in the next 7 days.\n"
            f"The rest of the team logs in with the same password: {others}.\n"
        )
