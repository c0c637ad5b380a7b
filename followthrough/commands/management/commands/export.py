"""`followthrough export`: take data out of a workspace.

    followthrough export contacts --format csv|xlsx|vcf [--output FILE] [--workspace ID]
    followthrough export workspace --output FILE [--workspace ID]
    followthrough export contact ID [--output FILE]       # everything about one person (JSON)

Without --output, contacts (CSV, vCard) and a person's data go to stdout; XLSX and the whole
workspace need a file. `followthrough restore --json FILE --workspace-name NAME` reads a
workspace export back as a new workspace.
"""

import json
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from followthrough.access import access_contact
from followthrough.accounts.models import Workspace
from followthrough.commands.management.commands._common import workspace_by_id_or_only
from followthrough.people.models import Contact
from followthrough.transfer.exporting import (
    ExportFormat,
    contact_export_data,
    contacts_export_to,
)
from followthrough.transfer.workspace_json import workspace_export_json


class Command(BaseCommand):
    help = "Export contacts (CSV, XLSX, vCard), one person's data, or the whole workspace (JSON)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=["contacts", "workspace", "contact"])
        parser.add_argument(
            "contact_id", nargs="?", metavar="ID", help="With `contact`: the contact's id."
        )
        parser.add_argument(
            "--format",
            choices=[f.value for f in ExportFormat],
            default="csv",
            help="For contacts (default csv).",
        )
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here (default stdout).")
        parser.add_argument(
            "--workspace",
            type=int,
            metavar="ID",
            help="From this workspace (needed when there are several).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = workspace_by_id_or_only(options["workspace"])
        output = Path(options["output"]) if options["output"] else None
        if output is not None and output.exists():
            raise CommandError(f"{output} already exists; choose another file name.")
        what = options["what"]
        if what == "contacts":
            self._contacts(workspace, ExportFormat(options["format"]), output)
        elif what == "workspace":
            self._workspace(workspace, output)
        else:
            self._person(workspace, options["contact_id"], output)

    def _contacts(self, workspace: Workspace, fmt: ExportFormat, output: Path | None) -> None:
        contacts = Contact.objects.filter(workspace=workspace).order_by(
            "last_name", "first_name", "id"
        )
        if output is None and fmt is ExportFormat.XLSX:
            raise CommandError("XLSX is a binary file: give --output FILE.")
        if output is None:
            try:
                contacts_export_to(contacts, fmt, sys.stdout.buffer)
            except BrokenPipeError:
                # `… | head`: the reader has had enough. Point stdout at /dev/null so Python's
                # final flush does not raise again (the recipe in the signal module's docs).
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        with output.open("wb") as file:
            count = contacts_export_to(contacts, fmt, file)
        self.stderr.write(f"{count:,} contacts written to {output}.")

    def _workspace(self, workspace: Workspace, output: Path | None) -> None:
        if output is None:
            raise CommandError("Give --output FILE for the workspace export.")
        with output.open("w", encoding="utf-8") as file:
            counts = workspace_export_json(workspace=workspace, file=file, now=timezone.now())
        total = sum(counts.values())
        self.stderr.write(
            f"Workspace {workspace.pk} “{workspace.name}”: {total:,} rows in "
            f"{len(counts)} tables written to {output}."
        )

    def _person(self, workspace: Workspace, contact_id: str | None, output: Path | None) -> None:
        if not contact_id:
            raise CommandError("Give the contact's id: `followthrough export contact ID`.")
        try:
            contact = access_contact(workspace=workspace, contact_id=contact_id)
        except Http404:
            raise CommandError(f"No contact {contact_id} in workspace {workspace.pk}.") from None
        data = contact_export_data(contact=contact, now=timezone.now())
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output is None:
            self.stdout.write(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
        self.stderr.write(f"Everything about contact {contact.pk} written to {output}.")
