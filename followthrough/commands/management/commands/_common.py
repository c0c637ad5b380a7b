"""What the command-line commands share: finding the user or workspace an operator names,
setting up a fresh database, and turning a service's ValidationError into one readable line."""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from followthrough.accounts.models import User, Workspace


def iso_date(value: str) -> dt.date:
    """YYYY-MM-DD, or a one-line CommandError (argparse would also print the whole usage)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date; use YYYY-MM-DD.") from None


def user_by_email(email: str) -> User:
    user = (
        User.objects.select_related("workspace")
        .filter(email__iexact=email.strip(), is_active=True)
        .first()
    )
    if user is None:
        raise CommandError(f"No active user with the email {email}.")
    return user


def workspace_by_id_or_only(workspace_id: int | None) -> Workspace:
    """The workspace with this id, or the only one there is when no id is given."""
    if workspace_id is not None:
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if workspace is None:
            raise CommandError(f"No workspace with the id {workspace_id}.")
        return workspace
    workspaces = list(Workspace.objects.order_by("pk")[:10])
    if not workspaces:
        raise CommandError(
            "There is no workspace yet: create one with "
            "`followthrough createuser --email … --workspace-name …`."
        )
    if len(workspaces) > 1:
        listed = ", ".join(f"{w.pk} “{w.name}”" for w in workspaces)
        raise CommandError(f"There are several workspaces ({listed}): pass --workspace ID.")
    return workspaces[0]


def one_line(error: ValidationError) -> str:
    """A service's ValidationError as "field: message; field: message"."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


def migrate_if_needed(stdout: OutputWrapper) -> None:
    """Bring a new (or older) database up to date, so a fresh data folder just works."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        stdout.write(f"Setting up the database ({len(plan)} migrations)…")
        call_command("migrate", interactive=False, verbosity=0)
