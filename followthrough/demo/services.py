"""Writes the demo workspace: Spoke & Chain Cycles, a bike shop with three staff and a book of a
few hundred people (or a hundred thousand, for the benchmarks). How the book is made up is in
profiles.py (who), plan.py (the morning's agenda), story.py (their history), buying.py (their
purchases and invoices), experiment.py (the repeat-purchase playbook's hold-out), book.py and
ledger.py (rows), and morning.py (what the engine and the nightly rhythm job make of it)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import FollowUp, Interaction
from followthrough.demo.book import DEMO_PASSWORD, STAFF, Book
from followthrough.demo.morning import Morning, MorningReport
from followthrough.demo.plan import BOOK_SIZE
from followthrough.demo.profiles import OWNER
from followthrough.events.models import Event
from followthrough.outreach.demo import outreach_demo_setup
from followthrough.outreach.models import Campaign
from followthrough.playbooks.models import PlaybookRun

__all__ = ["DEMO_OWNER_EMAIL", "DEMO_PASSWORD", "DemoWorkspace", "demo_workspace_create",
           "demo_workspace_delete", "demo_workspace_get"]

DEMO_OWNER_EMAIL = STAFF[OWNER][0]
MAX_CONTACTS = 1_000_000


@dataclass(frozen=True)
class DemoWorkspace:
    workspace: Workspace
    owner: User
    contacts: int
    interactions: int
    followups: int
    events: int
    morning: MorningReport


def demo_workspace_get() -> Workspace | None:
    """The demo workspace, found by its owner's login; None before `demo` has run."""
    owner = User.objects.filter(email=DEMO_OWNER_EMAIL).select_related("workspace").first()
    return owner.workspace if owner is not None else None


def demo_workspace_create(
    *, contacts: int = BOOK_SIZE, seed: int = 1, now: datetime
) -> DemoWorkspace:
    """Create the demo bike shop with `contacts` people and three years of history up to `now`.
    The same seed and the same day (in the shop's time zone) give the same book."""
    if not 1 <= contacts <= MAX_CONTACTS:
        raise ValidationError({"contacts": f"Choose between 1 and {MAX_CONTACTS:,} contacts."})
    if demo_workspace_get() is not None:
        raise ValidationError({"workspace": "The demo workspace already exists."})
    book = Book(seed=seed, now=now, size=contacts)
    with transaction.atomic():
        workspace = book.write()
        morning = Morning(book).run()
        outreach_demo_setup(workspace=workspace)
    return DemoWorkspace(
        workspace, book.users[OWNER], contacts,
        Interaction.objects.filter(workspace=workspace).count(),
        FollowUp.objects.filter(workspace=workspace).count(),
        Event.objects.filter(workspace=workspace).count(), morning,
    )


def demo_workspace_delete(*, workspace: Workspace) -> None:
    """Remove a workspace with everything in it. The two biggest tables go first as plain
    DELETEs: Django's cascade would load every interaction into memory to find what points at
    it, and once the follow-ups are gone nothing does."""
    with transaction.atomic():
        FollowUp.objects.filter(workspace=workspace).delete()
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in (Interaction, PlaybookRun, Event):
                table = qn(model._meta.db_table)
                column = qn(model._meta.get_field("workspace").column)
                cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [workspace.pk])  # noqa: S608 -- names from model metadata
        # A campaign protects its template and segment from deletion (a template in use must
        # not vanish under it); with the whole workspace going, the campaigns go first.
        Campaign.objects.filter(workspace=workspace).delete()
        workspace.delete()
