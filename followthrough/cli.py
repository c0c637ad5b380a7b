"""The `followthrough` command (and `python -m followthrough`).

Deliberately thin: it picks the settings, then hands the subcommand and its arguments to the
management command of the same name in followthrough/commands/management/commands, so
`followthrough agenda --json` and `django-admin agenda --json` are the same code.
"""

import os
import sys
from collections.abc import Sequence

PROG = "followthrough"

COMMANDS: dict[str, str] = {
    "demo": "Create a demo workspace with realistic data and serve it.",
    "serve": "Set up the database if needed, then serve the web app and the API.",
    "worker": "Run the background worker (queued jobs).",
    "outbox": "Run an outbox worker: send queued campaign email at the global rate.",
    "tick": "Run the engine once (cadence, dates, missed purchases, pending events); --as-of DATE.",
    "import": "Import contacts, purchases or invoices: `import contacts FILE [--dry-run]`.",
    "agenda": "Print the agenda (overdue, today, next 7 days) as a table or as JSON.",
    "createuser": "Create a user, and with --workspace-name their new workspace.",
    "token": "Create, list or revoke a user's API tokens.",
    "export": "Export contacts (csv, xlsx, vcf), one contact's data, or the workspace (JSON).",
    "backup": "Back up the SQLite database (online backup) to DATA_DIR/backups or --output.",
    "restore": "Restore a backup FILE, or --json FILE --workspace-name NAME as a new workspace.",
    "inbound": "Receive forwarded email replies by SMTP (--host, --port) and log them.",
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"usage: {PROG} <command> [options]", "", "Commands:"]
    lines += [f"  {name.ljust(width)}  {summary}" for name, summary in COMMANDS.items()]
    lines += ["", f"Run `{PROG} <command> --help` for a command's options.",
              "Configuration comes from FOLLOWTHROUGH_* environment variables "
              "(FOLLOWTHROUGH_DATA_DIR, FOLLOWTHROUGH_DATABASE_URL, …)."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"{PROG}: unknown command “{name}” (see `{PROG} --help`).", file=sys.stderr)
        return 2
    # Always ours: a DJANGO_SETTINGS_MODULE left in the shell by another project must not leak in.
    os.environ["DJANGO_SETTINGS_MODULE"] = "followthrough.settings"
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    app = get_commands().get(name)
    if app is None:
        print(f"{PROG}: “{name}” is not available in this installation.", file=sys.stderr)
        return 2
    # run_from_argv prints a CommandError as one line on stderr and exits non-zero.
    load_command_class(app, name).run_from_argv([PROG, name, *rest])
    return 0
