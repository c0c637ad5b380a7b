"""What `followthrough import contacts|invoices FILE` does and prints (the command is thin)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from followthrough.accounts.models import Workspace
from followthrough.transfer.importing.invoices import InvoiceReport, invoices_import
from followthrough.transfer.importing.jobs import (
    import_job_create,
    import_job_start,
    import_job_work,
    mapping_from,
    rejected_rows_csv,
)
from followthrough.transfer.models import ImportJob, ImportStatus

SHOWN = 20


def _mapping_option(raw: str | None) -> dict[str, str]:
    """--mapping as JSON text or the path of a JSON file: {"column header": "field" or ""}."""
    if not raw:
        return {}
    text = Path(raw).read_text(encoding="utf-8") if Path(raw).is_file() else raw
    try:
        chosen = json.loads(text)
    except json.JSONDecodeError:
        raise ValidationError(
            {"mapping": ['Give JSON such as {"Cell": "phone", "Remarks": ""} or a JSON file.']}
        ) from None
    if not isinstance(chosen, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in chosen.items()
    ):
        raise ValidationError({"mapping": ['An object of "column": "field" pairs.']})
    return {k: v or "" for k, v in chosen.items()}


def contacts_lines(workspace: Workspace, path: Path, options: dict[str, Any]) -> list[str]:
    job = import_job_create(
        workspace=workspace, by=None, file_name=path.name, data=path.read_bytes()
    )
    mapping = mapping_from(job.header, _mapping_option(options.get("mapping")))
    import_job_start(job=job, mapping=mapping, dry_run=options["dry_run"], queue=False)
    show: Callable[[int, int], None] | None = options.get("progress")
    total = ImportJob.objects.filter(pk=job.pk)
    import_job_work(
        job_id=job.pk,
        progress=(lambda n: show(n, total.values_list("rows_total", flat=True)[0]))
        if show
        else None,
    )
    job.refresh_from_db()
    if job.status == ImportStatus.FAILED:
        raise ValidationError({"file": [job.error]})
    if options.get("rejected") and job.rejected_rows.exists():
        Path(options["rejected"]).write_text(rejected_rows_csv(job=job), encoding="utf-8-sig")
    return _contact_lines(job, mapping, options)


def _contact_lines(job: ImportJob, mapping: list[str], options: dict[str, Any]) -> list[str]:
    s = job.summary
    dry = job.status == ImportStatus.CHECKED
    would = "would be " if dry else ""
    columns = [f"{h} → {m}" for h, m in zip(job.header, mapping, strict=True) if m]
    lines = [
        f"  Columns: {', '.join(columns)}",
        f"  {s['rows']:,} rows: {s['created']:,} contact{'' if s['created'] == 1 else 's'} "
        f"{would}created, {s['updated']:,} "
        f"{would}updated, {s['unchanged']:,} already known, {s['merged']:,} rows merged into "
        f"another row, {s['rejected']:,} rejected.",
    ]
    lines += [f"  Note: {notice}" for notice in s["notices"]]
    rejected = list(job.rejected_rows.all()[:SHOWN])
    if rejected:
        lines.append("Rejected:")
        lines += [
            f"  row {row.number}, {reason['column']}: {reason['message']}"
            for row in rejected
            for reason in row.reasons
        ]
        if s["rejected"] > SHOWN:
            lines.append(f"  … and {s['rejected'] - SHOWN:,} more.")
        if options.get("rejected"):
            lines.append(f"  Rejected rows written to {options['rejected']}: fix and import it.")
    if not dry:
        lines.append(f"Import {job.pk}: undo it from the Import page if it was a mistake.")
    return lines


def invoices_lines(workspace: Workspace, path: Path, options: dict[str, Any]) -> list[str]:
    report = invoices_import(
        workspace=workspace, name=path.name, data=path.read_bytes(), dry_run=options["dry_run"]
    )
    return invoice_report_lines(report)


def invoice_report_lines(report: InvoiceReport) -> list[str]:
    verb = "would be added" if report.dry_run else "added"
    lines = [
        f"  {report.rows:,} rows: {report.invoices:,} invoices, {report.events_created:,} "
        f"events {verb}, {report.already_imported:,} already imported, "
        f"{report.rejected_rows:,} rows rejected.",
    ]
    if report.new_contacts:
        lines.append(f"  {report.new_contacts:,} new contacts (as clients).")
    lines += [f"  row {r.row}, {r.column}: {r.message}" for r in report.rejected[:SHOWN]]
    return lines
