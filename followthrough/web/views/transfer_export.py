"""Data out (DESIGN C7): the Export & data page, contact exports in three formats (respecting the
contact list's search and filters), the whole workspace as JSON, and one person's data export
and erasure."""

import io
import json
import tempfile
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import access_contact
from followthrough.accounts.selectors import user_list
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_list
from followthrough.transfer.erasure import contact_erase
from followthrough.transfer.exporting import (
    CONTENT_TYPES,
    ExportFormat,
    contact_export_data,
    contacts_csv,
    contacts_vcf,
    contacts_xlsx,
)
from followthrough.transfer.workspace_json import workspace_export_json
from followthrough.web.forms.people import ContactFilterForm
from followthrough.web.views.common import MemberRequest, member_view, require_admin

# Files bigger than this spill from memory to disk while they are built.
SPOOL_BYTES = 8 * 1024 * 1024


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%d")


@member_view
@require_GET
def data_page(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    return render(
        request, "web/pages/export.html", {"formats": list(ExportFormat), "stamp": _stamp()}
    )


# member_view is typed for HttpResponse; a streamed file is an HttpResponseBase it passes on as is.
@member_view  # type: ignore[type-var]
@require_GET
def contacts_export(request: MemberRequest, fmt: str) -> HttpResponseBase:
    """The contact list as CSV, XLSX or vCard, with the list's search and filters applied."""
    workspace = request.user.workspace
    form = ContactFilterForm(request.GET, members=user_list(workspace=workspace))
    found = contact_list(workspace=workspace, now=timezone.now(), **form.filters())
    if fmt not in {f.value for f in ExportFormat}:
        raise Http404("No such export format")
    export_format = ExportFormat(fmt)
    name = f"contacts-{_stamp()}.{export_format.value}"
    if export_format is ExportFormat.XLSX:
        return _xlsx_response(found, name)
    chunks = contacts_csv(found) if export_format is ExportFormat.CSV else contacts_vcf(found)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx_response(found: Any, name: str) -> FileResponse:
    # An XLSX file is a zip: it cannot be streamed as it is built, so it goes to a temporary
    # file (memory first, disk past SPOOL_BYTES) that the response then streams.
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # closed by the response
    contacts_xlsx(found, file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=name, content_type=CONTENT_TYPES[ExportFormat.XLSX]
    )


@member_view  # type: ignore[type-var]
@require_GET
def workspace_export(request: MemberRequest) -> HttpResponseBase:
    """Everything in the workspace as JSON (owners and admins). Written to a temporary file,
    then streamed from it: never the whole workspace in memory."""
    require_admin(request)
    workspace = request.user.workspace
    file = tempfile.TemporaryFile()  # closed by the response
    text = io.TextIOWrapper(file, encoding="utf-8")
    workspace_export_json(workspace=workspace, file=text, now=timezone.now())
    text.flush()
    text.detach()  # hand the binary file, still open, to the response
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        content_type="application/json",
        filename=f"workspace-{workspace.pk}-{_stamp()}.json",
    )


@member_view
@require_GET
def contact_export(request: MemberRequest, contact_id: int) -> HttpResponse:
    """Everything stored about one person, as JSON (a subject access request)."""
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    data = contact_export_data(contact=contact, now=timezone.now())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@member_view
@require_http_methods(["GET", "POST"])
def contact_erase_page(request: MemberRequest, contact_id: int) -> HttpResponse:
    """Erase one person (owners and admins), after they type the person's name."""
    contact = access_contact(workspace=request.user.workspace, contact_id=contact_id)
    require_admin(request)
    error = ""
    if request.method == "POST":
        typed = " ".join(request.POST.get("confirm_name", "").split())
        if typed.casefold() == _confirm_text(contact).casefold():
            report = contact_erase(contact=contact, by=request.user)
            messages.success(
                request,
                "The person’s data was erased; their "
                f"{report.suppressed} address(es) stay suppressed.",
            )
            return redirect("web:contacts")
        error = "Type the name exactly as shown to confirm."
    return render(
        request,
        "web/pages/contact_erase.html",
        {"contact": contact, "confirm_text": _confirm_text(contact), "error": error},
        status=422 if error else 200,
    )


def _confirm_text(contact: Contact) -> str:
    return " ".join(contact.name.split())
