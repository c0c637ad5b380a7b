"""`followthrough createuser`: a user in an existing workspace, or the first user of a new one."""

import sys
from argparse import ArgumentParser
from getpass import getpass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from followthrough.accounts.models import Role, User
from followthrough.accounts.services import user_create, workspace_create
from followthrough.commands.management.commands._common import (
    migrate_if_needed,
    one_line,
    workspace_by_id_or_only,
)


class Command(BaseCommand):
    help = "Create a user; with --workspace-name, in a new workspace of which they are the owner."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--workspace-name", metavar="NAME", help="Create this workspace.")
        where.add_argument("--workspace", type=int, metavar="ID",
                           help="Join this workspace (default: the only one there is).")
        parser.add_argument("--role", choices=Role.values,
                            help="Default: owner of a new workspace, else member.")
        parser.add_argument("--password", help="Default: asked for in the terminal.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--timezone", default="UTC",
                            help="Time zone of a new workspace (IANA name, e.g. America/New_York).")
        parser.add_argument("--region", default="US",
                            help="Country of a new workspace's phone numbers (e.g. US, GB).")

    def handle(self, *args: Any, **options: Any) -> None:
        migrate_if_needed(self.stdout)
        password = options["password"] or _ask_password()
        try:
            user = _create(options, password)
        except ValidationError as error:
            raise CommandError(one_line(error)) from None
        self.stdout.write(
            f"Created {user.email} ({user.role}) in workspace {user.workspace_id} "
            f"“{user.workspace}”. Sign in at {settings.BASE_URL}/login/"
        )


@transaction.atomic
def _create(options: dict[str, Any], password: str) -> User:
    """The user, and the new workspace if asked for: both or neither (a refused password
    leaves no empty workspace behind)."""
    if options["workspace_name"]:
        workspace = workspace_create(name=options["workspace_name"],
                                     timezone_name=options["timezone"], region=options["region"])
        role = options["role"] or Role.OWNER
    else:
        workspace = workspace_by_id_or_only(options["workspace"])
        role = options["role"] or Role.MEMBER
    return user_create(workspace=workspace, email=options["email"], password=password, role=role,
                       first_name=options["first_name"], last_name=options["last_name"])


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise CommandError("Pass --password (there is no terminal to ask for one).")
    password = getpass("Password: ")
    if password != getpass("Password (again): "):
        raise CommandError("The two passwords differ.")
    return password
