"""`followthrough import KIND FILE`: load data from a file into a workspace.

Kinds: `purchases` (a CSV of past purchases: date, email or customer id, amount; see
insight.imports), `contacts` (CSV, XLSX or vCard; see transfer.importing) and `invoices` (CSV or
XLSX: invoice_id, email or customer id, amount, issued, due, paid). Each kind is one entry of
IMPORTERS.

    followthrough import purchases orders.csv [--workspace ID] [--dry-run] [--source NAME]
    followthrough import contacts book.csv [--mapping JSON|FILE] [--dry-run] [--rejected OUT.csv]
    followthrough import invoices invoices.csv [--dry-run]

A dry run reads and checks everything, prints what would happen, and saves nothing. Importing
the same rows again (under the same --source name) adds nothing.
"""

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from followthrough.accounts.models import Workspace
from followthrough.commands.management.commands._common import one_line, workspace_by_id_or_only
from followthrough.insight.imports import ImportReport, purchases_import_csv
from followthrough.insight.services import insight_refresh
from followthrough.transfer.importing.cli import contacts_lines, invoices_lines


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _purchase_lines(report: ImportReport) -> list[str]:
    verb = "would be added" if report.dry_run else "added"
    lines = [
        f"  {_plural(report.rows, 'row', 'rows')} read: "
        f"{_plural(report.created, 'purchase', 'purchases')} {verb}, "
        f"{report.duplicates:,} already imported, "
        f"{_plural(report.rejected_rows, 'row', 'rows')} rejected",
    ]
    if report.new_contacts:
        lines.append(
            f"  {_plural(report.new_contacts, 'new contact', 'new contacts')} "
            f"(as clients){' would be created' if report.dry_run else ''}"
        )
    if report.rejected:
        lines.append("Rejected:")
        lines += [f"  {rejected}" for rejected in report.rejected]
    return lines


def _purchases(workspace: Workspace, path: Path, options: dict[str, Any]) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        report = purchases_import_csv(
            workspace=workspace,
            file=file,
            source=f"import:{options['source']}",
            dry_run=options["dry_run"],
        )
    lines = _purchase_lines(report)
    if report.created and not report.dry_run:
        # Rhythms and tiers now rather than at 03:15: the point of importing history.
        fit, tiers = insight_refresh(workspace=workspace, now=timezone.now())
        lines.append(fit.summary)
        lines.append(f"Tiers: {_plural(len(tiers.changes), 'contact', 'contacts')} changed tier.")
    return lines


IMPORTERS: dict[str, Callable[[Workspace, Path, dict[str, Any]], list[str]]] = {
    "purchases": _purchases,
    "contacts": contacts_lines,
    "invoices": invoices_lines,
}


class Command(BaseCommand):
    help = (
        "Import data from a file: contacts (CSV, XLSX, vCard), purchases (CSV with date, email "
        "or customer id, amount) or invoices (CSV with invoice_id, email, amount, issued, due, "
        "paid)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="What the file holds.")
        parser.add_argument("file", metavar="FILE", help="The file to read.")
        parser.add_argument(
            "--workspace",
            type=int,
            metavar="ID",
            help="Into this workspace (needed when there are several).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, save nothing."
        )
        parser.add_argument(
            "--source",
            default="purchases",
            metavar="NAME",
            help="Name of this data source (default: purchases); rows imported "
            "before under the same name are skipped.",
        )
        parser.add_argument(
            "--mapping",
            metavar="JSON|FILE",
            help='contacts: columns to map, e.g. \'{"Cell": "phone", "Remarks": ""}\' ("" '
            "ignores a column); the others are recognized from their headers.",
        )
        parser.add_argument(
            "--rejected", metavar="OUT.csv", help="contacts: write the rejected rows here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            workspace = workspace_by_id_or_only(options["workspace"])
            options["progress"] = self._progress
            lines = IMPORTERS[options["kind"]](workspace, path, options)
        except UnicodeDecodeError:
            raise CommandError(
                f"{path} is not UTF-8 text: save it as “CSV UTF-8” and try again."
            ) from None
        except ValidationError as error:
            raise CommandError(one_line(error)) from None
        except DatabaseError as error:
            raise CommandError(
                f"Cannot read the database ({error}). A new data folder is set up by "
                "`followthrough serve` or `followthrough createuser`."
            ) from None
        kind = options["kind"].capitalize()
        heading = f"{kind} from {path.name} into workspace {workspace.pk} “{workspace.name}”:"
        if options["dry_run"]:
            heading = f"Dry run, nothing saved. {heading}"
        self.stdout.write("\n".join([heading, *lines]))

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"\r  {done:,} of {total:,} rows", ending="\n" if done >= total else "")
        self.stderr.flush()
