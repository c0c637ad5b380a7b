"""`followthrough token`: API tokens for a user. A new token is printed once, alone on stdout
(so `TOKEN=$(followthrough token --email …)` works); only its SHA-256 is kept."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from followthrough.accounts.models import ApiToken, User
from followthrough.accounts.services import api_token_create, api_token_revoke
from followthrough.commands.management.commands._common import user_by_email


class Command(BaseCommand):
    help = "Create an API token for a user (printed once), list their tokens, or revoke one."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True, help="Whose tokens.")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--list", action="store_true", help="List the user's tokens.")
        action.add_argument("--revoke", metavar="PREFIX",
                            help="Revoke the token starting with PREFIX (as --list shows it).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_by_email(options["email"])
        if options["list"]:
            self._list(user)
        elif options["revoke"]:
            token = _token_by_prefix(user, options["revoke"])
            api_token_revoke(token=token)
            self.stdout.write(f"Revoked “{token.name}” ({token.prefix}…) of {user.email}.")
        else:
            _, raw = api_token_create(user=user, name=options["name"])
            self.stdout.write(raw)
            self.stderr.write(f"New API token for {user.email}. Store it now: it is not shown "
                              "again. Send it as `Authorization: Bearer <token>`.")

    def _list(self, user: User) -> None:
        tokens = list(user.api_tokens.order_by("-created_at"))
        if not tokens:
            self.stdout.write(f"{user.email} has no API tokens.")
            return
        for token in tokens:
            used = "never used"
            if token.last_used_at:
                used = f"last used {token.last_used_at:%Y-%m-%d}"
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            self.stdout.write(f"{token.prefix}  {state:<18}  created {token.created_at:%Y-%m-%d}"
                              f"  {used:<20}  {token.name}")


def _token_by_prefix(user: User, prefix: str) -> ApiToken:
    """The user's one active token whose prefix starts with `prefix` (a whole raw token works)."""
    prefix = prefix.strip().removeprefix("ft_")[:8]
    if len(prefix) < 4:
        raise CommandError("Give at least the first 4 characters of the token (see --list).")
    tokens = list(user.api_tokens.filter(prefix__startswith=prefix, revoked_at__isnull=True)[:2])
    if not tokens:
        raise CommandError(f"{user.email} has no active token starting with {prefix}.")
    if len(tokens) > 1:
        raise CommandError(f"Several tokens start with {prefix}: give more characters.")
    return tokens[0]
