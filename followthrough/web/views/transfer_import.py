"""The Import page (owner and admins): drop a contacts file, check the columns, see the dry run,
import with a progress bar, download the rejected rows, undo; plus invoice history and the
list of past imports. The work runs in the worker; these views only start it and show it."""

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.access import access_import_job
from followthrough.core.tabular import FIELDS
from followthrough.transfer.importing.invoices import invoices_import, rejected_invoices_csv
from followthrough.transfer.importing.jobs import (
    import_job_create,
    import_job_start,
    import_job_undo,
    rejected_rows_csv,
)
from followthrough.transfer.models import ImportJob, ImportStatus
from followthrough.web.forms.transfer import ImportFileForm, InvoiceFileForm, MappingForm
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    is_htmx,
    member_view,
    require_admin,
)

HISTORY = 20


def _history(request: MemberRequest) -> list[ImportJob]:
    jobs = ImportJob.objects.filter(workspace=request.user.workspace).defer("data", "preview")
    return list(jobs.select_related("created_by").order_by("-created_at")[:HISTORY])


@member_view
@require_http_methods(["GET", "POST"])
def import_home(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    posted = request.method == "POST"
    form = ImportFileForm(request.POST, request.FILES) if posted else ImportFileForm()
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                workspace=request.user.workspace,
                by=request.user,
                file_name=upload.name,
                data=upload.read(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:import_job", job_id=job.pk)
    context = {"form": form, "jobs": _history(request)}
    return render(request, "web/pages/import_home.html", context, status=422 if posted else 200)


def _job_context(job: ImportJob, form: MappingForm | None = None) -> dict[str, Any]:
    columns = [
        {"field": field, "samples": [row[i] for row in job.preview if i < len(row) and row[i]]}
        for i, field in enumerate(form or [])
    ]
    return {
        "job": job,
        "form": form,
        "columns": columns,
        "field_labels": FIELDS,
        "summary": job.summary,
        "rejected_total": job.summary.get("rejected", 0),
    }


@member_view
@require_GET
def import_job(request: MemberRequest, job_id: int) -> HttpResponse:
    require_admin(request)
    job = access_import_job(workspace=request.user.workspace, job_id=job_id)
    form = None
    if job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED):
        form = MappingForm(header=job.header, mapping=job.mapping)
    return render(request, "web/pages/import_job.html", _job_context(job, form))


@member_view
@require_POST
def import_job_run(request: MemberRequest, job_id: int) -> HttpResponse:
    """Start the dry run (mode=dry_run) or the import (mode=import) with the chosen columns."""
    require_admin(request)
    job = access_import_job(workspace=request.user.workspace, job_id=job_id)
    form = MappingForm(request.POST, header=job.header, mapping=job.mapping)
    if form.is_valid():
        try:
            import_job_start(
                job=job, mapping=form.mapping(), dry_run=request.POST.get("mode") != "import"
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("web:import_job", job_id=job.pk)
    return render(request, "web/pages/import_job.html", _job_context(job, form), status=422)


@member_view
@require_GET
def import_job_progress(request: MemberRequest, job_id: int) -> HttpResponse:
    """The progress bar, polled by htmx while the worker is at it; once it is done, the page
    reloads to show the result."""
    require_admin(request)
    job = access_import_job(workspace=request.user.workspace, job_id=job_id)
    if not job.busy and is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": reverse("web:import_job", args=[job.pk])})
    return render(request, "web/partials/import_progress.html", {"job": job})


@member_view
@require_POST
def import_job_undo_view(request: MemberRequest, job_id: int) -> HttpResponse:
    require_admin(request)
    job = access_import_job(workspace=request.user.workspace, job_id=job_id)
    try:
        import_job_undo(job=job)
    except ValidationError as error:
        return render(
            request,
            "web/pages/import_job.html",
            _job_context(job) | {"undo_error": " ".join(error.messages)},
            status=422,
        )
    return redirect("web:import_job", job_id=job.pk)


@member_view
@require_GET
def import_job_rejected(request: MemberRequest, job_id: int) -> HttpResponse:
    """The rejected rows as a CSV (with a BOM, so Excel reads it as UTF-8) to fix and re-import."""
    require_admin(request)
    job = access_import_job(workspace=request.user.workspace, job_id=job_id)
    name = job.file_name.rsplit(".", 1)[0] or "contacts"
    response = HttpResponse(
        ("\ufeff" + rejected_rows_csv(job=job)).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-rejected.csv"'
    return response


@member_view
@require_http_methods(["GET", "POST"])
def import_invoices(request: MemberRequest) -> HttpResponse:
    """Invoice history: small enough files to do in the request (the CLI takes any size)."""
    require_admin(request)
    posted = request.method == "POST"
    form = InvoiceFileForm(request.POST, request.FILES) if posted else InvoiceFileForm()
    context: dict[str, Any] = {"form": form}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            report = invoices_import(
                workspace=request.user.workspace,
                name=upload.name,
                data=data,
                dry_run=request.POST.get("mode") != "import",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context |= {
                "report": report,
                "file_name": upload.name,
                "rejected_url": _data_url(upload.name, data, report),
            }
            return render(request, "web/pages/import_invoices.html", context)
    return render(request, "web/pages/import_invoices.html", context, status=422 if posted else 200)


def _data_url(name: str, data: bytes, report: Any) -> str:
    if not report.rejected:
        return ""
    text = rejected_invoices_csv(name=name, data=data, report=report)
    encoded = base64.b64encode(("\ufeff" + text).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{encoded}"
