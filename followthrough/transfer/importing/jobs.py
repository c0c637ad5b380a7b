"""Import jobs: upload a file, choose the columns, dry-run it, import it, undo it.

The web page and the CLI share these services. The heavy steps (dry run, import, undo) run in
the worker: a step is started by setting the job's status and queueing `import_job_work` after
the commit; the worker claims the job with a conditional UPDATE, so a task delivered twice does
the work once.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import FollowUp, Interaction, Status
from followthrough.core import tabular
from followthrough.core.spreadsheet_safety import cell_escape
from followthrough.events.models import Event
from followthrough.people.models import Contact, ContactEmail, ContactPhone, ImportantDate
from followthrough.people.selectors import contact_merge_candidates_among
from followthrough.playbooks.engine import ENGINE_SOURCE
from followthrough.playbooks.tasks import workspace_tick_task
from followthrough.transfer.importing.apply import ContactTag, plan_apply, refresh_search_text
from followthrough.transfer.importing.plan import Plan, plan_contacts
from followthrough.transfer.importing.reading import Table, iter_nonblank, read_table
from followthrough.transfer.models import (
    ImportChange,
    ImportJob,
    ImportKind,
    ImportRow,
    ImportStatus,
)

MAX_BYTES: Final = 60 * 1024 * 1024
PREVIEW_ROWS: Final = 3  # the examples the mapping page shows next to each column
Progress = Callable[[int], None]


def _table(job: ImportJob) -> Table:
    return read_table(name=job.file_name, data=bytes(job.data))


@transaction.atomic
def import_job_create(
    *, workspace: Workspace, by: User | None, file_name: str, data: bytes
) -> ImportJob:
    """A job for an uploaded contacts file, with its columns mapped as well as we can guess.
    Raises ValidationError on "file" when the file is not a spreadsheet or vCard. Only the
    header and the first rows are read here: the worker reads the whole file (a 50 MB vCard
    takes minutes), counts its rows and records on the job what only a full read finds."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    f"The file is larger than {MAX_BYTES >> 20} MB: split it into smaller files."
                ]
            }
        )
    table = read_table(name=file_name, data=data, limit=PREVIEW_ROWS)
    examples = [row for number, row in iter_nonblank(table) if number not in table.problems]
    return ImportJob.objects.create(
        workspace=workspace,
        created_by=by,
        kind=ImportKind.CONTACTS,
        file_name=file_name[:255],
        data=data,
        header=table.header,
        mapping=tabular.guess_mapping(table.header),
        preview=[row[: len(table.header)] for row in examples],
    )


def mapping_from(header: Sequence[str], chosen: Mapping[str, str]) -> list[str]:
    """The guessed mapping with the user's choices ({"column header": "field" or ""}) on top.
    Raises ValidationError naming a column the file does not have."""
    unknown = [name for name in chosen if name not in header]
    if unknown:
        raise ValidationError({"mapping": [f"The file has no column “{unknown[0]}”."]})
    guessed = tabular.guess_mapping(header)
    return [chosen.get(column, guess) for column, guess in zip(header, guessed, strict=True)]


@transaction.atomic
def import_job_start(
    *, job: ImportJob, mapping: Sequence[str], dry_run: bool, queue: bool = True
) -> ImportJob:
    """Save the mapping and queue the dry run or the import (`queue` False: the caller runs
    import_job_work itself, as the CLI does to show progress). A job imports once."""
    from followthrough.transfer.tasks import import_job_task

    if job.status in (
        ImportStatus.IMPORTING,
        ImportStatus.IMPORTED,
        ImportStatus.UNDOING,
        ImportStatus.UNDONE,
        ImportStatus.CHECKING,
    ):
        raise ValidationError({"job": [f"This import is {job.get_status_display().lower()}."]})
    from followthrough.transfer.importing.plan import check_mapping

    job.mapping = check_mapping(job.header, mapping)
    job.status = ImportStatus.CHECKING if dry_run else ImportStatus.IMPORTING
    job.rows_done, job.error, job.finished_at, job.claimed_at = 0, "", None, None
    job.save(update_fields=["mapping", "status", "rows_done", "error", "finished_at", "claimed_at"])
    if queue:
        transaction.on_commit(lambda: import_job_task(job.pk))
    return job


@transaction.atomic
def import_job_undo(*, job: ImportJob) -> ImportJob:
    """Queue taking back everything the import did."""
    from followthrough.transfer.tasks import import_job_task

    # A failed import may have written some chunks: its change log has them, undo takes them.
    failed_midway = job.status == ImportStatus.FAILED and (
        job.changes.exists() or job.created_runs.exists()
    )
    if job.status != ImportStatus.IMPORTED and not failed_midway:
        raise ValidationError({"job": ["Only a finished import can be undone."]})
    job.status, job.rows_done, job.claimed_at = ImportStatus.UNDOING, 0, None
    created = sum(run.count for run in job.created_runs.all())
    job.rows_total = max(job.changes.count() + created, 1)
    job.save(update_fields=["status", "rows_done", "rows_total", "claimed_at"])
    transaction.on_commit(lambda: import_job_task(job.pk))
    return job


# ----------------------------------------------------------------------------- the work


def import_job_work(*, job_id: int, progress: Progress | None = None) -> bool:
    """Do the step the job is waiting for (dry run, import or undo). False when there is none,
    or another worker has it. A failure is recorded on the job, never raised."""
    job = ImportJob.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None or not job.busy:
        return False
    # The claim: of two deliveries of the task, only the one that sets claimed_at works.
    claimed = ImportJob.objects.filter(pk=job.pk, status=job.status, claimed_at__isnull=True)
    if not claimed.update(claimed_at=timezone.now()):
        return False
    report = _reporter(job, progress)
    try:
        if job.status == ImportStatus.UNDOING:
            _undo(job, report)
        else:
            _check_or_import(job, report)
    except ValidationError as error:
        _fail(job, " ".join(error.messages))
    except Exception as error:  # noqa: BLE001  recorded for the user; the worker goes on
        _fail(job, f"The import stopped: {error.__class__.__name__}: {error}")
    return True


def _reporter(job: ImportJob, progress: Progress | None) -> Progress:
    def report(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)
        if progress is not None:
            progress(done)

    return report


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def _check_or_import(job: ImportJob, report: Progress) -> None:
    table = _table(job)
    importing = job.status == ImportStatus.IMPORTING
    rows = sum(1 for row in table.rows if any(c.strip() for c in row))
    # Planning is the first half of an import's progress bar, writing the second.
    total = rows * 2 if importing else rows
    ImportJob.objects.filter(pk=job.pk).update(rows_total=max(total, 1))
    plan = plan_contacts(workspace=job.workspace, table=table, mapping=job.mapping, progress=report)
    _keep_rejected(job, plan)
    if importing:
        writes = len(plan.creates) + len(plan.updates)
        plan_apply(
            job=job, plan=plan, progress=lambda n: report(rows + (n * rows // max(writes, 1)))
        )
        # Those already past their cadence (a "last contacted" column) get their check-ins now.
        workspace_id = job.workspace_id
        transaction.on_commit(lambda: workspace_tick_task(workspace_id))
    summary = plan.summary()
    if importing:
        summary["to_review"] = _to_review(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTED if importing else ImportStatus.CHECKED,
        summary=summary,
        rows_done=total,
        error="",
        finished_at=timezone.now(),
    )


def _to_review(job: ImportJob) -> int:
    """Pairs of the merge review that involve someone this import created or filled in: a
    near-namesake in the same organization is not merged on a guess, so the summary points
    at the review instead."""
    touched = {c for run in job.created_runs.all() for c in range(run.first_id, run.last_id + 1)}
    touched.update(job.changes.values_list("contact_id", flat=True))
    return contact_merge_candidates_among(workspace=job.workspace, contact_ids=touched)


def _keep_rejected(job: ImportJob, plan: Plan) -> None:
    with transaction.atomic():
        job.rejected_rows.all().delete()
        ImportRow.objects.bulk_create(
            ImportRow(
                job=job,
                number=r.number,
                values=r.values,
                reasons=[{"column": p.column, "message": p.message} for p in r.problems],
            )
            for r in plan.rejected
        )


def _undo(job: ImportJob, report: Progress) -> None:
    """Delete the contacts the import created and take back what it added to the others. A
    field is set back only if it still holds what the import put there: a later edit by a
    person wins. So does a later history: a created contact someone has since talked to, sold
    to or planned a touch for by hand is kept (and counted), never deleted with that history."""
    done = kept = 0
    for run in job.created_runs.all():
        for first in range(run.first_id, run.last_id + 1, 1000):
            last = min(first + 999, run.last_id)
            with transaction.atomic():
                contacts = Contact.objects.filter(
                    workspace=job.workspace, pk__gte=first, pk__lte=last
                )
                lived = contacts.filter(_has_history())
                kept += lived.count()
                contacts.exclude(pk__in=lived.values("pk")).delete()
            done += last - first + 1
            report(done)
    for change in job.changes.iterator():
        with transaction.atomic():
            _revert(change)
        done += 1
        report(done)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.UNDONE,
        error="",
        finished_at=timezone.now(),
        summary={**job.summary, "kept_on_undo": kept},
    )


def _has_history() -> Q:
    """Anything recorded on a contact that did not come from the import itself or from the
    engine reacting to it: a logged touch, an event from outside (a purchase, a click, a form),
    a follow-up a person planned or completed."""
    by_outside = Event.objects.filter(contact=OuterRef("pk")).exclude(source=ENGINE_SOURCE)
    by_people = FollowUp.objects.filter(contact=OuterRef("pk")).filter(
        Q(created_by__isnull=False) | Q(status=Status.DONE)
    )
    return (
        Q(Exists(Interaction.objects.filter(contact=OuterRef("pk"))))
        | Q(Exists(by_outside))
        | Q(Exists(by_people))
    )


def _revert(change: ImportChange) -> None:
    contact = Contact.objects.filter(pk=change.contact_id)
    for name, (before, after) in change.fields.items():
        contact.filter(**{name: after}).update(**{name: before})
    ContactEmail.objects.filter(pk__in=change.email_ids, contact_id=change.contact_id).delete()
    ContactPhone.objects.filter(pk__in=change.phone_ids, contact_id=change.contact_id).delete()
    ImportantDate.objects.filter(pk__in=change.date_ids, contact_id=change.contact_id).delete()
    ContactTag.objects.filter(contact_id=change.contact_id, tag_id__in=change.tag_ids).delete()
    refresh_search_text([change.contact_id])


# ----------------------------------------------------------------------------- rejected rows


def rejected_rows_csv(*, job: ImportJob) -> str:
    """The rejected rows as the file had them, plus an `error` column saying what to fix: fix
    them and import this file again (the error column is ignored on the way back in). Every
    cell is escaped against formulas; the reader takes the quote off again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [h for h in job.header if h != tabular.ERROR_COLUMN]
    kept = [i for i, h in enumerate(job.header) if h != tabular.ERROR_COLUMN]
    writer.writerow([cell_escape(c) for c in [*header, tabular.ERROR_COLUMN]])
    for row in job.rejected_rows.all():
        cells = [row.values[i] if i < len(row.values) else "" for i in kept]
        errors = "; ".join(f"{r['column']}: {r['message']}" for r in row.reasons)
        writer.writerow([cell_escape(c) for c in [*cells, errors]])
    return out.getvalue()


# ----------------------------------------------------------------------------- erasure


@dataclass(frozen=True)
class _Traces:
    """How a person shows in a file: texts (emails, a name) in any case, and phones by the
    digits of their national number, since a file writes "(415) 555-0177" or "415.555.0177"
    where we store +14155550177."""

    texts: tuple[str, ...]
    digits: tuple[str, ...]

    @classmethod
    def of(cls, needles: Sequence[str]) -> "_Traces":
        wanted = [n.strip() for n in needles if n.strip()]
        phones = [n for n in wanted if n.startswith("+")]
        return cls(
            tuple(n.lower() for n in wanted if n not in phones),
            tuple(d for d in map(_national_digits, phones) if d),
        )


def _national_digits(e164: str) -> str:
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return "".join(c for c in e164 if c.isdigit())


@transaction.atomic
def import_traces_erase(*, workspace: Workspace, needles: Sequence[str]) -> int:
    """Forget what the workspace's imports kept about a person (for erasure): rejected rows that
    mention any of `needles` (their emails, phones in E.164, name) are deleted, and a job whose
    file, preview or samples mention them loses its file and samples (its counts stay). Returns
    the jobs touched."""
    traces = _Traces.of(needles)
    if not (traces.texts or traces.digits):
        return 0
    touched = 0
    for job in ImportJob.objects.filter(workspace=workspace):
        rows = [r.pk for r in job.rejected_rows.all() if _mentions(_strings(r.values), traces)]
        ImportRow.objects.filter(pk__in=rows).delete()
        kept = _strings([job.preview, job.summary])
        if rows or _mentions(kept, traces) or _file_mentions(job, traces):
            job.data, job.preview = b"", []
            job.summary = {k: v for k, v in job.summary.items() if isinstance(v, int)}
            job.save(update_fields=["data", "preview", "summary"])
            touched += 1
    return touched


def _file_mentions(job: ImportJob, traces: _Traces) -> bool:
    """Whether the uploaded file names the person, searched cell by cell as the importer reads
    it (the bytes may be zipped XLSX or UTF-16). A file that no longer reads counts as naming
    them: what cannot be searched cannot be kept."""
    if not job.data:
        return False
    try:
        table = _table(job)
    except ValidationError:
        return True
    return _mentions(chain(table.header, *table.rows), traces)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _mentions(cells: Iterable[str], traces: _Traces) -> bool:
    """Whether a cell holds one of the texts, or one of the phones' digits among its own (so
    "+1 (415) 555-0177, ext. 2" is found too)."""
    for cell in cells:
        lowered = cell.lower()
        digits = "".join(c for c in cell if c.isdigit())
        if any(t in lowered for t in traces.texts) or any(d in digits for d in traces.digits):
            return True
    return False
